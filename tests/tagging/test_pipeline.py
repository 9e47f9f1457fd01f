"""End to end on the tiny demo tagger: right tags on the sample, errors as data, and contract sensitivity."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image

from loraprep.model.tagname import display_name
from loraprep.tagging.pipeline import TagResult, choose_batch_size, tag_images
from loraprep.model.thresholds import select_tags
from loraprep.tagging.postprocess import scores_above
from loraprep.tagging.preprocess import pad_resize, prepare, to_rgb_on_white
from tests.tagging.conftest import SAMPLE_DIR


def tags_of(tagger, tensor: np.ndarray, **thresholds) -> dict[str, float]:
    probs = tagger.predict(tensor[None])[0]
    names = [n for n, _ in tagger.vocabulary]
    cats = [c for _, c in tagger.vocabulary]
    return {n: s for n, _, s in select_tags(scores_above(probs, names, cats), **thresholds)}


@pytest.fixture(scope="module")
def sample_results(tiny, make_sample):
    items = [(rel, SAMPLE_DIR / rel) for rel in sorted(make_sample.expected())]
    return {r.image_id: r for r in tag_images(tiny, items, device="cpu")}


def test_tiny_tagger_has_the_wd_contract(tiny):
    assert tiny.input_size == 64
    assert tiny.key.startswith("tiny_tagger@")
    cats = {c for _, c in tiny.vocabulary}
    assert cats == {"rating", "general", "character"}
    names = [n for n, _ in tiny.vocabulary]
    assert "^_^" in names and "star (symbol)" in names and "white background" in names


def test_sample_is_what_make_sample_plans(make_sample):
    on_disk = {p.relative_to(SAMPLE_DIR).as_posix() for p in SAMPLE_DIR.rglob("*")
               if p.suffix in (".jpg", ".png", ".webp") and ".loraprep" not in p.relative_to(SAMPLE_DIR).parts}
    assert on_disk == set(make_sample.expected())


def test_every_sample_image_gets_exactly_its_tags(sample_results, make_sample):
    for rel, expected in make_sample.expected().items():
        result = sample_results[rel]
        if expected is None:
            continue
        got = {n for n, _, _ in select_tags(result.scores)}
        want = {display_name(t) for t in expected} - {"general"}  # the rating stays out of the tags
        assert got == want, rel


def test_corrupt_file_is_an_error_result_not_an_exception(sample_results, make_sample):
    result = sample_results[make_sample.CORRUPT]
    assert result.scores == [] and result.error.startswith("truncated file")


def test_all_scores_from_005_are_kept_with_rating(sample_results):
    result = sample_results["outfit_red/red_01.jpg"]
    assert min(s for _, _, s in result.scores) >= 0.05
    assert ("general", "rating") in {(n, c) for n, c, _ in result.scores}
    assert [s for _, _, s in result.scores] == sorted((s for _, _, s in result.scores), reverse=True)


def test_rating_only_when_asked(sample_results):
    scores = sample_results["outfit_red/red_01.jpg"].scores
    assert all(c != "rating" for _, c, _ in select_tags(scores))
    assert [n for n, c, _ in select_tags(scores, include_rating=True) if c == "rating"] == ["general"]


def test_character_tag_clears_085_and_kaomoji_is_kept(sample_results):
    for rel in ("blobby/blobby_01.jpg", "blobby/blobby_04.png"):
        scores = {n: s for n, _, s in sample_results[rel].scores}
        assert scores["blobby (loraprep)"] > 0.85
        assert "^_^" in {n for n, _, _ in select_tags(sample_results[rel].scores)}


def test_mcut_finds_the_same_tags_without_a_threshold(sample_results, make_sample):
    # The tiny tagger is confident, so the largest score gap separates right from wrong tags on every image.
    for rel, expected in make_sample.expected().items():
        if expected is None:
            continue
        got = {n for n, _, _ in select_tags(sample_results[rel].scores, general=1.0, mcut=True, character_mcut=True)}
        assert got == {display_name(t) for t in expected} - {"general"}, rel


def test_results_keep_input_order_and_batch_size_does_not_change_scores(tiny, make_sample):
    rels = ["outfit_blue/blue_01.jpg", make_sample.CORRUPT, "blobby/blobby_02.jpg", "outfit_red/red_10.webp",
            "outfit_blue/blue_08_transparent.png"]
    items = [(rel, SAMPLE_DIR / rel) for rel in rels]
    one = list(tag_images(tiny, items, batch_size=1, device="cpu", workers=1))
    three = list(tag_images(tiny, items, batch_size=3, device="cpu", workers=2))
    assert [r.image_id for r in one] == rels == [r.image_id for r in three]
    for a, b in zip(one, three):
        assert [n for n, _, _ in a.scores] == [n for n, _, _ in b.scores]
        assert np.allclose([s for *_, s in a.scores], [s for *_, s in b.scores], atol=1e-4)


def test_missing_and_non_image_files_are_errors(tiny, tmp_path):
    (tmp_path / "notes.jpg").write_text("not an image")
    results = list(tag_images(tiny, [("a", tmp_path / "gone.png"), ("b", tmp_path / "notes.jpg")], device="cpu"))
    assert [r.error for r in results] == ["file not found", "not an image (unrecognised format)"]


def test_stopping_early_is_clean(tiny):
    items = ((str(i), SAMPLE_DIR / "outfit_red" / "red_01.jpg") for i in range(1000))
    gen = tag_images(tiny, items, batch_size=2, device="cpu")
    assert isinstance(next(gen), TagResult)
    gen.close()


def test_batch_size_is_chosen_for_the_machine():
    assert choose_batch_size("CPUExecutionProvider", 448) == 8
    assert choose_batch_size("CPUExecutionProvider", 448, cores=2) == 4
    assert choose_batch_size("CUDAExecutionProvider", 448) == 32
    assert choose_batch_size("CPUExecutionProvider", 64) == 64


# Contract sensitivity: the tiny tagger was trained on the exact WD input, so each violation shows.

def _red_scene(scenes, width, height, background="white"):
    rng = random.Random(5)
    return scenes.render(scenes.random_scene(rng, width, height, colors=["red"], blobby=False, background=background))


def test_rgb_instead_of_bgr_turns_red_into_blue(tiny, scenes):
    img = _red_scene(scenes, 800, 800)
    right = tags_of(tiny, prepare(img, 64))
    assert "red theme" in right and "blue theme" not in right
    rgb = np.asarray(pad_resize(to_rgb_on_white(img), 64), np.float32)  # no channel flip
    wrong = tags_of(tiny, rgb)
    assert "blue theme" in wrong and "red theme" not in wrong


def test_black_pad_instead_of_white_reads_as_letterboxed(tiny, scenes):
    img = _red_scene(scenes, 1024, 600)
    assert "letterboxed" not in tags_of(tiny, prepare(img, 64))
    black = np.asarray(pad_resize(to_rgb_on_white(img), 64, fill=(0, 0, 0)), np.float32)[:, :, ::-1]
    assert "letterboxed" in tags_of(tiny, black)


def test_alpha_not_composited_reads_as_black_background(tiny):
    with Image.open(SAMPLE_DIR / "outfit_blue" / "blue_08_transparent.png") as img:
        img.load()
        right = tags_of(tiny, prepare(img, 64))
        naive = np.asarray(pad_resize(img.convert("RGB"), 64), np.float32)[:, :, ::-1]
    assert "white background" in right and "black background" not in right
    wrong = tags_of(tiny, naive)
    assert "black background" in wrong and "white background" not in wrong


def test_a_batch_is_the_next_items_less_the_unreadable_ones(tiny, tmp_path, monkeypatch):
    """Every engine forms batches this way (score_batch), so the same batch size gives the same batches however
    the decoding was spread out, and the same scores."""
    good = SAMPLE_DIR / "outfit_red" / "red_01.jpg"
    kinds = ["ok", "gone", "ok", "ok", "ok", "gone", "gone", "ok", "ok"]
    items = [(f"{i}", good if kind == "ok" else tmp_path / f"gone_{i}.png") for i, kind in enumerate(kinds)]
    sizes = []
    predict = type(tiny).predict

    def recording(self, batch, device=None):
        sizes.append(len(batch))
        return predict(self, batch, device)

    monkeypatch.setattr(type(tiny), "predict", recording)
    results = list(tag_images(tiny, items, batch_size=3, device="cpu", workers=2))
    assert sizes == [2, 2, 2]                  # [ok gone ok] [ok ok gone] [gone ok ok]
    assert [r.error is None for r in results] == [k == "ok" for k in kinds]


def test_images_are_read_from_urls_too(tiny):
    rel = "outfit_blue/blue_01.jpg"
    by_path = list(tag_images(tiny, [("p", SAMPLE_DIR / rel)], device="cpu"))
    by_url = list(tag_images(tiny, [("u", (SAMPLE_DIR / rel).as_uri().replace("%20", " "))], device="cpu"))
    assert by_url[0].error is None and by_url[0].scores == by_path[0].scores
