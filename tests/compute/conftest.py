"""Ray engine fixtures: one local Ray cluster for the session, generated datasets, the stored results to compare."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from tests.conftest import make_image

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "sample"
TINY_TAGGER = str(REPO / "examples" / "tiny_tagger")


@pytest.fixture(scope="session")
def ray_cluster():
    """A 2-CPU Ray cluster on loopback, shared by every Ray test; yields its address for other processes."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def copy_sample(target: Path) -> Path:
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns(".loraprep"))
    return target


def generated_dataset(root: Path, count: int, seed: int) -> Path:
    """``count`` varied pictures (sizes, formats, modes, near-copies) plus unreadable files, in two concepts."""
    rng = random.Random(seed)
    formats = [("png", "PNG", {}), ("jpg", "JPEG", {"quality": 90}), ("webp", "WEBP", {"quality": 85})]
    modes = ["RGB", "RGB", "RGBA", "L", "P"]
    made = []
    for i in range(count):
        ext, fmt, save = rng.choice(formats)
        mode = rng.choice(modes) if fmt != "JPEG" else rng.choice(["RGB", "L"])
        size = (rng.randint(24, 180), rng.randint(24, 180))
        colour = (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255))
        concept = "cat_a" if i % 3 else "dog b"
        path = make_image(root / concept / f"img {i:03d}.{ext}", size=size, color=colour, mode=mode, fmt=fmt, **save)
        made.append((path, size, colour))
    for j, (path, size, colour) in enumerate(made[: max(2, count // 12)]):      # resized copies: duplicates
        make_image(path.parent / f"copy_{j}.png", size=(size[0] * 2, size[1] * 2), color=colour, fmt="PNG")
    (root / "cat_a" / "empty.png").write_bytes(b"")
    (root / "cat_a" / "cut.jpg").write_bytes(made[1][0].read_bytes()[:40] if made else b"\xff\xd8")
    (root / "dog b" / "not_an_image.webp").write_bytes(b"RIFF0000WEBPjunk")
    return root


def stored(root: Path, model: str | None = None) -> dict:
    """What scan, tag and dedup stored, by file path: the files and their content, scores, descriptors, groups."""
    from loraprep.dedup.descriptor import VERSION
    from loraprep.store import dedup as dedup_rows
    from loraprep.store import tags as tag_rows
    from loraprep.store.db import open_store
    from loraprep.store.files import list_files

    with open_store(root) as store:
        files = list_files(store)
        path_of = {f.id: f.path for f in files}
        out = {"files": {f.path: f for f in files},            # every recorded fact of each file and its content
               "descriptors": dedup_rows.load_descriptors(store.conn, VERSION),
               "groups": sorted((path_of[g.keeper], tuple(sorted((path_of[m.file_id], m.distance, m.why, m.keeper)
                                                                 for m in g.members)))
                                for g in dedup_rows.load_groups(store.conn))}
        if model:
            out["tagged"] = tag_rows.tagged_ids(store.conn, model)
            out["scores"] = {k: list(v) for k, v in tag_rows.load_scores(store.conn, model).items()}
        return out
