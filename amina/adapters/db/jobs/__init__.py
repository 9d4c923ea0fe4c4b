"""Tables of the scheduler."""
