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


def _kohya_dataset(root, layout: dict[str, int]):
    for folder, count in layout.items():
        for i in range(count):
            make_image(root / folder / f"{i:03d}.png", size=(512, 512), color=(i * 9 % 255, len(folder) * 20, 90))
            (root / folder / f"{i:03d}.txt").write_text("1girl, smile", encoding="utf-8")


def test_a_kohya_dataset_keeps_its_concepts_and_repeats(tmp_path):
    root = tmp_path / "img"
    _kohya_dataset(root, {"5_HaileyGrice": 4, "2_HaileyGrice": 6, "3_outfit_red": 5})
    ops.scan(root)
    rows = {(r["concept"], r["tier"]): r["repeats"] for r in plan(root)["rows"]}
    assert rows == {("HaileyGrice", "5x"): 5, ("HaileyGrice", "2x"): 2, ("outfit_red", ""): 3}
    rebalanced = {(r["concept"], r["tier"]): r["source"] for r in plan(root, rebalance=True)["rows"]}
    assert set(rebalanced) == set(rows) and set(rebalanced.values()) <= {"balanced", "capped"}


def test_a_kohya_dataset_exports_under_its_own_names(tmp_path):
    root = tmp_path / "img"
    _kohya_dataset(root, {"5_HaileyGrice": 3, "1_HaileyGrice": 3})
    (root / "loraprep.toml").write_text('trigger = ["HaileyGrice"]\n', encoding="utf-8")
    ops.scan(root)
    from loraprep.ops.export import export

    export(root, tmp_path / "out", fmt="kohya")
    folders = sorted(p.name for p in (tmp_path / "out" / "img").iterdir())
    assert folders == ["1_HaileyGrice-1x", "5_HaileyGrice-5x"], folders
    caption = (tmp_path / "out" / "img" / "5_HaileyGrice-5x" / "000.txt").read_text(encoding="utf-8")
    assert caption.lower().startswith("haileygrice, 1girl")


def test_recipe_repeats_and_the_recipe_switch_win_over_folder_repeats(tmp_path):
    root = tmp_path / "img"
    _kohya_dataset(root, {"5_a": 3, "2_b": 3})
    (root / "loraprep.toml").write_text("[concepts.a]\nrepeats = 7\n", encoding="utf-8")
    ops.scan(root)
    rows = {r["concept"]: r["repeats"] for r in plan(root)["rows"]}
    assert rows == {"a": 7, "b": 2}
    (root / "loraprep.toml").write_text('[export]\nfolder_repeats = "rebalance"\n', encoding="utf-8")
    assert {r["concept"]: r["source"] for r in plan(root)["rows"]} == {"a": "balanced", "b": "balanced"}
