"""The scheduler's own records: one row per run of a daily job and Moscow day."""
