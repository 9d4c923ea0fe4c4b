"""Registration of the place of stay: the lifecycle, the slip, host verification."""
