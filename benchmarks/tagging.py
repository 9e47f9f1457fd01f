"""Tagging benchmark: loraprep tag vs model-bound session.run vs the naive one-image loop, on a WD-sized stand-in.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/tagging.py --images 300                 # CPU
    .venv/bin/python benchmarks/tagging.py --images 300 --device cuda   # GPU (needs onnxruntime-gpu)

The stand-in is ViT-B/16 (timm vit_base_patch16_224's architecture, written in plain torch) at 448 px with 10,861 sigmoid outputs and random weights, exported to
ONNX with the WD contract (NHWC BGR 0..255); it and the generated 640-1024 px JPEG/PNG images are cached in --out.
Each measurement runs in its own process; wall times include process start and model load where stated.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine  # noqa: E402

N_TAGS = 10861
ROOT = Path(__file__).resolve().parents[1]


def vit_b16(size: int, n_out: int):
    """ViT-B/16 (timm's vit_base_patch16_224 layout: 12 blocks, width 768, 12 heads, MLP 3072) in plain torch.

    Written out here rather than taken from timm so the benchmark needs torch only (a torchvision built for another
    torch breaks timm's import)."""
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self, dim=768, heads=12):
            super().__init__()
            self.heads = heads
            self.norm1, self.norm2 = nn.LayerNorm(dim, eps=1e-6), nn.LayerNorm(dim, eps=1e-6)
            self.qkv, self.proj = nn.Linear(dim, dim * 3), nn.Linear(dim, dim)
            self.mlp = nn.Sequential(nn.Linear(dim, dim * 4), nn.GELU(), nn.Linear(dim * 4, dim))

        def forward(self, x):
            b, n, d = x.shape
            q, k, v = self.qkv(self.norm1(x)).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
            attn = torch.softmax(q @ k.transpose(-2, -1) * (d // self.heads) ** -0.5, dim=-1)
            x = x + self.proj((attn @ v).transpose(1, 2).reshape(b, n, d))
            return x + self.mlp(self.norm2(x))

    class ViT(nn.Module):
        def __init__(self):
            super().__init__()
            self.patch = nn.Conv2d(3, 768, 16, 16)
            self.cls = nn.Parameter(torch.zeros(1, 1, 768))
            self.pos = nn.Parameter(torch.randn(1, (size // 16) ** 2 + 1, 768) * 0.02)
            self.blocks = nn.Sequential(*[Block() for _ in range(12)])
            self.norm = nn.LayerNorm(768, eps=1e-6)
            self.head = nn.Linear(768, n_out)

        def forward(self, x):
            x = self.patch(x).flatten(2).transpose(1, 2)
            x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1) + self.pos
            return self.head(self.norm(self.blocks(x))[:, 0])

    return ViT()


def build_standin(folder: Path, size: int) -> Path:
    """ViT-B/16 at ``size`` px, 10,861 sigmoid outputs, sparse like a real tagger (most scores < 0.05)."""
    if (folder / "model.onnx").exists() and (folder / "selected_tags.csv").exists():
        return folder
    import torch

    torch.manual_seed(0)
    vit = vit_b16(size, N_TAGS)
    with torch.no_grad():
        vit.head.bias.fill_(-6.0)  # sigmoid(-6) = 0.0025: like a real tagger, most tags are near zero
        vit.head.bias[torch.randperm(N_TAGS)[:40]] = 1.0

    class WDStandIn(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.vit = vit

        def forward(self, x):  # NHWC BGR 0..255, as the WD taggers take it
            return torch.sigmoid(self.vit(x.permute(0, 3, 1, 2).flip(1) / 127.5 - 1.0))

    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "model.onnx.tmp"
    torch.onnx.export(WDStandIn().eval(), torch.zeros(1, size, size, 3), str(tmp), input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                      opset_version=17, dynamo=False)
    with open(folder / "selected_tags.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["tag_id", "name", "category", "count"])
        for i in range(N_TAGS):
            category = 9 if i < 4 else 4 if i >= N_TAGS - 2000 else 0
            writer.writerow([i, f"tag_{i}", category, N_TAGS - i])
    tmp.rename(folder / "model.onnx")
    return folder


def build_images(folder: Path, count: int) -> list[Path]:
    """``count`` 640-1024 px photos-like images (smooth gradients + noise + shapes), 2/3 JPEG q90, 1/3 PNG."""
    import numpy as np
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        rng = random.Random(i)
        ext = "png" if i % 3 == 2 else "jpg"
        path = folder / f"img_{i:04d}.{ext}"
        paths.append(path)
        if path.exists():
            continue
        w, h = rng.randint(640, 1024), rng.randint(640, 1024)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        base = np.stack([xx / w * rng.uniform(80, 255), yy / h * rng.uniform(80, 255),
                         np.full_like(xx, rng.uniform(0, 255))], -1)
        noise = np.random.default_rng(i).normal(0, 6, (h, w, 3))
        img = Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8), "RGB")
        draw = ImageDraw.Draw(img)
        for _ in range(rng.randint(2, 6)):
            x0, y0 = rng.randint(0, w - 50), rng.randint(0, h - 50)
            draw.ellipse([x0, y0, x0 + rng.randint(40, 300), y0 + rng.randint(40, 300)],
                         fill=tuple(rng.randint(0, 255) for _ in range(3)))
        tmp = path.with_suffix(".tmp")
        img.save(tmp, "PNG" if ext == "png" else "JPEG", **({"compress_level": 6} if ext == "png" else {"quality": 90}))
        tmp.rename(path)
    return paths


# Each measurement is a small program run in a fresh interpreter; it prints one JSON line.
MODEL_BOUND = r"""
import json, sys, time, numpy as np
from loraprep.inference.session import open_session, graph_info
model, device, size, sizes, budget = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
sess = open_session(model, device); g = graph_info(sess)
rates = {}
for bs in [int(b) for b in sizes.split(",")]:
    x = np.random.default_rng(0).uniform(0, 255, (bs, size, size, 3)).astype(np.float32)
    sess.run([g.output_name], {g.input_name: x})  # warm-up
    done, start = 0, time.perf_counter()
    while done < bs * 2 or time.perf_counter() - start < budget:
        sess.run([g.output_name], {g.input_name: x}); done += bs
    rates[bs] = done / (time.perf_counter() - start)
print(json.dumps({"rates": rates, "provider": sess.get_providers()[0]}))
"""

NAIVE = r"""
import json, sys, time, numpy as np, onnxruntime as ort
from PIL import Image
model, device, listing = sys.argv[1], sys.argv[2], sys.argv[3]
providers = (["CUDAExecutionProvider"] if device == "cuda" else []) + ["CPUExecutionProvider"]
sess = ort.InferenceSession(model, providers=providers)
inp = sess.get_inputs()[0]; size = inp.shape[1]; out_name = sess.get_outputs()[0].name
start = time.perf_counter(); n = 0
for line in open(listing):
    img = Image.open(line.strip()).convert("RGBA")
    canvas = Image.new("RGBA", img.size, (255, 255, 255, 255)); canvas.alpha_composite(img)
    img = canvas.convert("RGB"); side = max(img.size)
    square = Image.new("RGB", (side, side), (255, 255, 255))
    square.paste(img, ((side - img.width) // 2, (side - img.height) // 2))
    x = np.asarray(square.resize((size, size), Image.BICUBIC), np.float32)[:, :, ::-1]
    probs = sess.run([out_name], {inp.name: np.expand_dims(x, 0)})[0][0]
    n += 1
print(json.dumps({"images": n, "loop_s": time.perf_counter() - start}))
"""

PIPELINE = r"""
import json, sys
from pathlib import Path
from loraprep.tagging.pipeline import load_tagger, tag_images
model, device, listing = sys.argv[1], sys.argv[2], sys.argv[3]
tagger = load_tagger(model, device=device)
items = [(str(i), Path(p.strip())) for i, p in enumerate(open(listing))]
n = sum(1 for r in tag_images(tagger, items, device=device) if r.error is None)
print(json.dumps({"images": n, "provider": tagger.provider(device)}))
"""


def run_measured(args: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Run a command; wall seconds, peak RSS in MB of exactly that child (os.wait4 gives its rusage), stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(args[:4])} ... failed with exit code {proc.returncode}; run it by hand to see why")
    peak_kb = usage.ru_maxrss
    return wall, peak_kb / 1024.0, out


def cli_has_tag() -> bool:
    try:
        return subprocess.run([sys.executable, "-m", "loraprep", "tag", "--help"], capture_output=True,
                              timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=300)
    parser.add_argument("--size", type=int, default=448)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    parser.add_argument("--batches", default=None, help="batch sizes to try for (1), e.g. 1,2,4,8")
    parser.add_argument("--budget", type=float, default=None, help="seconds per batch size in (1)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-data" / "tagging")
    parser.add_argument("--engine", choices=["auto", "cli", "pipeline"], default="auto",
                        help="(2) through `loraprep tag` (cli) or the tagging pipeline in a fresh process")
    args = parser.parse_args()
    gpu = args.device == "cuda"
    batches = args.batches or ("8,16,32,64" if gpu else "1,2,4,8")
    budget = args.budget if args.budget is not None else (5.0 if gpu else 10.0)
    py = sys.executable

    t0 = time.perf_counter()
    model_dir = build_standin(args.out / f"standin-vit-b16-{args.size}", args.size)
    images = build_images(args.out / "images", args.images)
    print(f"stand-in + {len(images)} images ready in {time.perf_counter() - t0:.0f} s ({model_dir})", flush=True)
    listing = args.out / f"images-{args.images}.txt"
    listing.write_text("".join(f"{p}\n" for p in images))
    model = str(model_dir / "model.onnx")

    _, mem1, out = run_measured([py, "-c", MODEL_BOUND, model, args.device, str(args.size), batches, str(budget)])
    bound = json.loads(out.splitlines()[-1])
    best_bs, best_rate = max(((int(b), r) for b, r in bound["rates"].items()), key=lambda t: t[1])
    print(f"(1) model-bound: {best_rate:.2f} img/s at batch {best_bs} on {bound['provider']} "
          f"(all: {', '.join(f'{b}: {r:.2f}' for b, r in bound['rates'].items())}); peak {mem1:.0f} MB", flush=True)

    engine = args.engine if args.engine != "auto" else ("cli" if cli_has_tag() else "pipeline")
    if engine == "cli":
        dataset = args.out / "dataset"
        if dataset.exists():
            shutil.rmtree(dataset)
        (dataset / "images").mkdir(parents=True)
        for p in images:
            os.link(p, dataset / "images" / p.name)
        exe = [py, "-m", "loraprep"]  # works whether or not the console script is on PATH
        run_measured([*exe, "scan", str(dataset)])
        cmd = [*exe, "tag", str(dataset), "--model", str(model_dir), "--device", args.device]
    else:
        cmd = [py, "-c", PIPELINE, str(model_dir), args.device, str(listing)]
    try:
        wall2, mem2, _ = run_measured(cmd)
    except SystemExit as exc:
        if engine != "cli":
            raise
        print(f"note: {exc}; measuring the tagging pipeline in a fresh process instead", flush=True)
        engine, cmd = "pipeline", [py, "-c", PIPELINE, str(model_dir), args.device, str(listing)]
        wall2, mem2, _ = run_measured(cmd)
    rate2 = len(images) / wall2
    print(f"(2) loraprep tag end to end ({engine}, incl. process start + model load): {wall2:.1f} s, "
          f"{rate2:.2f} img/s; peak {mem2:.0f} MB", flush=True)

    wall3, mem3, out = run_measured([py, "-c", NAIVE, model, args.device, str(listing)])
    rate3 = len(images) / wall3
    print(f"(3) naive one-at-a-time loop (incl. process start + model load): {wall3:.1f} s, {rate3:.2f} img/s; "
          f"peak {mem3:.0f} MB", flush=True)

    print(f"\n(2)/(1) = {rate2 / best_rate:.3f}   (target >= 0.98)")
    print(f"(2)/(3) = {rate2 / rate3:.3f}   (target >= 1.08)")
    print(f"machine: {machine()}; onnxruntime provider: {bound['provider']}")
    print(f"reproduce: {Path(py).name} benchmarks/tagging.py --images {args.images} --size {args.size} "
          f"--device {args.device}")


if __name__ == "__main__":
    main()
