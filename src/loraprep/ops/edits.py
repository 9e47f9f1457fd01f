"""Batch edit operations: what one EditOp means for one image, as journal operations (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from loraprep.errors import UsageError
from loraprep.model.tagname import display_name
from loraprep.store.journal import FileOp, TagOp

TAG_KINDS = ("add", "remove", "replace", "consolidate", "pin", "unpin")
FILE_KINDS = ("concept", "tier", "exclude", "include")


@dataclass(frozen=True)
class EditOp:
    """One batch edit: ``kind`` with its tags (add/remove/pin/unpin: the tags; replace: [old], consolidate:
    [many...]) and ``target`` (replace/consolidate: the new tag; concept/tier: the new name)."""

    kind: str
    tags: tuple[str, ...] = ()
    target: str = ""

    def __post_init__(self):
        if self.kind not in TAG_KINDS + FILE_KINDS:
            raise UsageError(f"unknown edit '{self.kind}'", hint=f"use one of: {', '.join(TAG_KINDS + FILE_KINDS)}")
        object.__setattr__(self, "tags", tuple(dict.fromkeys(display_name(t) for t in self.tags if t.strip())))
        if self.kind in ("replace", "consolidate"):
            object.__setattr__(self, "target", display_name(self.target))
        if self.kind in TAG_KINDS and not self.tags:
            raise UsageError(f"'{self.kind}' needs at least one tag",
                             hint=f"e.g. `loraprep edit-tags DATASET {self.kind} \"red hair\" --where ...`")
        if self.kind in ("replace", "consolidate") and not self.target:
            raise UsageError(f"'{self.kind}' needs the tag to put in place (--to)",
                             hint=f"e.g. `loraprep edit-tags DATASET {self.kind} \"old tag\" --to \"new tag\"`")

    @property
    def label(self) -> str:
        if self.kind in ("replace", "consolidate"):
            return f"{self.kind} {', '.join(self.tags)} -> {self.target}"
        if self.kind in ("concept", "tier"):
            return f"move to {self.kind} '{self.target}'"
        return f"{self.kind} {', '.join(self.tags)}".strip()


@dataclass(frozen=True)
class ImageFacts:
    """What an edit needs to know of one image: its visible tags, pinned ones, and its file fields."""

    file_id: int
    image_id: str | None
    present: frozenset[str]           # tags the image shows before rules (base tags)
    pinned: frozenset[str] = frozenset()
    status: str = "active"
    concept: str = ""
    tier: str = ""


def ops_for(edit: EditOp, image: ImageFacts) -> tuple[list[TagOp], list[FileOp]]:
    """The journal operations that apply ``edit`` to ``image``; empty when it would change nothing."""
    if edit.kind in FILE_KINDS:
        return [], _file_ops(edit, image)
    if image.image_id is None:
        return [], []
    iid = image.image_id
    present = image.present
    if edit.kind == "add":
        return [TagOp(iid, t, "add") for t in edit.tags if t not in present], []
    if edit.kind == "remove":
        return [TagOp(iid, t, "remove") for t in edit.tags if t in present], []
    if edit.kind == "pin":
        return [TagOp(iid, t, "pin") for t in edit.tags if t not in image.pinned], []
    if edit.kind == "unpin":
        return [TagOp(iid, t, "unpin") for t in edit.tags if t in image.pinned], []
    # replace / consolidate: only images that have one of the old tags change
    hits = [t for t in edit.tags if t in present and t != edit.target]
    if not hits:
        return [], []
    ops = [TagOp(iid, t, "remove") for t in hits]
    if edit.target not in present:
        ops.append(TagOp(iid, edit.target, "add"))
    return ops, []


def _file_ops(edit: EditOp, image: ImageFacts) -> list[FileOp]:
    if edit.kind == "exclude" and image.status == "active":
        return [FileOp(image.file_id, "status", "active", "excluded")]
    if edit.kind == "include" and image.status == "excluded":
        return [FileOp(image.file_id, "status", "excluded", "active")]
    if edit.kind in ("concept", "tier"):
        old = image.concept if edit.kind == "concept" else image.tier
        if old != edit.target:
            return [FileOp(image.file_id, edit.kind, old, edit.target)]
    return []
