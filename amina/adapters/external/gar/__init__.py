"""The state address register (ГАР): its export files, and the local register searched by the
person's app (issue 13)."""
