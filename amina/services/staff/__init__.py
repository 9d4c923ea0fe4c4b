"""Staff accounts, console sessions and the role checks."""
