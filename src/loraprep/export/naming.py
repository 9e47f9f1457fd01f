"""Safe, unique, NFC file and folder names: `a.png` + `a.jpg` never share one caption, `A.png` + `a.png` never clash."""

from __future__ import annotations

import re
import unicodedata
from typing import Callable, Iterable

# Characters Windows forbids, path separators, and control characters; names travel between systems.
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME_BYTES = 120  # leaves room for "-NN", the extension and a ".txt" sibling under the usual 255-byte limit

# Names a trainer skips without a word (docs/formats.md). ai-toolkit drops every file whose folder is named
# _controls (toolkit/data_loader.py AiToolkitDataset.__init__, then asserts "no images found");
# OneTrainer drops images whose stem ends in -masklabel or -condlabel (DataLoaderText2ImageMixin
# ._enumerate_input_modules -> mgds CollectPaths exclude_postfix). Group folders also never take the
# name of a file or folder the export writes beside them.
RESERVED_NAMES = {"_controls", "export.json", "concepts.json", "ai_toolkit_datasets.yaml", "multidatabackend.json",
                  "dataset.toml", "train.toml", "meta.json", "meta", "cache", "img", "images", "train"}
RESERVED_STEM_ENDINGS = ("-masklabel", "-condlabel")


def safe_component(name: str, *, spaces: bool = True, fallback: str = "image") -> str:
    """One path component that every OS and trainer accepts: NFC, no separators, not hidden, not reserved.

    With ``spaces=False`` runs of whitespace become ``_`` (used for folder names that end up in configs).
    """
    text = _visible(unicodedata.normalize("NFC", name))
    text = re.sub(r"\s+", " " if spaces else "_", text).strip()
    text = _UNSAFE.sub("_", text)
    # A leading dot hides the file from ai-toolkit and SimpleTuner; trailing dots/spaces vanish on Windows.
    text = text.lstrip(".").rstrip(". ")
    if not text:
        text = fallback
    if text.split(".")[0].upper() in _WINDOWS_RESERVED:
        text = f"{text}_"
    encoded = text.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        text = encoded[:MAX_NAME_BYTES].decode("utf-8", errors="ignore").rstrip(". ")
    return text


def reserved_folder(name: str) -> bool:
    """True for a group folder name some trainer skips or the export writes itself (compared as name_key does)."""
    return name_key(name) in RESERVED_NAMES


def reserved_stem(name: str) -> bool:
    """True for an image stem some trainer skips (compared as name_key does)."""
    return name_key(name).endswith(RESERVED_STEM_ENDINGS)


def _visible(text: str) -> str:
    """Without invisible format characters, control characters as ``_``.

    A right-to-left override (U+202E) makes ``evil\u202egnp.exe`` display as ``evilexe.png``; zero-width and other
    bidi controls hide characters; C1 controls and lone surrogates (bytes that were not UTF-8) cannot be
    written, or break a terminal. Format characters go (the name reads as it displays), the others become ``_``.
    """
    if text.isascii():
        return text
    return "".join("" if (kind := unicodedata.category(c)) == "Cf" else "_" if kind in ("Cc", "Cs") else c
                   for c in text)


def name_key(name: str) -> str:
    """Two names that collide on a case-insensitive or normalising file system have the same key."""
    return unicodedata.normalize("NFC", name).casefold()


class UniqueNames:
    """Hands out names unique within each scope, compared case- and normalisation-insensitively.

    File stems are claimed without their extension, so `a.png` and `a.jpg` become `a` and `a-2`
    (they would otherwise share `a.txt`). A name ``reserved`` says yes to is never handed out.
    """

    def __init__(self, reserved: Callable[[str], bool] = lambda name: False) -> None:
        self._taken: dict[str, set[str]] = {}
        self._reserved = reserved

    def reserve(self, scope: str, names: Iterable[str]) -> None:
        self._taken.setdefault(scope, set()).update(name_key(n) for n in names)

    def claim(self, scope: str, base: str) -> str:
        """``base`` if free in ``scope``, else ``base-2``, ``base-3``, ...; the returned name is now taken."""
        taken = self._taken.setdefault(scope, set())
        candidate, n = base, 1
        while name_key(candidate) in taken or self._reserved(candidate):
            n += 1
            candidate = f"{base}-{n}"
        taken.add(name_key(candidate))
        return candidate
