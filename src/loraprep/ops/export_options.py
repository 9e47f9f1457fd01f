"""What every export shares: the exporters' options from the recipe, and a full disk said in words."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def full_disk_said(out: Path) -> Iterator[None]:
    """A full disk under ``out`` raised as the error that says so; any other error as it is."""
    from loraprep.errors import disk_full

    try:
        yield
    except OSError as exc:
        # A failed export removes its staging folder, so the previous export in ``out`` is still whole.
        full = disk_full(exc, where=str(out), hint="free some space on that disk, or export to a folder on another "
                                                   "disk; a previous export in that folder is untouched")
        if full is None:
            raise
        raise full from exc


def export_options(recipe, out: Path, root: Path, concepts: set[str], plan, *, mode: str, preset: str | None,
                   replace: bool, **extras):
    """The exporters' options from the recipe, for the active images' ``concepts``."""
    from loraprep.export import ExportOptions

    base = recipe.base
    return ExportOptions(
        out_dir=out, dataset_root=root, mode=mode, resolution=recipe.export.resolution,
        keep_tokens=base.keep_tokens,
        # Per concept, so each kohya subset gets its own (a set's order would pick one at random per run).
        keep_tokens_separator=base.keep_tokens_separator,
        concept_keep_separators={c: recipe.for_concept(c).keep_tokens_separator for c in concepts},
        shuffle_caption=recipe.export.shuffle_caption, trigger_words=base.fixed_tags,
        concept_triggers={c: recipe.for_concept(c).fixed_tags for c in concepts},
        concept_keep_tokens={c: recipe.for_concept(c).effective_keep_tokens for c in concepts},
        epochs=plan.epochs, batch_size=plan.batch_size, train_preset=preset or recipe.export.preset,
        caption_separator=base.rules.separator.strip() or ",",
        ai_toolkit_shuffle=recipe.export.ai_toolkit_shuffle, replace=replace, **extras,
    )
