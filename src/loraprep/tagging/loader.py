"""Find a WD tagger's two files through the one model layer, and read its tags."""

from __future__ import annotations

import csv
from pathlib import Path

from loraprep.errors import ModelError
from loraprep.inference import files as model_files
from loraprep.inference.files import ModelFiles
from loraprep.model.tagname import display_name
from loraprep.tagging.postprocess import category_name
from loraprep.tagging.registry import lookup

MODEL_FILE = "model.onnx"
TAGS_FILE = "selected_tags.csv"
TAGGER = model_files.Family("tagger", (TAGS_FILE, MODEL_FILE), "WD tagger", "loraprep tag DATASET --model")

__all__ = ["MODEL_FILE", "TAGS_FILE", "TAGGER", "ModelFiles", "resolve", "cached_tags_file", "read_tags", "local_hint"]


def local_hint(repo_id: str | None = None) -> str:
    return model_files.local_hint(TAGGER, repo_id)


def resolve(spec: str, revision: str | None = None, cache_dir: str | Path | None = None) -> ModelFiles:
    """A registry name, a hub repo id or a local folder (or its model.onnx), as the tagger's files."""
    return model_files.resolve(spec, TAGGER, revision, cache_dir)


def cached_tags_file(spec: str, cache_dir: str | Path | None = None) -> Path | None:
    """The tagger's selected_tags.csv if it is on this machine (a folder or the hub cache), else None.

    Never downloads: the editor's autocomplete uses it when it is there and does without when it is not.
    """
    folder = model_files.folder_of(spec)
    if folder is not None:
        return folder / TAGS_FILE if (folder / TAGS_FILE).is_file() else None
    info = lookup(spec)
    repo_id = info.repo_id if info is not None else (spec if model_files.looks_like_repo_id(spec) else None)
    if repo_id is None:
        return None
    from huggingface_hub import hf_hub_download

    for revision in dict.fromkeys([info.revision if info is not None else "main", "main"]):
        try:
            return Path(hf_hub_download(repo_id, TAGS_FILE, revision=revision, cache_dir=cache_dir,
                                        local_files_only=True))
        except Exception:  # noqa: BLE001 - not in the cache (or no cache at all): there is no vocabulary to offer
            continue
    return None


def read_tags(path: Path) -> list[tuple[str, str]]:
    """(display name, category name) per row of selected_tags.csv, in file order (the model's output order)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            fields = set(reader.fieldnames or ())
            if not {"name", "category"} <= fields:
                raise ModelError(f"{path} has no name/category columns (found: {', '.join(sorted(fields)) or 'none'})",
                                 "selected_tags.csv must have the header tag_id,name,category,count")
            rows = []
            for line, row in enumerate(reader, start=2):
                try:
                    code = int(str(row["category"]).strip())
                except ValueError:
                    raise ModelError(f"{path}:{line}: category {row['category']!r} is not a number",
                                     "categories are 9 rating, 0 general, 4 character") from None
                rows.append((display_name(row["name"] or ""), category_name(code)))
    except UnicodeDecodeError as exc:
        raise ModelError(f"{path} is not UTF-8 text", "download selected_tags.csv again") from exc
    except OSError as exc:
        raise ModelError(f"cannot read {path}: {exc.strerror or exc}", local_hint()) from exc
    if not rows:
        raise ModelError(f"{path} lists no tags", "download selected_tags.csv again")
    return rows
