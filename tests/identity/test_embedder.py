"""The tiny identity model keeps deepghs CCIP's contract, and the embedder reads it the way imgutils does."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from loraprep.errors import ModelError
from loraprep.identity import loader
from loraprep.identity.embedder import embed_files, load_embedder
from loraprep.identity.preprocess import load_tensor

TINY = Path(__file__).resolve().parents[2] / "examples" / "tiny_ccip"


@pytest.fixture(scope="module")
def embedder():
    return load_embedder(str(TINY), device="cpu")


def test_tiny_model_has_ccips_names_layout_and_widths(embedder):
    import onnxruntime as ort

    feat = ort.InferenceSession(str(TINY / "model_feat.onnx"))
    (inp,), (out,) = feat.get_inputs(), feat.get_outputs()
    assert (inp.name, inp.type, inp.shape[1:]) == ("input", "tensor(float)", [3, 384, 384])
    assert (out.name, out.shape[1]) == ("output", 768)
    metric = ort.InferenceSession(str(TINY / "model_metrics.onnx"))
    assert metric.get_inputs()[0].name == "input" and metric.get_outputs()[0].name == "output"
    assert 0 < json.loads((TINY / "metrics.json").read_text())["threshold"] < 1
    assert embedder.input_size == 384 and embedder.card.threshold == pytest.approx(0.15)


def test_preprocessing_is_imgutils_stretch_bilinear_and_clip_statistics(tmp_path):
    rng = np.random.default_rng(3)
    path = tmp_path / "wide.png"
    Image.fromarray(rng.integers(0, 255, (90, 300, 3), np.uint8)).save(path)
    got = load_tensor(path, 64)
    with Image.open(path) as img:
        want = np.asarray(img.convert("RGB").resize((64, 64), Image.BILINEAR), np.float32).transpose(2, 0, 1) / 255
    mean = np.array([0.48145466, 0.4578275, 0.40821073], np.float32)[:, None, None]
    std = np.array([0.26862954, 0.26130258, 0.27577711], np.float32)[:, None, None]
    assert got.shape == (3, 64, 64) and got.dtype == np.float32
    np.testing.assert_allclose(got, (want - mean) / std, atol=1e-5)


def test_transparency_goes_onto_white(tmp_path):
    path = tmp_path / "clear.png"
    Image.new("RGBA", (50, 40), (200, 0, 0, 0)).save(path)
    white = (1 - np.array([0.48145466, 0.4578275, 0.40821073])) / np.array([0.26862954, 0.26130258, 0.27577711])
    np.testing.assert_allclose(load_tensor(path, 32)[:, 5, 5], white, atol=1e-4)


def _picture(path: Path, color, size=(500, 400), background=(255, 255, 255)):
    img = Image.new("RGB", size, background)
    img.paste(Image.new("RGB", (size[0] // 3, size[1] // 2), color), (size[0] // 4, size[1] // 5))
    img.save(path)
    return path


def test_same_palette_is_the_same_character_and_another_is_not(embedder, tmp_path):
    paths = [_picture(tmp_path / "a.png", (220, 35, 35)), _picture(tmp_path / "b.jpg", (215, 40, 30), (300, 640)),
             _picture(tmp_path / "c.webp", (35, 70, 225), background=(0, 0, 0))]
    rows = list(embed_files(embedder, [(p.name, p) for p in paths], batch_size=2))
    assert [k for k, _, _ in rows] == ["a.png", "b.jpg", "c.webp"] and all(e is None for _, _, e in rows)
    feats = np.stack([v for _, v, _ in rows])
    diff = embedder.differences(feats, feats)
    assert diff.shape == (3, 3) and np.allclose(diff, diff.T, atol=1e-6) and np.all(np.diag(diff) < 1e-4)
    assert diff[0, 1] <= embedder.card.threshold < diff[0, 2]


def test_blocked_differences_equal_one_call(embedder):
    feats = np.random.default_rng(0).standard_normal((37, 768)).astype(np.float32)
    whole = embedder.metric.run(["output"], {"input": feats})[0]
    np.testing.assert_allclose(embedder.differences(feats[:20], feats[20:], block=7), whole[:20, 20:], atol=1e-6)


def test_a_bad_file_is_an_error_row_and_the_rest_go_on(embedder, tmp_path):
    good = _picture(tmp_path / "ok.png", (40, 170, 60))
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff not a jpeg")
    rows = list(embed_files(embedder, [("bad", bad), ("ok", good)]))
    assert rows[0][0] == "bad" and rows[0][1] is None and rows[0][2]
    assert rows[1][0] == "ok" and rows[1][1].shape == (768,)


def test_a_folder_without_the_metric_model_is_a_clear_model_error(tmp_path):
    (tmp_path / "model_feat.onnx").write_bytes((TINY / "model_feat.onnx").read_bytes())
    with pytest.raises(ModelError, match="model_metrics.onnx"):
        loader.resolve(str(tmp_path))


def test_registry_knows_the_published_ccip_models_pinned():
    from loraprep.inference.registry import lookup

    info = lookup("ccip-caformer-24-randaug-pruned", "identity")
    assert info.repo_id == "deepghs/ccip_onnx" and info.subfolder == info.name and len(info.revision) == 40
    assert info.card["threshold"] == pytest.approx(0.1784751143)
    assert loader.DEFAULT_MODEL == info.name


def test_pairwise_over_block_pairs_equals_one_call(embedder, monkeypatch):
    from loraprep.identity import embedder as module

    feats = np.random.default_rng(1).standard_normal((50, 768)).astype(np.float32)
    whole = embedder.metric.run(["output"], {"input": feats})[0]
    monkeypatch.setattr(module, "MAX_SIDE", 8)  # 50 features: 7 blocks, 28 block pairs
    np.testing.assert_allclose(embedder.pairwise(feats), whole, atol=1e-6)
    near = embedder.pairwise(feats, lambda d: d <= 0.5)
    assert near.dtype == bool and np.array_equal(near, whole <= 0.5)
