"""Curation on the tagged sample: tags_report, curate diff/write with undo, caption evidence, batch edits, journal."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from loraprep.errors import DatasetError
from loraprep.ops.curate import caption, curate, edit_tags, tags_report
from loraprep.ops.edits import EditOp
from loraprep.ops.workspace import Workspace
from loraprep.store import journal
from tests.ops.sample_helpers import captions, clone, copy_sample, expected_base, journal_size, prepare, stored_scores

RECIPE = """\
trigger = ["lpsample"]
strategy = "all"

[tagger]
model = "../tiny_tagger"

[rules]
blacklist = ["square"]
aliases = { "star (symbol)" = "star" }
core_frequency = 0.5
order = "score"

[concepts.outfit_red]
fixed = ["red outfit"]

[concepts.outfit_blue]
fixed = ["blue outfit"]
"""


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """The sample with a recipe that prunes (blacklist + alias), scanned, deduplicated and tagged once."""
    return prepare(copy_sample(tmp_path_factory.mktemp("curate"), recipe=RECIPE))


@pytest.fixture
def sample(prepared, tmp_path, source_guard) -> Path:
    """A private copy of the prepared sample for a test that writes; its sources must stay untouched."""
    return source_guard(clone(prepared, tmp_path))


def ids_by_path(ws: Workspace) -> dict[str, int]:
    return {f.path: f.id for f in ws.files()}


def _image_id(root: Path, path: str) -> str:
    with Workspace(root) as ws:
        return ws.entry(ids_by_path(ws)[path]).file.image_id


def kept(ws: Workspace, path: str) -> dict:
    return {t.name: t for t in ws.result(ids_by_path(ws)[path]).kept}


# ---- tags_report -----------------------------------------------------------------------------------------------
def test_tags_report_counts_core_and_pruned(prepared):
    report = tags_report(prepared)
    stored = stored_scores(prepared)
    with Workspace(prepared) as ws:
        active = ws.files(("active",))
        imported = {f.image_id: journal.imported_tags(ws.store.conn, f.image_id) for f in active}
    by_concept: dict[str, Counter] = {}
    images: Counter = Counter()
    for f in active:
        images[f.concept] += 1
        tags = expected_base(stored[f.image_id], imported[f.image_id], 0.35)
        by_concept.setdefault(f.concept, Counter()).update(tags)
    assert [c["concept"] for c in report["concepts"]] == sorted(by_concept)
    for c in report["concepts"]:
        name = c["concept"]
        assert c["images"] == images[name]
        rows = {r["tag"]: r for r in c["tags"]}
        assert {t: r["count"] for t, r in rows.items()} == dict(by_concept[name])
        for tag, r in rows.items():
            assert r["frequency"] == round(r["count"] / images[name], 3)
            assert r["core"] == (r["count"] / images[name] >= 0.5), (name, tag)
        assert set(c["core"]) == {t for t, r in rows.items() if r["core"]}
        # every image with a blacklisted or aliased tag loses it to that rule
        if "square" in rows:
            assert rows["square"]["pruned"] == {"blacklist": rows["square"]["count"]}
        if "star (symbol)" in rows:
            assert rows["star (symbol)"]["pruned"] == {"aliases": rows["star (symbol)"]["count"]}
        assert rows["no humans"]["pruned"] == {}
    pruned = {r["tag"] for c in report["concepts"] for r in c["tags"] if r["pruned"]}
    assert {"square", "star (symbol)"} <= pruned
    assert any(not r["core"] for c in report["concepts"] for r in c["tags"])


def test_tags_report_concept_filter_top_and_unknown_concept(prepared):
    report = tags_report(prepared, concept="outfit_red", top=3)
    assert [c["concept"] for c in report["concepts"]] == ["outfit_red"]
    rows = report["concepts"][0]["tags"]
    assert len(rows) == 3 and rows[0]["count"] >= rows[-1]["count"]
    with pytest.raises(DatasetError, match="no active images in concept 'nope'"):
        tags_report(prepared, concept="nope")


# ---- curate --------------------------------------------------------------------------------------------------
def test_curate_diff_reports_per_rule_and_writes_nothing(prepared):
    before_journal, before_captions = journal_size(prepared), captions(prepared)
    report = curate(prepared)
    assert report["written"] is False and report["batch_id"] is None
    assert journal_size(prepared) == before_journal and captions(prepared) == before_captions
    removed = {(r["rule"], r["concept"]): r["removed"] for r in report["rules"]}
    counts = {c["concept"]: {r["tag"]: r["count"] for r in c["tags"]} for c in tags_report(prepared)["concepts"]}
    for concept, tags in counts.items():
        assert removed.get(("blacklist", concept), 0) == tags.get("square", 0)
        assert removed.get(("aliases", concept), 0) == tags.get("star (symbol)", 0)
    added = {(a["concept"], a["tag"]): a["images"] for a in report["added"]}
    assert added[("outfit_red", "red outfit")] == 10 and added[("outfit_red", "lpsample")] == 10


def test_curate_write_is_one_rule_batch_undoable_and_redoable(sample):
    before = captions(sample)
    batches = journal_size(sample)[0]
    report = curate(sample, write=True)
    assert report["written"] and report["batch_id"]
    assert journal_size(sample)[0] == batches + 1
    with Workspace(sample) as ws:
        newest = ws.history(limit=1)[0]
    assert (newest.id, newest.source, newest.state) == (report["batch_id"], "rule", "done")
    after = captions(sample)
    assert {p: set(c.split(", ")) for p, c in after.items()} == {p: set(c.split(", ")) for p, c in before.items()}
    assert curate(sample)["images_changed"] == 0  # the recorded result is a fixed point of the rules

    with Workspace(sample) as ws:
        assert ws.undo()["batch_id"] == report["batch_id"]
    assert captions(sample) == before
    with Workspace(sample) as ws:
        assert ws.redo()["state"] == "done"
    assert captions(sample) == after


def test_curate_write_does_not_freeze_the_trigger(sample):
    report = curate(sample, write=True)
    assert report["written"]  # the blacklist and the alias give it something to record
    recipe = sample / "loraprep.toml"
    recipe.write_text(recipe.read_text(encoding="utf-8").replace('trigger = ["lpsample"]', 'trigger = ["newtrig"]'),
                      encoding="utf-8")
    for path, cap in captions(sample).items():
        tags = cap.split(", ")
        assert tags[0] == "newtrig" and "lpsample" not in tags, path


def test_curate_write_keeps_the_exact_captions(sample):
    before = captions(sample)
    curate(sample, write=True)
    assert captions(sample) == before


# ---- caption --why -----------------------------------------------------------------------------------------------
def test_caption_why_gives_the_evidence_of_every_tag(sample):
    stored = stored_scores(sample)
    with Workspace(sample) as ws:
        ids = ids_by_path(ws)
        ws.apply_edit(EditOp("add", ("blurry",)), [ids["outfit_red/red_02.jpg"]])
        ws.apply_edit(EditOp("remove", ("white background",)), [ids["outfit_red/red_02.jpg"]])
        image_id = ws.entry(ids["outfit_red/red_02.jpg"]).file.image_id
    data = caption(sample, "outfit_red/red_02.jpg", why=True)
    kept = {t["tag"]: t for t in data["kept"]}
    assert data["caption"] == ", ".join(t["tag"] for t in data["kept"])
    assert kept["lpsample"]["origin"] == "rule:trigger" and kept["red outfit"]["origin"] == "rule:fixed"
    # red_02.txt (with a BOM) says red theme; the tagger agrees, and its score is shown with the file as origin
    assert kept["red theme"]["source"] == "import" and kept["red theme"]["origin"] == "file:outfit_red/red_02.txt"
    score = {t: s for t, _c, s in stored[image_id]}
    assert kept["red theme"]["score"] == pytest.approx(score["red theme"])
    assert kept["blurry"]["source"] == "user" and kept["blurry"]["score"] is None
    assert data["removed_by_you"] == ["white background"] and "white background" not in kept
    plain_tagged = caption(sample, "outfit_red/red_04.jpg", why=True)  # no caption file: every tag is the tagger's
    score_04 = {t: s for t, _c, s in stored[_image_id(sample, "outfit_red/red_04.jpg")]}
    tagger_tags = [t for t in plain_tagged["kept"] if t["source"] == "tagger"]
    assert len(tagger_tags) >= 3 and all(t["origin"] == "tagger" for t in tagger_tags)
    assert all(t["score"] == pytest.approx(score_04[t["tag"]]) for t in tagger_tags)

    dropped = {t["tag"]: t for t in caption(sample, "outfit_blue/blue_01.jpg", why=True)["dropped"]}
    assert dropped["square"]["rule"] == "blacklist" and dropped["square"]["why"] == "blacklisted"
    assert dropped["star (symbol)"]["rule"] == "aliases" and dropped["star (symbol)"]["why"] == "-> star"
    plain = caption(sample, "outfit_blue/blue_01.jpg")
    assert "kept" not in plain and "star" in plain["caption"].split(", ")
    with pytest.raises(DatasetError, match="no image"):
        caption(sample, "outfit_red/nope.jpg")


# ---- batch edits ---------------------------------------------------------------------------------------------
def test_edit_tags_dry_run_writes_nothing_and_apply_matches_it(sample):
    size = journal_size(sample)
    dry = edit_tags(sample, EditOp("add", ("blurry",)))
    assert dry["applied"] is False and dry["changed"] == dry["selected"] > 0
    assert journal_size(sample) == size
    done = edit_tags(sample, EditOp("add", ("blurry",)), apply=True)
    assert done["applied"] and done["changed"] == dry["changed"]
    assert journal_size(sample)[0] == size[0] + 1
    assert all("blurry" in c.split(", ") for c in captions(sample).values())
    again = edit_tags(sample, EditOp("add", ("blurry",)))
    assert again["changed"] == 0


def test_replace_and_consolidate(sample):
    before = captions(sample)
    edit_tags(sample, EditOp("replace", ("circle",), "round"), apply=True)
    after = captions(sample)
    for path, cap in before.items():
        tags, new = cap.split(", "), after[path].split(", ")
        assert "circle" not in new
        assert ("round" in new) == ("circle" in tags), path
    edit_tags(sample, EditOp("consolidate", ("round", "triangle"), "shape"), apply=True)
    final = captions(sample)
    for path, cap in after.items():
        tags, new = cap.split(", "), final[path].split(", ")
        assert not {"round", "triangle"} & set(new)
        assert ("shape" in new) == bool({"round", "triangle"} & set(tags)), path
        assert new.count("shape") <= 1


def test_user_remove_beats_tagger_import_and_rules(sample):
    with Workspace(sample) as ws:
        ids = ids_by_path(ws)
        red_04, red_02 = ids["outfit_red/red_04.jpg"], ids["outfit_red/red_02.jpg"]
        assert "red theme" in kept(ws, "outfit_red/red_04.jpg")  # tagger, score ~1
        assert kept(ws, "outfit_red/red_02.jpg")["red theme"].source == "import"
        result = ws.apply_edit(EditOp("remove", ("red theme", "lpsample", "red outfit")), [red_04, red_02])
        assert result["changed"] == 2
        for path in ("outfit_red/red_04.jpg", "outfit_red/red_02.jpg"):
            assert not {"red theme", "lpsample", "red outfit"} & set(kept(ws, path)), path
        assert "lpsample" in kept(ws, "outfit_red/red_01.jpg")  # only the selected images
    # an alias target (a tag only a rule produced) can be removed too
    with Workspace(sample) as ws:
        blue_01 = ids_by_path(ws)["outfit_blue/blue_01.jpg"]
        assert "star" in kept(ws, "outfit_blue/blue_01.jpg")
        assert ws.apply_edit(EditOp("remove", ("star",)), [blue_01])["changed"] == 1
        assert "star" not in kept(ws, "outfit_blue/blue_01.jpg")


def test_user_pin_and_add_survive_the_blacklist(sample):
    with Workspace(sample) as ws:
        ids = ids_by_path(ws)
        assert "square" not in kept(ws, "outfit_red/red_02.jpg")  # blacklisted
        ws.apply_edit(EditOp("pin", ("square",)), [ids["outfit_red/red_02.jpg"]])
        ws.apply_edit(EditOp("add", ("square",)), [ids["outfit_red/red_04.jpg"]])
        pinned = kept(ws, "outfit_red/red_02.jpg")["square"]
        assert pinned.pinned and "square" in kept(ws, "outfit_red/red_04.jpg")
        assert "square" not in kept(ws, "outfit_red/red_05.jpg")
        ws.apply_edit(EditOp("unpin", ("square",)), [ids["outfit_red/red_02.jpg"]])
        assert not kept(ws, "outfit_red/red_02.jpg")["square"].pinned  # unpinned, still the user's tag


def test_exclude_include_and_moves_are_undoable(sample):
    from loraprep.ops.plan import plan

    def rows():
        return {(r["concept"], r["tier"]): r["images"] for r in plan(sample)["rows"]}

    start = rows()
    with Workspace(sample) as ws:
        fid = ids_by_path(ws)["outfit_red/red_04.jpg"]
        ws.apply_edit(EditOp("exclude"), [fid])
        assert ws.entry(fid).file.status == "excluded"
    assert rows()[("outfit_red", "")] == start[("outfit_red", "")] - 1
    assert "outfit_red/red_04.jpg" not in captions(sample)
    with Workspace(sample) as ws:
        ws.undo()
        assert ws.entry(fid).file.status == "active"
        ws.apply_edit(EditOp("concept", (), "outfit_blue"), [fid])
        assert ws.entry(fid).file.concept == "outfit_blue"
        assert ws.caption(fid).startswith("lpsample, blue outfit, ")
    assert rows()[("outfit_blue", "")] == start[("outfit_blue", "")] + 1
    with Workspace(sample) as ws:
        ws.undo()
        assert ws.entry(fid).file.concept == "outfit_red" and ws.caption(fid).startswith("lpsample, red outfit, ")
        ws.apply_edit(EditOp("tier", (), "primary"), [fid])
    assert rows()[("outfit_red", "primary")] == 1
    with Workspace(sample) as ws:
        ws.undo()
    assert rows() == start
    with Workspace(sample) as ws:
        ws.apply_edit(EditOp("exclude"), [fid])
        ws.apply_edit(EditOp("include"), [fid])
        assert ws.entry(fid).file.status == "active"


def test_journal_persists_across_a_new_workspace(sample):
    with Workspace(sample) as ws:
        fid = ids_by_path(ws)["outfit_red/red_04.jpg"]
        ws.apply_edit(EditOp("add", ("blurry",)), [fid])
        edited = ws.caption(fid)
    with Workspace(sample) as ws:  # a restart: everything comes back from the store
        assert ws.caption(fid) == edited and "blurry" in edited.split(", ")
        assert ws.history(limit=1)[0].label == "add blurry"
        ws.undo()
    with Workspace(sample) as ws:
        assert "blurry" not in ws.caption(fid).split(", ")
        assert ws.history(limit=1)[0].state == "undone"
        ws.redo()
    with Workspace(sample) as ws:
        assert ws.caption(fid) == edited
    with pytest.raises(DatasetError, match="nothing to redo"):
        with Workspace(sample) as ws:
            ws.redo()


def test_edit_tags_where_selects_by_concept_tag_and_negation(sample):
    with Workspace(sample) as ws:
        red = [f for f in ws.files(("active",)) if f.concept == "outfit_red"]
        with_circle = {f.path for f in red if "circle" in {t.name for t in ws.result(f.id).kept}}
        without_circle = {f.path for f in red} - with_circle
    assert with_circle and without_circle
    dry = edit_tags(sample, EditOp("add", ("round",)), where='concept:outfit_red AND "circle"')
    assert dry["selected"] == len(with_circle) and dry["changed"] == len(with_circle)
    edit_tags(sample, EditOp("add", ("angular",)), where="concept:outfit_red AND NOT circle", apply=True)
    after = captions(sample)
    assert {p for p, c in after.items() if "angular" in c.split(", ")} == without_circle


def test_edit_tags_where_by_stored_score(sample):
    stored = stored_scores(sample)
    with Workspace(sample) as ws:
        want = {f.path for f in ws.files() if f.image_id
                and any(t == "red theme" and s > 0.5 for t, _c, s in stored.get(f.image_id, ()))}
    dry = edit_tags(sample, EditOp("add", ("x",)), where='score("red theme")>0.5')
    assert dry["selected"] == len(want) and want


def test_undo_then_redo_restores_every_caption_after_mixed_edits(sample):
    with Workspace(sample) as ws:
        ids = ids_by_path(ws)
        ws.apply_edit(EditOp("consolidate", ("circle", "triangle"), "shape"), list(ids.values()))
        ws.apply_edit(EditOp("pin", ("square",)), [ids["outfit_red/red_02.jpg"]])
    edited = captions(sample)
    with Workspace(sample) as ws:
        ws.undo()
        ws.undo()
    with Workspace(sample) as ws:
        ws.redo()
        ws.redo()
    assert captions(sample) == edited


def test_add_at_the_front_puts_the_tag_after_the_slots_whatever_the_order(sample):
    with Workspace(sample) as ws:
        ids = ws.select("concept:outfit_red")
        result = ws.apply_edit(EditOp("add", ("zz front",), position="front"), ids)
        assert result["changed"] == len(ids) and result["edit"] == "add at the front zz front"
        for fid in ids:
            names = ws.verdict(fid).names
            assert names[:3] == ("lpsample", "red outfit", "zz front"), names
            assert [t.name for t in ws.result(fid).kept][:3] == list(names[:3])  # the evidence path agrees
        plain = ws.apply_edit(EditOp("add", ("zz plain",)), ids)
        assert plain["changed"] == len(ids)
        # adding it again at the front changes nothing; a shown tag added at the front moves there
        assert ws.apply_edit(EditOp("add", ("zz front",), position="front"), ids)["batch_id"] is None
        moved = ws.apply_edit(EditOp("add", ("zz plain",), position="front"), ids[:1])
        assert moved["changed"] == 1 and ws.verdict(ids[0]).names[2:4] == ("zz front", "zz plain")
    with Workspace(sample) as fresh:  # the place is in the journal, not only in memory
        assert fresh.verdict(ids[0]).names[:4] == ("lpsample", "red outfit", "zz front", "zz plain")
        fresh.undo()
        assert fresh.verdict(ids[0]).names[2] == "zz front" and "zz plain" in fresh.verdict(ids[0]).names[3:]
    with pytest.raises(Exception, match="not possible for 'remove'"):
        EditOp("remove", ("x",), position="front")


# ---- one image with a huge caption: linear, counted in comparisons (not timed) ----------------------------------
class CountedName(str):
    """A tag name that counts how often it is compared by value (a set or dict lookup of the same object is not)."""

    compared = 0

    def __eq__(self, other):
        CountedName.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


@pytest.mark.parametrize("order", ["score", "alphabetical", "shuffle"])
def test_rules_and_the_curate_diff_on_one_huge_caption_are_not_quadratic(order):
    from loraprep.model.recipe import ConceptRecipe, RuleSettings
    from loraprep.model.tags import LeanBase
    from loraprep.ops.curate import recorded_ops
    from loraprep.rules.pipeline import apply_rules_lean

    counts = []
    for n, word in ((3_000, "small"), (12_000, "large")):  # new names each time: the rules' memos start empty
        concept = ConceptRecipe(name="c", trigger=("mychar",), fixed=(f"tag 00007 {word}",),
                                rules=RuleSettings(max_tags=25, order=order, blacklist=(f"tag 00003 {word}",),
                                                   aliases=((f"tag 00005 {word}", "renamed"),)))
        names = tuple(CountedName(f"tag {i:05d} {word}") for i in range(n))
        base = LeanBase(names, tuple(None if i % 3 else 0.5 + (i % 97) / 200 for i in range(n)),
                        sources=("import",) * n, origins=("file:c/001.txt",) * n)
        CountedName.compared = 0
        verdict = apply_rules_lean(base, concept, seed_key="img")
        ops = recorded_ops(verdict, base)
        counts.append(CountedName.compared)
        assert len(verdict.names) == 25 and verdict.names[:2] == ("mychar", f"tag 00007 {word}")
        # recorded: the blacklisted tag and every tag of the image max_tags cut ("renamed" is not one: aliases
        # stay live, and the alias's own drop is not recorded)
        assert [op for op in ops if op[2] != "rule:max_tags"] == [(f"tag 00003 {word}", "remove", "rule:blacklist")]
        assert len(ops) == 1 + sum(1 for d in verdict.dropped if d[1] == "max_tags" and d[0] != "renamed")
    # Sorting compares names about n*log(n) times (ties); a quadratic step compares them ~n*n/2 times.
    assert counts[1] <= 6 * max(counts[0], 1) and counts[1] <= 2 * 12_000 * 14, counts
