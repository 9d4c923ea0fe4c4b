"""Location reports: ingest, the person's view of them, retention, reporting settings."""
