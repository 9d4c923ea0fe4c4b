"""The state address register (issue 13): importing its export, and finding addresses in it."""
