"""Use cases: one function or small class per thing a person, officer or the system does."""
