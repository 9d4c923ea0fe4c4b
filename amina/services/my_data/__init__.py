"""The person's transparency rights: who accessed their data, and everything held about them."""
