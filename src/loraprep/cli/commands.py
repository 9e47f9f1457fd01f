"""The list of command modules, in workflow order; each exposes ``register(app)``: one command per module, named
after it (history, undo and redo share the journal's)."""

from __future__ import annotations

from loraprep.cli import (cmd_caption, cmd_classify, cmd_crop, cmd_curate, cmd_dedup, cmd_detect, cmd_download,
                          cmd_edit, cmd_edit_tags, cmd_export, cmd_frames, cmd_init, cmd_journal, cmd_plan, cmd_run,
                          cmd_scan, cmd_status, cmd_tag, cmd_tags)

REGISTRY = [cmd_init.register, cmd_download.register, cmd_frames.register, cmd_scan.register, cmd_status.register,
            cmd_dedup.register, cmd_tag.register, cmd_detect.register, cmd_crop.register, cmd_tags.register,
            cmd_classify.register, cmd_curate.register, cmd_caption.register, cmd_edit_tags.register,
            cmd_edit.register, cmd_plan.register, cmd_export.register, cmd_run.register, cmd_journal.register]
