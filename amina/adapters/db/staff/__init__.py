"""Tables of staff accounts."""
