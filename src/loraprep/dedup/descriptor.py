"""The per-image dedup descriptor (small thumbnails, hashes, alpha mask) and its versioned byte form."""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from loraprep.errors import ImageError

VERSION = 6           # 6: 25 crop probes; 5: tapered codes, 23 crop probes, low-information flag; 4: pixel key and thumbnails from a copy reduced to 2 x THUMB (3: 4 x THUMB; chroma 32x32 since 3)
THUMB = 48          # luma thumbnail side: the verification works on it
CHROMA = 32         # chroma thumbnails side
_HEADER = struct.Struct("<BIIB32sB")  # version, width, height, flags, pixel key, number of codes
_FLAG_ALPHA = 1     # the file has transparency that matters (a cut-out)
_FLAG_FLAT = 2      # near-blank: only exact duplicates are trusted
_FLAG_LOW_INFO = 4  # mostly one colour: only near-identical pixels are trusted (verify.near_identical)


@dataclass(frozen=True, eq=False)
class Descriptor:
    """What dedup knows of one decoded image; stored as a BLOB, compared without the file.

    ``luma`` is the image composited onto white, squashed to THUMB x THUMB; ``cb``/``cr`` are
    its chroma at CHROMA x CHROMA; ``alpha`` is the alpha mask at THUMB x THUMB for cut-outs
    (None otherwise); ``codes`` are mirror-invariant 64-bit perceptual hashes used by the
    candidate search: codes[0] of the whole frame, the others of inner crops (see hashes.PROBES).
    """

    width: int
    height: int
    pixel_key: bytes
    luma: np.ndarray
    cb: np.ndarray
    cr: np.ndarray
    codes: np.ndarray
    alpha: np.ndarray | None = None
    flat: bool = False
    low_info: bool = False

    @property
    def code(self) -> int:
        return int(self.codes[0])

    @property
    def is_cutout(self) -> bool:
        return self.alpha is not None

    def to_bytes(self) -> bytes:
        flags = (_FLAG_ALPHA if self.alpha is not None else 0) | (_FLAG_FLAT if self.flat else 0) \
            | (_FLAG_LOW_INFO if self.low_info else 0)
        parts = [
            _HEADER.pack(VERSION, self.width, self.height, flags, self.pixel_key.ljust(32, b"\0")[:32],
                         len(self.codes)),
            np.ascontiguousarray(self.codes, "<u8").tobytes(),
            np.ascontiguousarray(self.luma, np.uint8).tobytes(),
            np.ascontiguousarray(self.cb, np.uint8).tobytes(),
            np.ascontiguousarray(self.cr, np.uint8).tobytes(),
        ]
        if self.alpha is not None:
            parts.append(np.ascontiguousarray(self.alpha, np.uint8).tobytes())
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Descriptor":
        if not data or data[0] != VERSION:
            found = data[0] if data else "nothing"
            raise ImageError(f"dedup descriptor version {found} is not {VERSION}",
                             "run `loraprep dedup` again: descriptors are recomputed")
        need = _HEADER.size + THUMB * THUMB + 2 * CHROMA * CHROMA
        if len(data) < need:
            raise ImageError("dedup descriptor is truncated", "run `loraprep dedup` again")
        _, width, height, flags, pixel_key, n_codes = _HEADER.unpack_from(data, 0)
        at = _HEADER.size + 8 * n_codes
        if len(data) < need + 8 * n_codes:
            raise ImageError("dedup descriptor is truncated", "run `loraprep dedup` again")
        codes = np.frombuffer(data, "<u8", n_codes, _HEADER.size).astype(np.uint64)

        def take(side: int) -> np.ndarray:
            nonlocal at
            arr = np.frombuffer(data, np.uint8, side * side, at).reshape(side, side)
            at += side * side
            return arr

        luma, cb, cr = take(THUMB), take(CHROMA), take(CHROMA)
        alpha = take(THUMB) if flags & _FLAG_ALPHA else None
        return cls(width, height, pixel_key, luma, cb, cr, codes, alpha, bool(flags & _FLAG_FLAT),
                   bool(flags & _FLAG_LOW_INFO))


def stacked_chroma(descriptors) -> np.ndarray:
    """(n, 2, CHROMA, CHROMA) float32: cb and cr of every descriptor, in two stacking calls rather than n."""
    out = np.empty((len(descriptors), 2, CHROMA, CHROMA), np.float32)
    if len(descriptors):
        out[:, 0] = np.stack([d.cb for d in descriptors])
        out[:, 1] = np.stack([d.cr for d in descriptors])
    return out
