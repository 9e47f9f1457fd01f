"""`tags` and `curate --diff` over the packed read give the per-image Workspace's answers, on generated stores
with caption imports, the user's edits, a written curate batch, shared and unreadable images, and varied recipes."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest

from loraprep.model.tags import FRONT
from loraprep.ops.curate import _curate_per_image, curate, tags_report
from loraprep.ops.workspace import Workspace
from loraprep.rules.categories import trait_of
from loraprep.store import journal
from loraprep.store.db import now, open_store
from loraprep.store.tags import write_scores
from tests.rules.tagsets import VOCAB

MODEL = "SmilingWolf/wd-vit-tagger-v3@test"
CHARACTERS = ["kafka (honkai: star rail)", "hatsune miku", "character x (series y)"]
COPYRIGHTS = ["honkai: star rail", "vocaloid"]
RECIPES = {
    "defaults": 'trigger = ["mychar"]\n[rules]\nmax_tags = 12\n[concepts.gamma.rules]\norder = "original"\n',
    "busy": """trigger = ["mychar", "MyChar"]
fixed = ["school uniform"]
strategy = "absorb"
keep_tokens = 2
[tagger]
use = "if-empty"
general = 0.3
[rules]
blacklist = ["re:^blu", "* background", "cup"]
protect = ["smile", "watermark"]
consolidate = { "frilled panties" = ["panties", "white panties"] }
order = "alphabetical"
max_tags = 8
core_frequency = 0.2
[concepts.beta]
strategy = "only-learned"
learned = ["long hair", "hat"]
[concepts.beta.rules]
prune_mode = "character"
drop_difficulty = 2
order = "score"
[concepts.gamma.rules]
order = "shuffle"
seed = 3
""",
    "core": """trigger = ["zz"]
