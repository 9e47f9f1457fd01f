"""Exporters, one module per trainer format."""
