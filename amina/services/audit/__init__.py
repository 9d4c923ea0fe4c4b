"""The audit trail of staff access: recording it and the auditor's review."""
