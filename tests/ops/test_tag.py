"""tag() end to end on a copy of the sample with the tiny tagger: scores kept, incremental, thresholds as a query."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from loraprep import ops
from loraprep.store import journal
from loraprep.store.db import open_store
from loraprep.store.runs import last_run
from tests.conftest import make_image
from tests.ops.sample_helpers import active_images, copy_sample, expected_base, prepare, stored_scores

# Two gradient pictures the tiny tagger is unsure about: their scores sit between 0.05 and 0.99, which the
# sample's clean drawings never give, so thresholds and MCut have something to decide.
UNSURE = {"extra/gray.png": (128, 128, 128), "extra/green.png": (20, 200, 30), "extra/red.png": (200, 30, 30)}


@pytest.fixture(scope="module")
def tagged(tmp_path_factory) -> Path:
    """The sample plus the unsure pictures, scanned and tagged once; tests here only read it."""
    root = copy_sample(tmp_path_factory.mktemp("tagged"))
    for rel, color in UNSURE.items():
        make_image(root / rel, (256, 256), color=color)
    prepare(root, dedup=False)
    return root


def forbid_inference(monkeypatch) -> None:
    """Any attempt to load or run a model fails the test."""
    import onnxruntime

    from loraprep.inference import session
    from loraprep.tagging import pipeline

    def boom(*_a, **_k):
        raise AssertionError("the tagger model was loaded or run")

    monkeypatch.setattr(pipeline.Tagger, "predict", boom)
    monkeypatch.setattr(pipeline, "load_tagger", boom)
    monkeypatch.setattr(session, "open_session", boom)
    monkeypatch.setattr(onnxruntime.InferenceSession, "run", boom)


def test_every_score_from_005_is_stored_for_every_active_image(tagged):
    from loraprep.tagging.pipeline import load_tagger, tag_images

    active = active_images(tagged)
    stored = stored_scores(tagged)
    assert set(stored) == set(active)  # every active image, and the failed one is not tagged
    with open_store(tagged) as store:
        failed = store.query("SELECT image_id FROM files WHERE status='failed'")
    assert failed and all(r[0] not in stored for r in failed)
    assert min(s for rows in stored.values() for _t, _c, s in rows) >= 0.05
    assert any(0.05 <= s < 0.35 for rows in stored.values() for _t, _c, s in rows), "low scores must be kept too"
    # The stored rows are exactly what the model gives at 0.05, not only what passed a threshold.
    model = load_tagger(str(tagged.parent / "tiny_tagger"))
    items = [(iid, tagged / path) for iid, path in active.items() if path.startswith("extra/")]
    for result in tag_images(model, items):
        fresh = {t: (c, s) for t, c, s in result.scores}
        saved = {t: (c, s) for t, c, s in stored[result.image_id]}
        assert fresh.keys() == saved.keys()
        assert all(fresh[t][0] == saved[t][0] and abs(fresh[t][1] - saved[t][1]) < 1e-5 for t in fresh)


def test_second_run_skips_everything_unless_forced(tagged, monkeypatch):
    n = len(active_images(tagged))
    with monkeypatch.context() as m:
        forbid_inference_predict_only(m)
        again = ops.tag(tagged)
    assert again["tagged"] == 0 and again["skipped"] == n and again["failed"] == 0
    forced = ops.tag(tagged, force=True)
    assert forced["tagged"] == n and forced["skipped"] == 0
    assert set(stored_scores(tagged)) == set(active_images(tagged))


def forbid_inference_predict_only(monkeypatch) -> None:
    # Loading is allowed (the run needs the model@revision key); running the model is not.
    from loraprep.tagging import pipeline

    def boom(*_a, **_k):
        raise AssertionError("an already tagged image was run through the model")

    monkeypatch.setattr(pipeline.Tagger, "predict", boom)


def test_forbid_inference_would_notice_a_model_run(tagged, monkeypatch):
    forbid_inference(monkeypatch)
    with pytest.raises(AssertionError, match="loaded or run"):
        ops.tag(tagged, force=True)


def test_threshold_change_is_a_query_not_a_rerun(tagged, monkeypatch):
    from loraprep.ops.workspace import Workspace

    forbid_inference(monkeypatch)
    stored = stored_scores(tagged)
    changed = 0
    with Workspace(tagged) as ws:
        imported = {iid: journal.imported_tags(ws.store.conn, iid) for iid in stored}
        before = {f.image_id: {t.name for t in ws.base(f.id)} for f in ws.files(("active",))}
        ws.set_thresholds(general=0.9)
        after = {f.image_id: {t.name for t in ws.base(f.id)} for f in ws.files(("active",))}
    for iid, scores in stored.items():
        assert before[iid] == expected_base(scores, imported[iid], 0.35)
        assert after[iid] == expected_base(scores, imported[iid], 0.9)
        changed += before[iid] != after[iid]
    assert changed >= 2  # the unsure pictures have tags between 0.35 and 0.9


def test_threshold_change_through_the_cli_runs_no_model(tagged, monkeypatch, capsys):
    from loraprep.cli.app import main

    forbid_inference(monkeypatch)

    def counts(*args) -> dict[str, int]:
        with pytest.raises(SystemExit) as exit_info:
            main(["tags", str(tagged), "--concept", "extra", "--json", *args])
        assert exit_info.value.code == 0
        report = json.loads(capsys.readouterr().out)
        return {row["tag"]: row["count"] for row in report["concepts"][0]["tags"]}

    default, strict = counts(), counts("--general", "0.9")
    stored = stored_scores(tagged)
    extra_ids = [iid for iid, path in active_images(tagged).items() if path.startswith("extra/")]
    for tag_name in set(default) | set(strict):
        want = sum(1 for iid in extra_ids for t, c, s in stored[iid] if t == tag_name and c != "rating" and s >= 0.9)
        assert strict.get(tag_name, 0) == want, tag_name
    assert default != strict


def test_mcut_uses_each_images_largest_gap(tagged, monkeypatch):
    from loraprep.ops.workspace import Workspace

    forbid_inference(monkeypatch)
    stored = stored_scores(tagged)
    differs = 0
    with Workspace(tagged) as ws:
        ws.set_thresholds(general=0.99)  # MCut must replace this, not add to it
        strict = {f.image_id: {t.name for t in ws.base(f.id) if t.source == "tagger"}
                  for f in ws.files(("active",))}
        ws.set_thresholds(mcut=True)
        for f in ws.files(("active",)):
            general = sorted((s for t, c, s in stored[f.image_id] if c not in ("character", "rating")), reverse=True)
            values = general + [0.0]
            gap = max(range(len(values) - 1), key=lambda i: values[i] - values[i + 1])
            cut = (values[gap] + values[gap + 1]) / 2
            want = {t for t, c, s in stored[f.image_id] if c not in ("character", "rating") and s >= cut}
            want |= {t for t, c, s in stored[f.image_id] if c == "character" and s >= 0.85}
            got = {t.name for t in ws.base(f.id) if t.source == "tagger"}
            assert got <= want and want - got <= set(journal.imported_tags(ws.store.conn, f.image_id))
            differs += got != strict[f.image_id]
    assert differs >= 1


def test_rating_is_stored_but_not_captioned_unless_asked(tagged):
    from loraprep.ops.workspace import Workspace

    stored = stored_scores(tagged)
    ratings = {"general", "sensitive", "questionable", "explicit"}
    assert all(any(c == "rating" for _t, c, _s in rows) for rows in stored.values())
    with Workspace(tagged) as ws:
        files = ws.files(("active",))
        assert all(not ratings & set(ws.caption(f.id).split(", ")) for f in files)
        ws.set_thresholds(include_rating=True)
        for f in files:
            best = max((r for r in stored[f.image_id] if r[1] == "rating"), key=lambda r: r[2])[0]
            shown = ratings & set(ws.caption(f.id).split(", "))
            assert shown == {best}


def test_kaomoji_keeps_its_underscore_and_others_become_spaces(tagged):
    from loraprep.ops.workspace import Workspace

    stored = stored_scores(tagged)
    names = {t for rows in stored.values() for t, _c, _s in rows}
    assert "^_^" in names and "star (symbol)" in names and not any("_" in n for n in names - {"^_^"})
    with Workspace(tagged) as ws:
        blobby = [f for f in ws.files(("active",)) if f.concept == "blobby"]
        assert blobby
        for f in blobby:
            tags = ws.caption(f.id).split(", ")
            assert "^_^" in tags and "^ ^" not in tags


def test_character_tag_on_blobby_images_only(tagged):
    from loraprep.ops.workspace import Workspace

    with Workspace(tagged) as ws:
        for f in ws.files(("active",)):
            kept = {t.name: t for t in ws.result(f.id).kept}
            if f.concept == "blobby":
                tag = kept.get("blobby (loraprep)")
                assert tag is not None and tag.category == "character", f.path
                assert tag.score is not None and tag.score >= 0.85
            elif f.concept.startswith("outfit"):
                assert "blobby (loraprep)" not in kept, f.path


def test_interrupted_run_keeps_what_was_committed_and_resumes(tmp_path, monkeypatch):
    from loraprep.tagging import pipeline

    root = copy_sample(tmp_path)
    ops.scan(root)
    total = len(active_images(root))
    monkeypatch.setattr(importlib.import_module("loraprep.ops.tag"), "COMMIT_EVERY", 3)
    real = pipeline.tag_images
    yielded: list[str] = []

    def interrupted(*args, **kwargs):
        for i, result in enumerate(real(*args, **kwargs)):
            if i == 7:
                raise KeyboardInterrupt
            yielded.append(result.image_id)
            yield result

    monkeypatch.setattr(pipeline, "tag_images", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ops.tag(root)
    committed = set(stored_scores(root))
    assert set(yielded[:6]) <= committed <= set(yielded)  # at least the two full commits, nothing invented
    with open_store(root) as store:
        assert last_run(store, "tag")["outcome"] == "interrupted"

    monkeypatch.setattr(pipeline, "tag_images", real)
    rerun_ids: list[str] = []

    def recording(tagger, items, **kwargs):
        items = list(items)
        rerun_ids.extend(iid for iid, _ in items)
        return real(tagger, items, **kwargs)

    monkeypatch.setattr(pipeline, "tag_images", recording)
    report = ops.tag(root)
    assert report["skipped"] == len(committed) and report["tagged"] == total - len(committed)
    assert not set(rerun_ids) & committed
    assert set(stored_scores(root)) == set(active_images(root))


def _cli(*args: str) -> subprocess.CompletedProcess:
    import os

    env = {k: v for k, v in os.environ.items() if k != "LORAPREP_DEBUG"}
    env["HF_HUB_OFFLINE"] = "1"
    return subprocess.run([sys.executable, "-m", "loraprep", *args], capture_output=True, text=True, env=env)


@pytest.mark.parametrize("model", ["wd-no-such-model", "missing_models/tagger_dir", "__EMPTY__"])
def test_bad_model_is_one_clean_model_error(tagged, tmp_path, model):
    if model == "__EMPTY__":  # a folder without model.onnx
        (tmp_path / "empty_model").mkdir()
        model = str(tmp_path / "empty_model")
    r = _cli("tag", str(tagged), "--model", model)
    assert r.returncode == 1, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: ") and lines[1].startswith("hint: "), r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_a_file_gone_since_the_scan_is_reported_and_the_rest_tagged(tmp_path):
    root = copy_sample(tmp_path)
    ops.scan(root)
    (root / "outfit_red" / "red_08.jpg").unlink()
    report = ops.tag(root)
    assert report["failed"] == 1 and report["tagged"] == len(active_images(root)) - 1
    assert report["errors"] == [{"path": "outfit_red/red_08.jpg", "error": "file not found"}]


def test_ctrl_c_in_the_cli_exits_130_with_one_line(tmp_path, monkeypatch, capfd):
    from loraprep.cli.app import main
    from loraprep.tagging import pipeline

    root = copy_sample(tmp_path)
    ops.scan(root)

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt
        yield  # a generator, like the real one

    monkeypatch.setattr(pipeline, "tag_images", interrupted)
    monkeypatch.delenv("LORAPREP_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        main(["tag", str(root), "--json"])
    out, err = capfd.readouterr()
    assert exit_info.value.code == 130 and out == ""
    assert err.startswith("interrupted: ") and "hint: " in err and "Traceback" not in err
