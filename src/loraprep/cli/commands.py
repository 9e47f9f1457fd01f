"""The list of command modules; each exposes ``register(app)``."""

from __future__ import annotations

from loraprep.cli import cmd_init, cmd_scan, cmd_status

REGISTRY = [cmd_init.register, cmd_scan.register, cmd_status.register]