[tagger]
use = "never"
[rules]
drop_all_core = true
core_frequency = 0.3
overlap = false
default_blacklist = false
order = "original"
[concepts.alpha.rules]
prune_mode = "character_core"
overlap = true
""",
}


def _vocabulary(rng: random.Random) -> list[tuple[str, str]]:
    general = [n for n in VOCAB if n not in CHARACTERS and n not in COPYRIGHTS] + [f"tail {i}" for i in range(60)]
    vocab = [(n, "general") for n in general] + [(n, "character") for n in CHARACTERS]
    vocab += [(n, "copyright") for n in COPYRIGHTS] + [("hatsune miku", "general"), ("general", "rating")]
    rng.shuffle(vocab)
    return vocab


def build_store(root: Path, recipe: str, seed: int, n: int = 160) -> Path:
    """A tagged store of ``n`` images over three concepts, with imports, edits and (even seeds) a written curate
    batch."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    (root / "loraprep.toml").write_text(recipe, encoding="utf-8")
    vocab = _vocabulary(rng)
    at = now()
    image_ids = []
    with open_store(root, create=True) as store, store.write() as conn:
        for i in range(n):
            image_id = hashlib.sha256(f"{seed}-{i}".encode()).hexdigest()
            concept = ("alpha", "beta", "gamma")[i % 3]
            shared = i % 37 == 5 and image_ids   # a second file with the same bytes as an earlier one
            if shared:
                image_id = image_ids[-1]
            else:
                conn.execute("INSERT INTO images (id, width, height, format, mode) VALUES (?,?,?,?,?)",
                             (image_id, 1024, 1024, "PNG", "RGB"))
                drawn = rng.sample(vocab, rng.randint(0, 30))
                scores = sorted((rng.uniform(0.05, 1.0) for _t in drawn), reverse=True)
                write_scores(conn, image_id, MODEL, [(t, c, s) for (t, c), s in zip(drawn, scores)])
            unreadable = i % 41 == 7
            status = "excluded" if i % 23 == 3 else "active"
            conn.execute("INSERT INTO files (path, image_id, concept, tier, size, mtime_ns, status, reason, small,"
                         " caption_path, first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                         (f"{concept}/{rng.randrange(10**6):06d}-{i}.png", None if unreadable else image_id, concept,
                          "", 1000, 1, status, "", 0, None, at, at))
            if not unreadable:
                image_ids.append(image_id)
        names = [t for t, _c in vocab] + ["Long_Hair", " Smile ", "not in vocab", "mychar"]
        imports = []
        for image_id in dict.fromkeys(image_ids):
            if rng.random() < 0.4:
                imports += [journal.TagOp(image_id, t, "add", "file:x.txt") for t in rng.sample(names, rng.randint(1, 9))]
        journal.record_batch(conn, "import captions", "import", imports)
        gone = [journal.TagOp(o.image_id, o.tag, "remove", "file:x.txt") for o in imports if rng.random() < 0.05]
        journal.record_batch(conn, "import captions again", "import", gone)
    with Workspace(root) as ws:  # the user's edits and a written curate batch, as the commands record them
        ops = []
        for image_id in rng.sample(image_ids, len(image_ids) // 5):
            tag = rng.choice(names)
            op = rng.choice(["add", "add", "remove", "pin"])
            ops.append(journal.TagOp(image_id, tag, op, FRONT if op == "add" and rng.random() < 0.3 else "user"))
        with ws.store.write() as conn:
            journal.record_batch(conn, "edits", "user", ops)
    if seed % 2 == 0:   # most images then carry a rule's word, and take the per-image path
        _curate_per_image(root, write=True)
    with open_store(root) as store, store.write() as conn:  # and an edit after the curate batch
        journal.record_batch(conn, "more edits", "user",
                             [journal.TagOp(i, rng.choice(names), "remove") for i in rng.sample(image_ids, 9)])
    return root


def reference_tags(root: Path) -> dict:
    """What `tags` said when it asked the Workspace for each image's verdict (all tags, not a top N)."""
    from collections import Counter, defaultdict

    with Workspace(root) as ws:
        stats = ws.concept_stats()
        out = {}
        for name, st in stats.items():
            pruned = defaultdict(Counter)
            for f in ws.files(statuses=("active",)):
                if f.concept == name:
                    for tag, rule, _why, _by_user in ws.verdict(f.id).dropped:
                        pruned[tag][rule] += 1
            out[name] = {"images": st.images, "core": sorted(st.core),
                         "tags": {t: {"count": c, "frequency": round(c / st.images, 3), "core": t in st.core,
                                      "category": ws.categories.get(t, "general"),
                                      "trait": trait_of(t)[0] if trait_of(t) else None,
                                      "pruned": dict(pruned.get(t, {}))} for t, c in st.counts.items()}}
        return out


@pytest.mark.parametrize("recipe", sorted(RECIPES))
@pytest.mark.parametrize("seed", [1, 2])
def test_tags_and_curate_diff_give_the_per_image_answers(tmp_path, recipe, seed):
    root = build_store(tmp_path / "data", RECIPES[recipe], seed)
    assert curate(root) == _curate_per_image(root)
    report = tags_report(root, top=None)
    got = {c["concept"]: {"images": c["images"], "core": c["core"],
                          "tags": {r.pop("tag"): r for r in c["tags"]}} for c in report["concepts"]}
    assert got == reference_tags(root)
    assert json.dumps(report)  # plain data for --json


def test_a_threshold_asked_now_and_one_concept(tmp_path):
    root = build_store(tmp_path / "data", RECIPES["defaults"], 3)
    report = tags_report(root, concept="beta", general=0.6, top=5)
    with Workspace(root) as ws:
        ws.set_thresholds(general=0.6)
        st = ws.concept_stats()["beta"]
        assert [c["concept"] for c in report["concepts"]] == ["beta"]
        rows = report["concepts"][0]["tags"]
        assert {r["tag"]: r["count"] for r in rows} == {r["tag"]: st.counts[r["tag"]] for r in rows}
        assert [r["count"] for r in rows] == sorted(st.counts.values(), reverse=True)[:5]
        assert report["thresholds"]["general"] == 0.6 and report["thresholds"]["general_from"] == "asked now"
