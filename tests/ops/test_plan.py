"""plan(): the recipe's per-concept repeats and the tier folders, read from a scanned dataset."""

from __future__ import annotations

from loraprep import ops
from loraprep.ops.plan import plan
from tests.conftest import make_image


def test_recipe_repeats_keep_primaries_ahead_of_supporting(tmp_path):
    root = tmp_path / "ds"
    for i in range(4):
        make_image(root / "hero" / "primary" / f"p{i}.png", size=(512, 512), color=(10 * i, 40, 90))
    for i in range(9):
        make_image(root / "hero" / "supporting" / f"s{i}.jpg", size=(512, 512), color=(90, 10 * i, 40))
    (root / "loraprep.toml").write_text("[concepts.hero]\nrepeats = 2\n", encoding="utf-8")
    ops.scan(root)
    rows = {(r["concept"], r["tier"]): r for r in plan(root)["rows"]}
    assert rows[("hero", "primary")]["repeats"] == 10 and rows[("hero", "supporting")]["repeats"] == 2
    assert rows[("hero", "primary")]["images_per_epoch"] > rows[("hero", "supporting")]["images_per_epoch"]
