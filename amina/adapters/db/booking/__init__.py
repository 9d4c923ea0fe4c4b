"""Tables and hand-written SQL of MMC appointment booking (migration 0008)."""
