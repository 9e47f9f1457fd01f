"""Where the editor's export goes: `~` expanded, a relative path refused (the server's working folder means
nothing to a person using the page; it once made a folder named `~` there)."""

from __future__ import annotations

from pathlib import Path

from loraprep.web.errors import ApiError


def export_folder(text: str, dataset_root: Path) -> Path:
    """The absolute folder a page asked to export to, or a 422 saying how to write one."""
    try:
        path = Path(text.strip()).expanduser()
    except RuntimeError:  # `~` with no home folder known
        raise ApiError(422, f"cannot expand {text.strip()!r}: no home folder is known",
                       "write the full path of the output folder") from None
    if not path.is_absolute():
        raise ApiError(422, f"the output folder must be a full path, not {text.strip()!r}",
                       f"e.g. {dataset_root.parent / path} (beside the dataset) or ~/{path}")
    return path
