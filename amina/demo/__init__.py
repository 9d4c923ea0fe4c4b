"""Demo data loaders and the device simulator."""
