"""`python -m loraprep` runs the command line."""

from loraprep.cli.app import main

main()
