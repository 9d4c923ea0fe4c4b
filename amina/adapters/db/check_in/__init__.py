"""The evening check-in's table: each person's reminder choice (issue 13, point 7)."""
