"""The list of command modules, in workflow order; each exposes ``register(app)``."""

from __future__ import annotations

from loraprep.cli import (cmd_curate, cmd_dedup, cmd_edit, cmd_export, cmd_init, cmd_journal, cmd_scan, cmd_status,
                          cmd_tag)

REGISTRY = [cmd_init.register, cmd_scan.register, cmd_status.register, cmd_dedup.register, cmd_tag.register,
            cmd_curate.register, cmd_edit.register, cmd_export.register, cmd_journal.register]
