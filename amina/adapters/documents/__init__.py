"""Documents Amina issues (the registration slip)."""
