"""Appointments at the migration centre (issue 12): slots, bookings, tickets, check-in,
reminders. See docs/booking.md."""
