"""File names that are not valid UTF-8: shown with their bad bytes escaped, and a suggested new name."""

from __future__ import annotations

import os

from loraprep.ingest.text_encoding import suggest_encodings


def escaped(path: str) -> str | None:
    """None when ``path`` is valid UTF-8; else its name with each byte that is not written as ``\\xNN``.

    Python hands such a name over with surrogate escapes, which SQLite, JSON and every trainer's config refuse."""
    try:
        path.encode("utf-8")
        return None
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


def name_problem(rel_path: str) -> str:
    """Why a path with a non-UTF-8 part cannot be taken, naming that part and a new name that reads as text."""
    parts = rel_path.split("/")
    index = next(i for i, part in enumerate(parts) if escaped(part) is not None)
    what = "file name" if index == len(parts) - 1 else "folder name"
    raw = os.fsencode(parts[index])
    guesses = suggest_encodings(raw)
    rename = f"rename it, e.g. to '{guesses[0][1]}' (its bytes read as {guesses[0][0]})" if guesses else "rename it"
    return f"{what} '{escaped(parts[index])}' is not valid UTF-8: {rename}; it cannot be stored or exported as it is"
