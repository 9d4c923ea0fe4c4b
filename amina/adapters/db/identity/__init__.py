"""Tables of identity and sign-in."""
