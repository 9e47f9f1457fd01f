"""The list of command modules; each exposes ``register(app)``."""

from __future__ import annotations

from loraprep.cli import cmd_dedup, cmd_edit, cmd_init, cmd_journal, cmd_scan, cmd_status, cmd_tag

REGISTRY = [cmd_init.register, cmd_scan.register, cmd_status.register, cmd_journal.register, cmd_tag.register, cmd_dedup.register, cmd_edit.register]
