"""Batch edit operations: what one EditOp means for each image, as journal operations (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Container, Sequence

from loraprep.errors import UsageError
from loraprep.limits import check_edit_tags
from loraprep.model.image import FileRecord
from loraprep.model.tagname import display_name
from loraprep.model.tags import FRONT
from loraprep.store.journal import FileOp, TagOpSet

Images = Callable[[str], Container[str]]  # tag -> the image ids it holds for

TAG_KINDS = ("add", "remove", "replace", "consolidate", "pin", "unpin")
FILE_KINDS = ("concept", "tier", "exclude", "include")


@dataclass(frozen=True)
class EditOp:
    """One batch edit: ``kind`` with its tags (add/remove/pin/unpin: the tags; replace: [old], consolidate:
    [many...]) and ``target`` (replace/consolidate: the new tag; concept/tier: the new name). An add may say
    ``position="front"``: the tags go right after the trigger and fixed slots, whatever the recipe's order."""

    kind: str
    tags: tuple[str, ...] = ()
    target: str = ""
    position: str = ""

    def __post_init__(self):
        if self.kind not in TAG_KINDS + FILE_KINDS:
            raise UsageError(f"unknown edit '{self.kind}'", hint=f"use one of: {', '.join(TAG_KINDS + FILE_KINDS)}")
        check_edit_tags(self.tags, self.target)  # before any work on them: the web and the CLI share the limits
        object.__setattr__(self, "tags", tuple(dict.fromkeys(display_name(t) for t in self.tags if t.strip())))
        if self.kind in ("replace", "consolidate"):
            object.__setattr__(self, "target", display_name(self.target))
        if self.kind in TAG_KINDS and not self.tags:
            raise UsageError(f"'{self.kind}' needs at least one tag",
                             hint=f"e.g. `loraprep edit-tags DATASET {self.kind} \"red hair\" --where ...`")
        if self.position not in ("", "front") or (self.position and self.kind != "add"):
            raise UsageError(f"position '{self.position}' is not possible for '{self.kind}'",
                             hint="only an add takes a position, and the one there is: front")
        if self.kind in ("replace", "consolidate") and not self.target:
            raise UsageError(f"'{self.kind}' needs the tag to put in place (--to)",
                             hint=f"e.g. `loraprep edit-tags DATASET {self.kind} \"old tag\" --to \"new tag\"`")

    @property
    def label(self) -> str:
        if self.kind in ("replace", "consolidate"):
            return f"{self.kind} {', '.join(self.tags)} -> {self.target}"
        if self.kind in ("concept", "tier"):
            return f"move to {self.kind} '{self.target}'"
        at = " at the front" if self.position == "front" else ""
        return f"{self.kind}{at} {', '.join(self.tags)}".strip()


def file_ops_for(edit: EditOp, file: FileRecord) -> list[FileOp]:
    """The journal operations that apply a file edit (concept, tier, exclude, include) to one file; empty when
    it would change nothing."""
    if edit.kind == "exclude" and file.status == "active":
        return [FileOp(file.id, "status", "active", "excluded")]
    if edit.kind == "include" and file.status == "excluded":
        return [FileOp(file.id, "status", "excluded", "active")]
    if edit.kind in ("concept", "tier"):
        old = file.concept if edit.kind == "concept" else file.tier
        if old != edit.target:
            return [FileOp(file.id, edit.kind, old, edit.target)]
    return []


def tag_sets_for(edit: EditOp, image_ids: Sequence[str], shown: Images, pinned: Images,
                 in_front: Images) -> list[TagOpSet]:
    """A tag edit over many images as operation sets: for each tag and operation, the images it changes.

    ``shown(tag)`` holds the images that show a tag, ``pinned(tag)`` those where the user pinned it,
    ``in_front(tag)`` those where the user already added it at the front (an add at the front changes the
    others, shown or not). Within one image the operations keep the edit's order: a replace removes the old
    tags, then adds the new one.
    """
    kind = edit.kind
    if kind in ("add", "remove", "pin", "unpin"):
        of, inside = (pinned, kind == "unpin") if kind in ("pin", "unpin") else (shown, kind == "remove")
        origin = "user"
        if edit.position == "front":
            of, origin = in_front, FRONT
        sets = []
        for t in edit.tags:
            having = of(t)
            sets.append(TagOpSet(t, kind, tuple([i for i in image_ids if i in having] if inside
                                                else [i for i in image_ids if i not in having]), origin))
    else:  # replace / consolidate: only images that have one of the old tags change
        olds = [t for t in edit.tags if t != edit.target]
        having = {t: shown(t) for t in olds}
        sets = [TagOpSet(t, "remove", tuple([i for i in image_ids if i in having[t]])) for t in olds]
        hit = set().union(*(s.image_ids for s in sets))
        target = shown(edit.target)
        sets.append(TagOpSet(edit.target, "add", tuple([i for i in image_ids if i in hit and i not in target])))
    return [s for s in sets if s.image_ids]
