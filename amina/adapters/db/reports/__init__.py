"""Location report tables, their day partitions and the ingest store (its hand-written SQL)."""
