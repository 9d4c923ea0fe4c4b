"""Policy data, the working-day calendar and eligibility."""
