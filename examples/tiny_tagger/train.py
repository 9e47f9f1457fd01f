"""Train the tiny demo tagger on generated scenes and export it with the WD contract (model.onnx + selected_tags.csv).

Needs torch (only to re-train; loraprep itself never imports it):
    .venv/bin/pip install torch==2.13.0
    .venv/bin/python examples/tiny_tagger/train.py            # writes model.onnx + selected_tags.csv next to this file
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import scenes  # noqa: E402

from loraprep.tagging.preprocess import pad_resize, to_bgr_array, to_rgb_on_white  # noqa: E402

SIZE = 64
TAGS = [name for name, _ in scenes.VOCABULARY]
INDEX = {name: i for i, name in enumerate(TAGS)}


def sample(rng: random.Random) -> tuple[np.ndarray, np.ndarray]:
    """One training pair: the tensor the loraprep pipeline would feed (BGR 0..255, white pad) and its labels."""
    long_side = rng.randint(96, 320)
    ratio = 1.0 if rng.random() < 0.45 else rng.uniform(0.5, 1.0)
    w, h = long_side, max(32, int(long_side * ratio))
    if rng.random() < 0.5:
        w, h = h, w
    scene = scenes.random_scene(rng, w, h)
    if scene.background == "white" and rng.random() < 0.2:
        scene.background = "transparent"
    tags = scenes.labels(scene)
    img = to_rgb_on_white(scenes.render(scene, jitter=rng))
    # Letterboxing: black bars are a picture property the model should see; white bars are loraprep's own pad.
    fill = (255, 255, 255)
    if w != h and scene.background != "black" and min(w, h) / max(w, h) < 0.85 and rng.random() < 0.2:
        fill = (0, 0, 0)
        tags.add("letterboxed")
    x = to_bgr_array(pad_resize(img, SIZE, fill=fill))
    x = np.clip(x + np.random.default_rng(rng.getrandbits(32)).normal(0, 3, x.shape), 0, 255).astype(np.float32)
    y = np.zeros(len(TAGS), np.float32)
    for t in tags:
        y[INDEX[t]] = 1.0
    return x, y


def dataset(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = random.Random(seed)
    pairs = [sample(rng) for _ in range(n)]
    return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])


def build_model():
    import torch
    from torch import nn

    class TinyTagger(nn.Module):
        """NHWC BGR 0..255 in, sigmoid scores out: the WD taggers' contract at 64 px."""

        def __init__(self, n_tags: int):
            super().__init__()

            def block(cin, cout):
                return nn.Sequential(nn.Conv2d(cin, cout, 3, 2, 1), nn.BatchNorm2d(cout), nn.ReLU())

            self.features = nn.Sequential(block(3, 16), block(16, 32), block(32, 48), block(48, 64))
            self.head = nn.Linear(64 * 4 * 4 + 64, n_tags)

        def forward(self, x):
            x = x.permute(0, 3, 1, 2) / 255.0 - 0.5
            f = self.features(x)
            pooled = torch.amax(f, dim=(2, 3))
            return torch.sigmoid(self.head(torch.cat([f.flatten(1), pooled], 1)))

    return TinyTagger(len(TAGS))


def train(model, x, y, epochs: int, seed: int):
    import torch

    torch.manual_seed(seed)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    steps = epochs * ((len(x) + 127) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    loss_fn = torch.nn.BCELoss()
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x))
        total = 0.0
        for i in range(0, len(x), 128):
            idx = order[i:i + 128]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(idx)
        print(f"epoch {epoch + 1}/{epochs}  loss {total / len(x):.4f}", flush=True)


def evaluate(model, x, y) -> None:
    import torch

    model.eval()
    with torch.no_grad():
        p = model(torch.from_numpy(x)).numpy()
    wrong = ((p >= 0.5) != (y >= 0.5)).mean(axis=0)
    for name, err in zip(TAGS, wrong):
        print(f"  {name:22s} error {err:.3%}")


def export(model, out: Path) -> None:
    import torch

    model.eval()
    dummy = torch.full((1, SIZE, SIZE, 3), 255.0)
    torch.onnx.export(model, dummy, str(out / "model.onnx"), input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=17,
                      dynamo=False)
    with open(out / "selected_tags.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["tag_id", "name", "category", "count"])
        for i, (name, category) in enumerate(scenes.VOCABULARY):
            writer.writerow([i, name, category, 1000 - i])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=24000)
    parser.add_argument("--epochs", type=int, default=14)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(max(1, torch.get_num_threads()))
    start = time.perf_counter()
    x, y = dataset(args.samples, args.seed)
    xv, yv = dataset(2000, args.seed + 1)
    print(f"generated {len(x)} + {len(xv)} scenes in {time.perf_counter() - start:.0f} s", flush=True)
    torch.manual_seed(args.seed)
    model = build_model()
    train(model, x, y, args.epochs, args.seed)
    print("held-out error per tag at 0.5:")
    evaluate(model, xv, yv)
    args.out.mkdir(parents=True, exist_ok=True)
    export(model, args.out)
    print(f"wrote {args.out / 'model.onnx'} and selected_tags.csv in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
