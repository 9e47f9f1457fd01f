"""Frozen dataclasses describing images, tags and recipes; no IO."""
