"""The audit log table."""
