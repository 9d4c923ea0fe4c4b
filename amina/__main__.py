"""`python -m amina` is the `amina` command."""

from amina.entrypoints.cli.main import main

main()
