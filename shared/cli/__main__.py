"""`python -m shared.cli`: the `luohu` command."""

from shared.cli import main

main()
