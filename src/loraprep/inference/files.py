"""Find a model's files: a local folder, or the Hugging Face hub (cache and HF_HUB_OFFLINE honoured), pinned."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from loraprep import settings
from loraprep.errors import ModelError
from loraprep.inference.registry import lookup, models

_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True)
class Family:
    """What one kind of model needs: the files of its folder (the small ones first), and how to name it."""

    name: str          # registry family: "tagger", "detector", ...
    files: tuple[str, ...]
    label: str         # "WD tagger", for messages
    command: str       # how the user passes a folder: "loraprep tag DATASET --model"


@dataclass(frozen=True)
class ModelFiles:
    """Where a model's files are, and the name@revision its results are stored under."""

    name: str
    revision: str
    paths: dict
    repo_id: str | None = None

    @property
    def key(self) -> str:
        return f"{self.name}@{self.revision[:12]}"

    def path(self, filename: str) -> Path:
        return self.paths[filename]


def local_hint(family: Family, repo_id: str | None = None, subfolder: str = "") -> str:
    where = f"{repo_id}/tree/main/{subfolder}" if subfolder else repo_id
    fetch = (f"download {' and '.join(family.files)} from https://huggingface.co/{where} into a folder, then "
             if repo_id else "")
    return f"{fetch}pass the folder instead of a name: {family.command} /path/to/folder"


def looks_like_repo_id(spec: str) -> bool:
    """Whether a spec is shaped like a hub repo id (owner/name), not a relative path."""
    return bool(_REPO_ID.match(spec)) and not spec.startswith((".", "~"))


def folder_of(spec: str) -> Path | None:
    """The local folder a spec names (a folder, or a file inside one), or None when it names no existing path."""
    path = Path(str(spec).strip()).expanduser()
    if path.is_file() and path.suffix == ".onnx":
        path = path.parent
    return path if path.is_dir() else None


def resolve(spec: str, family: Family, revision: str | None = None,
            cache_dir: str | Path | None = None) -> ModelFiles:
    """A registry name, a hub repo id or a local folder (or a .onnx file in it), as the files to load."""
    spec = str(spec).strip()
    folder = folder_of(spec)
    if folder is not None:
        return _local(folder, family)
    info = lookup(spec, family.name)
    if info is not None:
        return _hub(info.repo_id, revision or info.revision, info.name, cache_dir, family, info.subfolder)
    if looks_like_repo_id(spec):
        return _hub(spec, revision or "main", spec, cache_dir, family)
    if any(sep in spec for sep in ("/", "\\")) or spec.startswith((".", "~")):
        raise ModelError(f"model folder not found: {spec}", f"a {family.label} folder holds {' and '.join(family.files)}")
    known = f"use one of: {', '.join(models(family.name))}; " if models(family.name) else "use "
    raise ModelError(f"unknown model {spec!r}",
                     f"{known}a hub repo id (owner/name); or a folder with {' + '.join(family.files)}")


def _local(folder: Path, family: Family) -> ModelFiles:
    missing = [f for f in family.files if not (folder / f).is_file()]
    if missing:
        raise ModelError(f"model folder {folder} has no {' or '.join(missing)}",
                         f"a {family.label} folder holds {' and '.join(family.files)}")
    digest = hashlib.sha256()
    for name in family.files:
        with open(folder / name, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return ModelFiles(folder.resolve().name, digest.hexdigest(), {f: folder / f for f in family.files})


def offline() -> bool:
    return settings.get("HF_HUB_OFFLINE").strip().lower() not in ("", "0", "false", "no", "off")


def _hub(repo_id: str, revision: str, name: str, cache_dir, family: Family, subfolder: str = "") -> ModelFiles:
    from huggingface_hub import hf_hub_download

    is_offline = offline()
    paths = {}
    for filename in family.files:  # the small files first: a wrong repo fails fast
        try:
            paths[filename] = Path(hf_hub_download(repo_id, filename, subfolder=subfolder or None, revision=revision,
                                                   cache_dir=cache_dir, local_files_only=is_offline))
        except Exception as exc:  # huggingface_hub's error classes moved between versions: classify by name
            raise _hub_error(exc, repo_id, revision, filename, is_offline, family, subfolder) from exc
    # Files live in .../snapshots/<commit>/[subfolder/]: the commit pins what "main" meant for these results.
    snapshot = next(iter(paths.values())).parent
    for _ in Path(subfolder).parts if subfolder else ():
        snapshot = snapshot.parent
    return ModelFiles(name, snapshot.name, paths, repo_id)


def _hub_error(exc: Exception, repo_id: str, revision: str, filename: str, is_offline: bool, family: Family,
               subfolder: str) -> ModelError:
    kinds = {cls.__name__ for cls in type(exc).__mro__}
    where = f"{repo_id}@{revision}"
    hint = local_hint(family, repo_id, subfolder)
    if "LocalEntryNotFoundError" in kinds or "OfflineModeIsEnabled" in kinds:
        why = "HF_HUB_OFFLINE is set" if is_offline else "the Hugging Face hub cannot be reached"
        return ModelError(f"model {where} is not in the Hugging Face cache and {why}", hint)
    if "RepositoryNotFoundError" in kinds or "GatedRepoError" in kinds:
        return ModelError(f"Hugging Face repo {repo_id} not found (or private)",
                          "check the name: loraprep knows " + ", ".join(models(family.name)))
    if "RevisionNotFoundError" in kinds:
        return ModelError(f"revision {revision!r} not found in {repo_id}", "leave --revision out to use the default")
    if "EntryNotFoundError" in kinds:
        inside = f"{subfolder}/{filename}" if subfolder else filename
        return ModelError(f"{where} has no {inside}; it is not a {family.label} repo", local_hint(family))
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    return ModelError(f"cannot download {filename} from {where}: {first}", hint)
