"""The plan counted by SQLite (the streamed export's) equals the plan of every file record."""

from __future__ import annotations

import random

import pytest

from loraprep.ops.plan import make_dataset_plan, store_plan_inputs
from loraprep.ops.recipe import load_dataset_recipe
from loraprep.store.db import open_store
from loraprep.store.files import list_files


@pytest.mark.parametrize("seed, folders", [
    (1, ["cats", "dogs", "birds"]),
    (2, ["5_cats", "5_cats", "12_dogs"]),            # kohya N_name folders: the stated repeats are kept
    (3, ["3_mixed", "mixed", "root"]),               # one concept's folders disagree; files at the root
])
def test_store_plan_equals_the_file_records_plan(tmp_path, seed, folders):
    rng = random.Random(seed)
    (tmp_path / "loraprep.toml").write_text('[export]\ntarget_steps = 1500\nbatch_size = 2\n', encoding="utf-8")
    with open_store(tmp_path, create=True) as store, store.write() as conn:
        for n in range(rng.randint(40, 90)):
            folder = rng.choice(folders)
            concept = folder.split("_", 1)[-1]
            path = f"x{n}.png" if folder == "root" else f"{folder}/{rng.choice(['', 'best/'])}{n}.png"
            width, height = rng.choice([(512, 512), (768, 1024), (1024, 768), (1920, 1080), (640, 960)])
            conn.execute("INSERT INTO images (id, width, height) VALUES (?, ?, ?)", (f"i{n}", width, height))
            conn.execute("INSERT INTO files (path, image_id, concept, tier, size, mtime_ns, status, first_seen,"
                         " last_seen) VALUES (?, ?, ?, ?, 1, 1, ?, 'x', 'x')",
                         (path, f"i{n}", concept, "best" if "/best/" in path else "",
                          rng.choice(["active", "active", "active", "excluded", "gone"])))
    recipe = load_dataset_recipe(tmp_path)
    with open_store(tmp_path) as store:
        records = list_files(store, statuses=["active"])
        expected = make_dataset_plan(records, recipe).to_dict()
        assert make_dataset_plan((), recipe, inputs=store_plan_inputs(store, recipe)).to_dict() == expected
