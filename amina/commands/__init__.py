"""Feature commands of the `amina` CLI, registered in amina/cli.py."""
