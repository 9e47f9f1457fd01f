"""Exact and near-duplicate detection: encode -> search -> policy."""
