"""The `--where` selection language: parse an expression, test it against what an image shows."""
