"""Feature commands of the `amina` CLI, registered in amina/entrypoints/cli/main.py."""
