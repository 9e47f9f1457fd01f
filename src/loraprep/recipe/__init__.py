"""The recipe file (loraprep.toml): its keys, their checks, the loader with line numbers, the commented template."""
