"""Find a tagger's two files (local folder or Hugging Face hub, cache and offline mode honoured) and read its tags."""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from loraprep import settings
from loraprep.errors import ModelError
from loraprep.model.tagname import display_name
from loraprep.tagging.postprocess import category_name
from loraprep.tagging.registry import MODELS, lookup

MODEL_FILE = "model.onnx"
TAGS_FILE = "selected_tags.csv"
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True)
class ModelFiles:
    """Where a tagger's files are, and the name@revision its scores are stored under."""

    name: str
    revision: str
    model_path: Path
    tags_path: Path
    repo_id: str | None = None

    @property
    def key(self) -> str:
        return f"{self.name}@{self.revision[:12]}"


def local_hint(repo_id: str | None = None) -> str:
    fetch = (f"download {MODEL_FILE} and {TAGS_FILE} from https://huggingface.co/{repo_id} into a folder, then "
             if repo_id else "")
    return f"{fetch}pass the folder instead of a name: loraprep tag DATASET --model /path/to/folder"


def resolve(spec: str, revision: str | None = None, cache_dir: str | Path | None = None) -> ModelFiles:
    """A registry name, a hub repo id or a local folder (or its model.onnx), as the files to load."""
    spec = str(spec).strip()
    path = Path(spec).expanduser()
    if path.is_file() and path.suffix == ".onnx":
        path = path.parent
    if path.is_dir():
        return _local(path)
    info = lookup(spec)
    if info is not None:
        return _hub(info.repo_id, revision or info.revision, info.name, cache_dir)
    if _REPO_ID.match(spec) and not spec.startswith((".", "~")):
        return _hub(spec, revision or "main", spec, cache_dir)
    if any(sep in spec for sep in ("/", "\\")) or spec.startswith((".", "~")):
        raise ModelError(f"model folder not found: {spec}", f"a model folder holds {MODEL_FILE} and {TAGS_FILE}")
    raise ModelError(f"unknown model {spec!r}",
                     f"use one of: {', '.join(MODELS)}; a hub repo id (owner/name); or a folder with "
                     f"{MODEL_FILE} + {TAGS_FILE}")


def _local(folder: Path) -> ModelFiles:
    missing = [f for f in (MODEL_FILE, TAGS_FILE) if not (folder / f).is_file()]
    if missing:
        raise ModelError(f"model folder {folder} has no {' or '.join(missing)}",
                         f"a WD tagger folder holds {MODEL_FILE} and {TAGS_FILE}")
    digest = hashlib.sha256()
    for name in (MODEL_FILE, TAGS_FILE):
        with open(folder / name, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return ModelFiles(folder.resolve().name, digest.hexdigest(), folder / MODEL_FILE, folder / TAGS_FILE)


def cached_tags_file(spec: str, cache_dir: str | Path | None = None) -> Path | None:
    """The tagger's selected_tags.csv if it is on this machine (a folder or the hub cache), else None.

    Never downloads: the editor's autocomplete uses it when it is there and does without when it is not.
    """
    path = Path(str(spec)).expanduser()
    if path.is_file() and path.suffix == ".onnx":
        path = path.parent
    if path.is_dir():
        return path / TAGS_FILE if (path / TAGS_FILE).is_file() else None
    info = lookup(spec)
    repo_id = info.repo_id if info is not None else (spec if _REPO_ID.match(spec) else None)
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


def _hub(repo_id: str, revision: str, name: str, cache_dir) -> ModelFiles:
    from huggingface_hub import hf_hub_download

    offline = settings.get("HF_HUB_OFFLINE").strip().lower() not in ("", "0", "false", "no", "off")
    paths = {}
    for filename in (TAGS_FILE, MODEL_FILE):  # the small file first: a wrong repo fails fast
        try:
            paths[filename] = Path(hf_hub_download(repo_id, filename, revision=revision, cache_dir=cache_dir,
                                                   local_files_only=offline))
        except Exception as exc:  # huggingface_hub's error classes moved between versions: classify by name
            raise _hub_error(exc, repo_id, revision, filename, offline) from exc
    # Files live in .../snapshots/<commit>/: the commit pins what "main" meant when these scores were made.
    commit = paths[MODEL_FILE].parent.name
    return ModelFiles(name, commit, paths[MODEL_FILE], paths[TAGS_FILE], repo_id)


def _hub_error(exc: Exception, repo_id: str, revision: str, filename: str, offline: bool) -> ModelError:
    kinds = {cls.__name__ for cls in type(exc).__mro__}
    where = f"{repo_id}@{revision}"
    if "LocalEntryNotFoundError" in kinds or "OfflineModeIsEnabled" in kinds:
        why = "HF_HUB_OFFLINE is set" if offline else "the Hugging Face hub cannot be reached"
        return ModelError(f"model {where} is not in the Hugging Face cache and {why}", local_hint(repo_id))
    if "RepositoryNotFoundError" in kinds or "GatedRepoError" in kinds:
        return ModelError(f"Hugging Face repo {repo_id} not found (or private)",
                          "check the name: loraprep knows " + ", ".join(MODELS))
    if "RevisionNotFoundError" in kinds:
        return ModelError(f"revision {revision!r} not found in {repo_id}", "leave --revision out to use the default")
    if "EntryNotFoundError" in kinds:
        return ModelError(f"{repo_id}@{revision} has no {filename}; it is not a WD tagger repo", local_hint())
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    return ModelError(f"cannot download {filename} from {where}: {first}", local_hint(repo_id))


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
