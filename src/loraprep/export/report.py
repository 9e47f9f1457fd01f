"""The export report: ExportReport for callers and export.json (every image, its source, caption, conversions)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from loraprep.export.base import Group, Placed

REPORT_VERSION = 1
_DONE = {"link": "linked", "reflink": "cloned", "copy": "copied", "convert": "converted"}


@dataclass(frozen=True)
class ExportReport:
    """What an export did; ``to_dict()`` is export.json and the ``--json`` document."""

    format: str
    out_dir: Path
    groups: tuple[Group, ...]
    placed: tuple[Placed, ...]
    config_files: tuple[str, ...]
    train_command: str
    warnings: tuple[str, ...] = field(default_factory=tuple)
    extra: tuple[tuple[str, object], ...] = ()   # more top-level keys (the caption fields' seed, ...)

    @property
    def counts(self) -> dict[str, int]:
        counts = {"images": len(self.placed), "link": 0, "reflink": 0, "copy": 0, "convert": 0,
                  "caption_fallback": 0}
        for placed in self.placed:
            counts[placed.method] += 1
            counts["caption_fallback"] += placed.caption_fallback
        return counts

    def to_dict(self) -> dict:
        return {
            "loraprep_export": REPORT_VERSION,
            "format": self.format,
            "out_dir": str(self.out_dir),
            "train_command": self.train_command,
            "counts": self.counts,
            "config_files": list(self.config_files),
            "groups": [
                {
                    "concept": g.concept,
                    "tier": g.tier,
                    "repeats": g.repeats,
                    "folder": g.folder,
                    "images": sum(1 for p in self.placed if p.group == g),
                }
                for g in self.groups
            ],
            "images": [_item_dict(p) for p in self.placed],
            "warnings": list(self.warnings),
            **dict(self.extra),
        }


def _item_dict(placed: Placed) -> dict:
    return {
        "image_id": placed.item.image_id,
        "source": str(placed.item.source),
        "output": str(placed.relpath),
        "concept": placed.group.concept,
        "tier": placed.group.tier,
        "repeats": placed.group.repeats,
        "caption": placed.caption,
        "method": placed.method,
        "conversions": list(placed.conversions),
        "caption_fallback": placed.caption_fallback,
    }


def report_json(report: ExportReport) -> bytes:
    return (json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def read_report(out_dir: Path) -> dict:
    """A previous export's export.json (for `loraprep export --check` or the web UI)."""
    return json.loads((Path(out_dir) / "export.json").read_text(encoding="utf-8"))


def summarize(groups: Sequence[Group], placed: Sequence[Placed]) -> str:
    """One line for people: '3 groups, 120 images (100 linked, 20 converted)'."""
    methods: dict[str, int] = {}
    for p in placed:
        methods[p.method] = methods.get(p.method, 0) + 1
    detail = ", ".join(f"{n} {_DONE[m]}" for m, n in sorted(methods.items()))
    return f"{len(groups)} groups, {len(placed)} images ({detail})"
