"""Copies of the bundled sample (its tiny tagger beside it, as in examples/) in tmp folders, prepared up to a stage."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from loraprep import ops

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "sample"
TINY_TAGGER = REPO / "examples" / "tiny_tagger"
TINY_CCIP = REPO / "examples" / "tiny_ccip"
REFS = REPO / "examples" / "refs"


def copy_sample(parent: Path, *, recipe_extra: str = "", recipe: str | None = None) -> Path:
    """parent/examples/{sample,tiny_tagger,tiny_ccip,refs,tiny_detector}, so the recipe's relative folders resolve
    as in the repository."""
    examples = parent / "examples"
    # A user's run of the README's first command leaves examples/sample/.loraprep behind: tests start from the files.
    shutil.copytree(SAMPLE, examples / "sample", ignore=shutil.ignore_patterns(".loraprep"))
    shutil.copytree(TINY_TAGGER, examples / "tiny_tagger", ignore=shutil.ignore_patterns("*.py", "*.md"))
    shutil.copytree(TINY_CCIP, examples / "tiny_ccip", ignore=shutil.ignore_patterns("*.py", "*.md"))
    shutil.copytree(REFS, examples / "refs")
    shutil.copytree(TINY_TAGGER.parent / "tiny_detector", examples / "tiny_detector",
                    ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    root = examples / "sample"
    if recipe is not None:
        (root / "loraprep.toml").write_text(recipe, encoding="utf-8")
    elif recipe_extra:
        with open(root / "loraprep.toml", "a", encoding="utf-8") as handle:
            handle.write("\n" + recipe_extra)
    return root


def prepare(root: Path, *, dedup: bool = True, tag: bool = True) -> Path:
    """scan (+ dedup) (+ tag) with the recipe's settings."""
    ops.scan(root)
    if dedup:
        ops.dedup(root)
    if tag:
        ops.tag(root)
    return root


def clone(prepared: Path, parent: Path) -> Path:
    """A private copy of a prepared sample (state included) for a test that writes."""
    shutil.copytree(prepared.parent, parent / "examples")
    return parent / "examples" / "sample"


def captions(root: Path, statuses=("active",)) -> dict[str, str]:
    """Every file's final caption, by path, as the Workspace renders it."""
    from loraprep.ops.workspace import Workspace

    with Workspace(root) as ws:
        return {f.path: ws.caption(f.id) for f in ws.files(statuses=statuses)}


def db(root: Path) -> sqlite3.Connection:
    """A plain read connection to the dataset's store, for checks that must not go through loraprep."""
    conn = sqlite3.connect(root / ".loraprep" / "state.sqlite")
    conn.row_factory = sqlite3.Row
    return conn


def journal_size(root: Path) -> tuple[int, int, int, int]:
    """(batches, tag op rows, tag op sets, file ops): a write anywhere in the journal changes one of these."""
    conn = db(root)
    try:
        return tuple(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                     for t in ("batches", "tag_ops", "tag_op_sets", "file_ops"))
    finally:
        conn.close()


def stored_scores(root: Path) -> dict[str, list[tuple[str, str, float]]]:
    """Every tagger score in the store, per image id (all models)."""
    conn = db(root)
    try:
        from loraprep.store.tags import load_scores

        result: dict[str, list] = {}
        for (model,) in conn.execute("SELECT DISTINCT model FROM score_sets").fetchall():
            for image_id, scores in load_scores(conn, model).items():
                result.setdefault(image_id, []).extend(scores)
        return result
    finally:
        conn.close()


def active_images(root: Path) -> dict[str, str]:
    """image id -> first path, of the active files."""
    conn = db(root)
    try:
        rows = conn.execute("SELECT path, image_id FROM files WHERE status='active' ORDER BY path").fetchall()
    finally:
        conn.close()
    result: dict[str, str] = {}
    for r in rows:
        result.setdefault(r["image_id"], r["path"])
    return result


def expected_base(scores, imported, general: float, character: float = 0.85) -> set[str]:
    """What the thresholds should show of the stored scores, plus the caption file's tags (no rules)."""
    passing = {t for t, c, s in scores if (c == "character" and s >= character)
               or (c not in ("character", "rating") and s >= general)}
    return passing | set(imported)
