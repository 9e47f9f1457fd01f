"""The screen before the strict verification: crops, mirrors and re-encodes of a picture pass it, unrelated pictures do not."""

from __future__ import annotations

import io
import random

import numpy as np
from PIL import Image, ImageOps

from benchmarks.dedup_bases import crop, flat_drawing, noise_texture
from loraprep.dedup import describe_bytes
from loraprep.dedup.screen import PLAUSIBLE, Screen


def _described(img: Image.Image, fmt: str = "PNG"):
    buf = io.BytesIO()
    img.save(buf, fmt, **({"quality": 70} if fmt == "JPEG" else {}))
    return describe_bytes(buf.getvalue())


def _pairs(screen: Screen, pairs):
    return screen.plausible(np.array([a for a, _ in pairs]), np.array([b for _, b in pairs]))


def test_copies_pass_and_strangers_do_not():
    rng = random.Random("screen")
    for maker in (noise_texture, flat_drawing):
        bases = [maker(rng, (rng.randrange(300, 560), rng.randrange(300, 560))) for _ in range(4)]
        descriptors, copies, strangers = [], [], []
        for base in bases:
            at = len(descriptors)
            box = (rng.uniform(0, 0.12), 0.0, 0.0, rng.uniform(0.03, 0.12))
            descriptors += [_described(base), _described(crop(base, box), "JPEG"),
                            _described(ImageOps.mirror(crop(base, box[::-1]))), _described(base.resize((200, 180)))]
            copies += [(at, at + 1), (at + 2, at), (at, at + 3)]
        starts = range(0, len(descriptors), 4)
        strangers = [(a, b + 1) for a in starts for b in starts if a != b]
        screen = Screen(descriptors)
        assert _pairs(screen, copies).all()
        correlation = screen.correlations(np.array([a for a, _ in strangers]), np.array([b for _, b in strangers]))
        # unrelated pictures may pass now and then (the strict test decides); most must not
        assert (correlation < PLAUSIBLE).mean() >= 0.75, correlation


def _cutout_of(picture: Image.Image, box) -> Image.Image:
    cutout = picture.convert("RGBA")
    alpha = Image.new("L", cutout.size, 0)
    alpha.paste(255, box)
    cutout.putalpha(alpha)
    return cutout


def test_a_cutout_passes_with_its_picture_and_not_with_strangers():
    rng = random.Random("screen-cutouts")
    for maker in (noise_texture, flat_drawing):
        picture = maker(rng, (rng.randrange(280, 420), rng.randrange(280, 420)))
        w, h = picture.size
        cut_image = _cutout_of(picture, (w // 5, h // 6, w * 4 // 5, h * 5 // 6))
        cutout = _described(cut_image)
        brighter = picture.point(lambda v: min(255, int(v * 1.1) + 6))
        descriptors = [cutout, _described(picture), _described(picture, "JPEG"), _described(ImageOps.mirror(picture)),
                       _described(brighter, "JPEG")]
        descriptors += [_described(maker(rng, picture.size)) for _ in range(4)]
        descriptors.append(_described(cut_image.resize((w * 3 // 5, h * 3 // 5), Image.Resampling.LANCZOS)))
        assert cutout.alpha is not None and descriptors[9].alpha is not None
        screen = Screen(descriptors)
        assert _pairs(screen, [(0, 1), (2, 0), (0, 3), (4, 0), (2, 9), (9, 3)]).all()
        # the cut-out's solid pixels are not the strangers' pixels, however alike the pictures look
        assert not _pairs(screen, [(0, 5), (6, 0), (0, 7), (8, 0)]).any()


def test_low_information_pictures_two_cutouts_and_flat_cutouts_always_pass():
    rng = random.Random("screen-exempt")
    picture = noise_texture(rng, (320, 300))
    blank = Image.new("RGB", (300, 300), (240, 240, 236))
    blank.paste((20, 20, 20), (140, 140, 150, 150))
    other = flat_drawing(rng, (300, 300))
    flat = Image.new("RGB", (300, 300), (200, 90, 60))
    flat.paste((30, 30, 200), (0, 0, 150, 300))
    descriptors = [_described(_cutout_of(picture, (60, 40, 260, 270))), _described(other), _described(blank),
                   _described(picture), _described(_cutout_of(other, (50, 50, 250, 250))),
                   _described(_cutout_of(flat, (170, 20, 280, 280)))]
    assert descriptors[0].alpha is not None and descriptors[2].low_info and descriptors[5].alpha is not None
    # a blank picture on either side; two cut-outs; a cut-out whose solid part is one colour, too flat to correlate
    assert _pairs(Screen(descriptors), [(2, 1), (1, 2), (2, 0), (0, 4), (5, 1), (3, 5)]).all()


def test_pairs_read_in_slices_score_as_read_at_once(monkeypatch):
    import loraprep.dedup.screen as screen_module

    rng = random.Random("slices")
    descriptors = []
    for _ in range(6):
        base = flat_drawing(rng, (rng.randrange(260, 420), rng.randrange(260, 420)))
        descriptors += [_described(base), _described(crop(base, (0.1, 0.0, 0.02, 0.05)), "JPEG")]
    keepers = np.array([a for a in range(12) for b in range(12) if a != b])
    members = np.array([b for a in range(12) for b in range(12) if a != b])
    whole = Screen(descriptors).correlations(keepers, members)
    monkeypatch.setattr(screen_module, "_PAIR_SLICE", 7)
    sliced = Screen(descriptors).correlations(keepers, members)
    np.testing.assert_allclose(sliced, whole, atol=1e-6)
    assert (whole[::11] > -1).all()
