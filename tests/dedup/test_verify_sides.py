"""A mirrored side derived from its plain side (verify._Sides) holds what computing it afresh gives."""

from __future__ import annotations

import io
import random

import numpy as np

from benchmarks.dedup_bases import flat_drawing, noise_texture
from loraprep.dedup import describe_bytes
from loraprep.dedup.verify import _Sides


def _described(img):
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return describe_bytes(buf.getvalue())


def test_derived_mirror_sides_match_computed_ones():
    rng = random.Random("sides")
    pictures = [_described(maker(rng, (rng.randrange(200, 400), rng.randrange(200, 400))))
                for maker in (noise_texture, flat_drawing, noise_texture)]
    both = _Sides()                                  # plain and mirrored: the mirrored ones are derived
    for d in pictures:
        both.add(d, False)
    mirrored = [both.add(d, True) for d in pictures]
    alone = _Sides()                                 # mirrored only: computed from the flipped thumbnails
    for d in pictures:
        alone.add(d, True)
    both.build()
    alone.build()
    assert (both._twin[mirrored] >= 0).all() and (alone._twin < 0).all()
    rows = np.arange(len(pictures))
    both.need_detail(np.array(mirrored))
    alone.need_detail(rows)
    for name in ("luma", "chroma", "grid", "grid_edges", "base_tol", "chroma_centred", "chroma_edges"):
        np.testing.assert_allclose(getattr(both, name)[mirrored], getattr(alone, name), rtol=1e-4, atol=1e-3,
                                   err_msg=name)
    for name in ("profiles", "profile_energy", "crops", "crop_scale", "crop_energy"):
        for axis in (0, 1):
            np.testing.assert_allclose(getattr(both, name)[axis][mirrored], getattr(alone, name)[axis],
                                       rtol=1e-4, atol=1e-3, err_msg=f"{name}[{axis}]")
