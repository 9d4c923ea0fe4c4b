"""The state address register (ГАР) as imported: its objects, hierarchy and search entries."""
