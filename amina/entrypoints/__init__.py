"""The driving side: the CLI, the scheduler and its jobs, the ASGI entry."""
