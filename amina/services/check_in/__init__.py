"""The evening check-in (issue 13, point 7): the person's reminder choice, what the home
screen says about the next check-in, and the daily push "tap to confirm you are here"."""
