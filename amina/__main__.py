"""`python -m amina` is the `amina` command."""

from amina.cli import main

main()
