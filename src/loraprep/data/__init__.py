"""Data files shipped with loraprep: the meta-tag blacklist and trait categories."""
