"""Tables of registrations."""
