"""Tables of policy versions and calendar overrides."""
