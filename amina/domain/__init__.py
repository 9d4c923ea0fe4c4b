"""The pure core: rules and data types. No framework, no database, no I/O, no clock reads."""
