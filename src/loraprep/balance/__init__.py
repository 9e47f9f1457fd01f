"""Repeats per concept and tier, epochs and steps arithmetic."""
