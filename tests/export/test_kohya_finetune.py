"""kohya-finetune metadata as sd-scripts reads it: one metadata_file per subset, each image with its size."""

from __future__ import annotations

import json
import tomllib

from PIL import Image

from loraprep import ops
from loraprep.ops.export import export
from tests.conftest import make_image


def test_every_subset_file_gives_each_image_its_exported_size(tmp_path):
    root = tmp_path / "set"
    make_image(root / "walk" / "a.png", (640, 900), color=(10, 10, 200))
    make_image(root / "walk" / "best" / "b.webp", (1000, 700), color=(200, 10, 10), fmt="WEBP")
    exif = Image.Exif()
    exif[0x0112] = 6  # 1100x700 on disk, shown a quarter turn rotated: 700x1100
    make_image(root / "sit" / "c.jpg", (1100, 700), color=(10, 200, 10), exif=exif.tobytes())
    (root / "loraprep.toml").write_text('trigger = ["zk walker"]\n', encoding="utf-8")
    ops.scan(root, min_size=64)
    out = tmp_path / "out"
    export(root, out, fmt="kohya-finetune")
    config = tomllib.loads((out / "dataset.toml").read_text(encoding="utf-8"))
    subsets = config["datasets"][0]["subsets"]
    assert len(subsets) == 3  # one metadata_file per concept/tier
    seen = {}
    for subset in subsets:
        metadata = json.loads(open(subset["metadata_file"], encoding="utf-8").read())
        for key, entry in metadata.items():
            with Image.open(key) as image:
                assert tuple(entry["image_size"]) == image.size
            seen[key.rsplit("/", 1)[-1].split(".")[0]] = tuple(entry["image_size"])
            assert entry["caption"].startswith("zk walker")
    assert seen["c"] == (700, 1100)
