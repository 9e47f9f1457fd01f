"""Pictures that are mostly one colour are grouped only when their pixels are near-identical."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageDraw

from loraprep.dedup import find_duplicate_groups
from loraprep.dedup.identical import NO_MATCH, near_identical
from tests.dedup.helpers import record


def _page(rng: random.Random, size, paper, marks) -> Image.Image:
    """A page of one paper colour with a few small marks (a logo, a scribble) at the given places."""
    img = Image.new("RGB", size, paper)
    d = ImageDraw.Draw(img)
    w, h = size
    for fx, fy, colour in marks:
        x, y, s = fx * w, fy * h, rng.uniform(0.09, 0.12) * min(w, h)
        d.ellipse([x - s, y - s, x + s, y + s], fill=colour)
        d.line([(x - 2 * s, y + 1.5 * s), (x + 2 * s, y + 1.6 * s)], fill=colour, width=3)
    return img


def _png(img: Image.Image, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_distinct_near_blank_pages_are_not_grouped(seed):
    rng = random.Random(seed)
    size = (rng.randrange(300, 700), rng.randrange(300, 700))
    paper = rng.choice([(255, 255, 255), (246, 242, 232), (232, 236, 244)])
    ink = (rng.randrange(40, 140), rng.randrange(40, 140), rng.randrange(40, 140))
    here = [(rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8), ink)]
    moved = [(here[0][0] + rng.choice([-1, 1]) * 0.05, here[0][1] + 0.03, ink)]     # the same mark a little elsewhere
    other = [(rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8), (ink[2], ink[0], ink[1]))]     # another mark
    pages = [_page(rng, size, paper, m) for m in (here, moved, other)]
    recs = [record(f"page{i}", _png(p)) for i, p in enumerate(pages)]
    assert all(r.descriptor.low_info and not r.descriptor.flat for r in recs)
    assert find_duplicate_groups(recs) == []


def test_a_resized_or_reencoded_near_blank_page_is_still_grouped():
    rng = random.Random(7)
    page = _page(rng, (480, 640), (250, 248, 244), [(0.3, 0.6, (70, 60, 90))])
    small = page.resize((240, 320), Image.Resampling.LANCZOS)
    recs = [record("page.png", _png(page)), record("small.png", _png(small)), record("page.jpg", _png(page, "JPEG"), "JPEG")]
    (group,) = find_duplicate_groups(recs)
    assert group.keeper_id == "page.png" and {m.image_id for m in group.members} == {"small.png", "page.jpg"}


def test_near_identical_reads_a_mirror_and_refuses_a_moved_mark():
    rng = random.Random(9)
    page = _page(rng, (400, 400), (255, 255, 255), [(0.3, 0.4, (20, 20, 20))])
    moved = _page(random.Random(9), (400, 400), (255, 255, 255), [(0.4, 0.4, (20, 20, 20))])
    a, mirror, b = (record(i, _png(p)).descriptor for i, p in
                    (("a", page), ("m", page.transpose(Image.Transpose.FLIP_LEFT_RIGHT)), ("b", moved)))
    (d_mirror, is_mirror), (d_moved, _) = near_identical([a, a], [mirror, b])
    assert is_mirror and d_mirror < 1.0
    assert d_moved == NO_MATCH
