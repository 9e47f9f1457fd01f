"""Hugging Face `datasets` imagefolder: the real loader is installed (dev extra), so it reads the export itself.

Trainers that take an HF dataset (diffusers' example scripts) use each row once per epoch and the text
column as it is; loraprep's own `repeats` column carries the plan for those that repeat.
"""

from __future__ import annotations

from pathlib import Path

from tests.export.trainers import Sample, View, require


def read(out: Path, cache_dir: Path) -> View:
    import datasets

    loaded = datasets.load_dataset("imagefolder", data_dir=str(out), cache_dir=str(cache_dir))
    require(set(loaded) == {"train"}, f"splits {sorted(loaded)}: a file or folder name became a split")
    rows = loaded["train"].cast_column("image", datasets.Image(decode=False))
    samples = []
    for row in rows:
        require(isinstance(row["repeats"], int) and row["repeats"] >= 1, f"repeats {row['repeats']!r}")
        samples.append(Sample(Path(row["image"]["path"]), row["text"], row["repeats"]))
    return View(samples, lambda s, rng: s.caption, sum(s.repeats for s in samples))

