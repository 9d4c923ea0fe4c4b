"""Web adapter: FastAPI app, JSON API per actor, server-rendered pages."""
