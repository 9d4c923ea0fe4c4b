"""Identity and sign-in: the card register, one-time codes, sessions, devices, enrolment."""
