"""The loraprep command line (Typer), one thin module per command."""
