"""Editor speed at 10,000 images in a real browser: first paint, filter, single edit, batch edit, server memory.

    .venv/bin/python benchmarks/editor.py [--images 10000] [--dir /tmp/loraprep-bench-editor] [--runs 20]

The baseline, measured in the same run, is a full reload of the gallery (every row fetched and repainted):
what an editor that recounts everything on each change pays. Targets: first paint < 2 s; filter, single edit
and batch edit < 100 ms p95 (server time + paint); server memory < 500 MB.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TOKEN = "bench-token-000000000000"
SERVER = """
import sys
sys.path.insert(0, {root!r})
import uvicorn
from loraprep.web.app import create_app
from loraprep.web.server import free_port
from loraprep.web.service import Editor
from tests.web.conftest import workspace_class
cls = workspace_class()
sock = free_port(0)
port = sock.getsockname()[1]
app = create_app({data!r}, token={token!r}, editor=Editor({data!r}, workspace=cls({data!r})), port=port)
print(port, cls.__name__, flush=True)
uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])
"""


def build(folder: Path, n: int) -> None:
    """n tiny PNGs in 10 concepts, scanned, with 30-40 tagger scores each written straight into the store."""
    from PIL import Image

    from loraprep import ops
    from loraprep.store.db import open_store
    from loraprep.store.files import list_files
    from loraprep.store.tags import TagNames, write_scores

    if (folder / ".loraprep" / "state.sqlite").exists():
        return
    rng = random.Random(7)
    for i in range(n):
        path = folder / f"concept_{i % 10}" / f"{i:05d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (24, 24), (i % 251, (i * 7) % 253, (i * 13) % 255)).save(path)
    ops.scan(folder, min_size=16)
    vocab = [f"tag {k}" for k in range(600)]
    with open_store(folder) as store:
        files = list_files(store)
        with store.write() as conn:
            names = TagNames(conn)
            for f in files:
                tags = rng.sample(vocab, rng.randint(30, 40))
                write_scores(conn, f.image_id, "demo@1", [(t, "general", rng.uniform(0.36, 0.99)) for t in tags]
                             + [("blurry", "general", rng.uniform(0.05, 0.9))], names)


def server_ms(response) -> float:
    """The app;dur=... of a response's Server-Timing header, in ms."""
    timing = response.headers.get("server-timing", "")
    return float(timing.split("dur=", 1)[1]) if "dur=" in timing else float("nan")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def rss_mb(pid: int) -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/loraprep-bench-editor"))
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    data = args.dir / f"ds{args.images}"
    t0 = time.perf_counter()
    build(data, args.images)
    print(f"dataset: {args.images} images ready in {time.perf_counter() - t0:.1f} s ({data})", file=sys.stderr)

    from playwright.sync_api import sync_playwright

    from tests.web.live import launch_browser

    server = subprocess.Popen([sys.executable, "-c", SERVER.format(root=str(ROOT), data=str(data), token=TOKEN)],
                              stdout=subprocess.PIPE, text=True)
    port, workspace = server.stdout.readline().split()
    url = f"http://127.0.0.1:{port}/?token={TOKEN}"
    time.sleep(0.5)
    results: dict[str, list[float]] = {}
    try:
        with sync_playwright() as p:
            browser = launch_browser(p)
            page = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True).new_page()
            applied: list[float] = []  # the server's share of each edit's answer (its Server-Timing header)
            page.on("response", lambda r: applied.append(server_ms(r)) if r.url.endswith("/api/edits/apply") else None)
            for attempt in range(2):  # the first load warms the server's caches (thumbnails are not waited for)
                start = time.perf_counter()
                page.goto(url)
                page.wait_for_selector("body[data-ready='1']", timeout=120_000)
                results.setdefault("first paint (open -> grid painted)", []).append((time.perf_counter() - start) * 1000)
            ids = page.evaluate("LP.S.rows.id")
            timed = lambda js: page.evaluate(f"LP.timed(async () => {{ {js} }})")  # noqa: E731
            for i in range(args.runs):
                results.setdefault("baseline: full gallery reload", []).append(timed("await LP.refreshAll();"))
                concept = f"concept_{i % 10}" if i % 2 == 0 else ""
                results.setdefault("filter change (concept)", []).append(timed(
                    f"document.querySelector('#concept').value = '{concept}'; await LP.applyFilter();"))
                results.setdefault("filter change (file name)", []).append(timed(
                    f"document.querySelector('#text').value = '{i:02d}'; await LP.applyFilter();"))
            page.evaluate("document.querySelector('#text').value = ''; document.querySelector('#concept').value = '';"
                          " LP.applyFilter()")
            page.evaluate(f"LP.openImage({ids[0]})")
            # Each edit is undone by the next (add, remove, add...), so reruns on the same dataset measure the same
            # work instead of an image and a journal that grow with every run.
            for i in range(args.runs):
                results.setdefault("single edit (add or remove a tag, panel + grid repainted)", []).append(timed(
                    f"await LP.edit({{kind: '{'add' if i % 2 == 0 else 'remove'}', tags: ['bench single']}},"
                    f" {{ids: [{ids[0]}]}}, true);"))
            results["  of which server"] = applied[:]
            applied.clear()
            for i in range(max(5, args.runs // 2)):
                kind = "add" if i % 2 == 0 else "remove"
                results.setdefault(f"batch edit over all {len(ids)}", []).append(timed(
                    f"await LP.edit({{kind: '{kind}', tags: ['bench batch']}}, {{filter: {{}}}}, true);"))
            results["  of which server "] = applied[:]
            browser.close()
        now_mb, peak_mb = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(10)

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    print(f"\nloraprep editor benchmark: {len(ids)} images, 30-40 tags each, workspace={workspace}")
    print(f"machine: {os.cpu_count()} cores, {cpu}; browser: Debian chromium (headless)")
    print(f"command: .venv/bin/python benchmarks/editor.py --images {args.images} --runs {args.runs}\n")
    base = p95(results["baseline: full gallery reload"])
    print(f"{'measure':52s} {'median ms':>10s} {'p95 ms':>9s} {'vs reload':>10s}")
    for name, in_order in results.items():
        values = sorted(in_order)
        print(f"{name:52s} {values[len(values) // 2]:10.1f} {p95(values):9.1f} {p95(values) / base:9.2f}x")
        if os.environ.get("BENCH_VALUES"):
            print("    in order:", [round(v) for v in in_order])
    print(f"{'server memory (RSS now / peak)':52s} {now_mb:10.0f} {peak_mb:9.0f}  MB")


if __name__ == "__main__":
    main()
