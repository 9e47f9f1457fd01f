"""A rule written once, in this one file, and registered in RULES: `caption`, export and the editor all apply it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loraprep import ops
from loraprep.ops.export import export
from loraprep.ops.workspace import Workspace
from loraprep.rules import pipeline
from loraprep.rules.base import Rule
from tests.cli.test_commands import invoke
from tests.conftest import make_image

COLOURS = ("red", "blue", "green", "silver")


class NoColours(Rule):
    """A throwaway rule: drop every tag that starts with a colour word, saying which."""

    name = "no_colours"

    def prepare(self, ctx):
        memo: dict[str, str | None] = {}

        def why(name: str) -> str | None:
            first = name.split(" ", 1)[0]
            return f"a colour: {first}" if first in COLOURS else None

        def step(draft) -> None:
            draft.drop(self.name, [memo[n] if n in memo else memo.setdefault(n, why(n)) for n in draft.names])
        return step


CAPTIONS = {  # varied: colours first, last, pinned by the recipe's protect list, in the fixed slot, spelled raw
    "knight/001.png": "1girl, red hair, armor, blue eyes, solo",
    "knight/002.jpg": "Silver_Hair, sword, green cape, smile",
    "knight/003.webp": "armor, sword, red hair, red hair, outdoors",
    "mage/010.png": "1boy, green robe, staff, blue sky, red gem",
    "mage/sub/011.png": "staff, hat, night, moon",
}
RECIPE = """\
trigger = ["hero"]

[rules]
protect = ["blue sky"]

[concepts.mage]
fixed = ["green robe"]
"""


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    root = tmp_path / "ds"
    for i, (rel, caption) in enumerate(CAPTIONS.items()):
        fmt = {".webp": "WEBP", ".jpg": "JPEG"}.get(Path(rel).suffix)
        make_image(root / rel, (96 + 8 * i, 96), color=(30 * i, 90, 200 - 30 * i), fmt=fmt)
        (root / rel).with_suffix(".txt").write_text(caption, encoding="utf-8")
    (root / "loraprep.toml").write_text(RECIPE, encoding="utf-8")
    ops.scan(root, min_size=16)
    return root


def captions_three_ways(root: Path, out: Path, capfd) -> dict[str, tuple[str, str, str]]:
    """Per image: the `caption` command's text, the exported caption file, the editor workspace's caption."""
    exported = {}
    export(root, out, fmt="kohya")
    for image in json.loads((out / "export.json").read_text(encoding="utf-8"))["images"]:
        rel = Path(image["source"]).relative_to(root).as_posix()
        exported[rel] = (out / image["output"]).with_suffix(".txt").read_text(encoding="utf-8")
    found = {}
    with Workspace(root) as ws:
        for f in ws.files(("active",)):
            result = invoke(capfd, "caption", root, f.path, "--json")
            assert result.returncode == 0, result.stderr
            verdict = ws.verdict(f.id)
            assert verdict == ws.result(f.id)  # names alone and Tag records: the same verdict
            found[f.path] = (json.loads(result.stdout)["caption"], exported[f.path], ws.caption(f.id))
    assert set(found) == set(CAPTIONS) == set(exported)
    return found


def test_a_rule_registered_once_is_applied_by_caption_export_and_the_editor_alike(dataset, tmp_path, capfd,
                                                                                monkeypatch):
    before = captions_three_ways(dataset, tmp_path / "before", capfd)
    at = [r.name for r in pipeline.RULES].index("blacklist") + 1
    monkeypatch.setattr(pipeline, "RULES", (*pipeline.RULES[:at], NoColours(), *pipeline.RULES[at:]))
    after = captions_three_ways(dataset, tmp_path / "after", capfd)

    for rel, (command, exported, editor) in after.items():
        assert command == exported == editor, rel
        tags = command.split(", ")
        kept_colours = [t for t in tags if t.split(" ")[0] in COLOURS]
        assert kept_colours == [t for t in ("green robe", "blue sky") if t in tags], rel  # fixed and protected
    assert after["knight/001.png"][0] == "hero, 1girl, solo, armor"
    assert after["knight/002.jpg"][0] == "hero, sword, smile"  # "Silver_Hair" is dropped once normalised
    assert after["mage/010.png"][0] == "hero, green robe, 1boy, staff, blue sky"
    assert after["mage/sub/011.png"] == before["mage/sub/011.png"]
    assert all(len(set(v)) == 1 for v in before.values())
    assert {rel for rel in CAPTIONS if after[rel] != before[rel]} == {
        "knight/001.png", "knight/002.jpg", "knight/003.webp", "mage/010.png"}

    why = invoke(capfd, "caption", dataset, "knight/003.webp", "--why", "--json")
    dropped = {d["tag"]: (d["rule"], d["why"]) for d in json.loads(why.stdout)["dropped"]}
    assert dropped["red hair"] == ("no_colours", "a colour: red")
    assert dropped.get("armor") is None
