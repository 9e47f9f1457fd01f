"""The export contract: inputs (ExportItem, ExportOptions), what an exporter sees (ExportContext), the protocol."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Mapping, Protocol

from loraprep.export.buckets import bucket_limits

if TYPE_CHECKING:
    from loraprep.export.caption_tags import CaptionTags

LINK = "link"  # hard links: opt-in, exported files share the sources' bytes
COPY = "copy"  # the default: files of their own (copy-on-write clones where the file system can)
PRESETS = ("lora", "locon", "loha")


@dataclass(frozen=True)
class ExportItem:
    """One active image to export, with its final caption and planned repeats (the lead's store maps its rows here).

    ``fmt`` is Pillow's format name (JPEG, PNG, WEBP, ...), ``mode`` Pillow's mode (RGB, RGBA, CMYK, ...);
    both may be empty when unknown, and the file is then sniffed. ``exif_rotated`` is true when the EXIF
    orientation is not the identity.
    """

    image_id: str
    source: Path
    concept: str
    tier: str
    caption: str
    repeats: int
    fmt: str = ""
    mode: str = ""
    has_alpha: bool = False
    exif_rotated: bool = False
    animated: bool = False
    width: int | None = None
    height: int | None = None
    # The caption as tags (the rules' verdict, in order) and how many lead tags the trainer must pin for this
    # image. None: both are read from ``caption`` (see export/kept.py); a tag may then not hold the separator.
    tags: tuple[str, ...] | None = None
    keep: int | None = None


@dataclass(frozen=True)
class ExportOptions:
    """Everything an export needs besides the items.

    ``keep_tokens`` None means "as many as the trigger words" (per concept when ``concept_triggers`` names
    it). ``train_preset`` (lora | locon | loha) adds kohya's train.toml. ``epochs`` is the planned epoch count.
    ``replace`` replaces an existing output folder even when it is not provably a loraprep export.
    """

    out_dir: Path
    dataset_root: Path
    mode: str = COPY
    resolution: int = 768
    keep_tokens: int | None = None
    keep_tokens_separator: str | None = None
    shuffle_caption: bool = True
    trigger_words: tuple[str, ...] = ()
    concept_triggers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    concept_keep_tokens: Mapping[str, int] = field(default_factory=dict)   # per-concept override of keep_tokens
    concept_keep_separators: Mapping[str, str | None] = field(default_factory=dict)  # per concept, else the above
    epochs: int | None = None
    batch_size: int = 2
    train_preset: str | None = None
    enable_bucket: bool = True
    min_bucket_reso: int = 256
    max_bucket_reso: int | None = None
    bucket_reso_steps: int = 64
    caption_separator: str = ","
    output_name: str | None = None
    base_model: str | None = None
    train_output_dir: Path | None = None
    jpeg_quality: int = 95
    workers: int = 4
    ai_toolkit_shuffle: bool = False   # opt in to ai-toolkit's shuffle_tokens, which also moves the trigger
    replace: bool = False
    # Files written beside the images (relative posix path -> bytes: wildcard.txt, core_tags.json, ...), and
    # more keys for export.json (the caption fields' seed).
    extra_files: Mapping[str, bytes] = field(default_factory=dict)
    report_extra: Mapping[str, object] = field(default_factory=dict)


    def triggers_for(self, concept: str) -> tuple[str, ...]:
        return tuple(self.concept_triggers.get(concept, self.trigger_words))

    def keep_separator_for(self, concept: str) -> str | None:
        """kohya's keep_tokens_separator of a concept's captions (a per-concept value wins over the global one)."""
        if concept in self.concept_keep_separators:
            return self.concept_keep_separators[concept]
        return self.keep_tokens_separator

    def keep_is_auto(self, concept: str) -> bool:
        """True when the concept's keep count is "as many as its fixed tags" rather than a number the user set."""
        return concept not in self.concept_keep_tokens and self.keep_tokens is None

    def keep_tokens_for(self, concept: str) -> int:
        if concept in self.concept_keep_tokens:
            return self.concept_keep_tokens[concept]
        return self.keep_tokens if self.keep_tokens is not None else len(self.triggers_for(concept))

    @property
    def bucket_min(self) -> int:
        """min_bucket_reso as sd-scripts will use it: never above the resolution, a multiple of the steps."""
        return bucket_limits(self.resolution, self.min_bucket_reso, self.max_bucket_reso, self.bucket_reso_steps)[0]

    @property
    def bucket_max(self) -> int:
        """max_bucket_reso as sd-scripts will use it: at least the resolution (1024 by default), a multiple of the steps."""
        return bucket_limits(self.resolution, self.min_bucket_reso, self.max_bucket_reso, self.bucket_reso_steps)[1]


@dataclass(frozen=True)
class Group:
    """The images of one (concept, tier) that pin the same number of lead tags: one folder, one kohya subset,
    one OneTrainer concept. Every trainer counts keep_tokens per subset, so images whose kept prefix differs
    (a user removed a fixed tag) form a group of their own, with the same repeats."""

    concept: str
    tier: str
    repeats: int
    folder: str  # safe, unique folder name (no repeats prefix)
    keep_tokens: int = 0                     # lead tags the trainer keeps in place, for every image here
    keep_separator: str | None = None        # kohya's keep_tokens_separator for this subset
    secondary_separator: str | None = None   # kohya's secondary_separator, when a tag here holds the separator

    @property
    def label(self) -> str:
        return f"{self.concept}/{self.tier}" if self.tier else self.concept


@dataclass(frozen=True)
class Placed:
    """One item after placement: where it went (relative to the export root) and how."""

    item: ExportItem
    group: Group
    relpath: PurePosixPath
    caption: str
    method: str  # link | copy | convert
    conversions: tuple[str, ...] = ()
    caption_fallback: bool = False


@dataclass(frozen=True)
class ExportContext:
    """What a format's config writer gets: where files are staged now, and where they will live for good."""

    stage_root: Path
    final_root: Path
    options: ExportOptions
    groups: tuple[Group, ...]
    placed: tuple[Placed, ...]

    def final(self, relpath: PurePosixPath | str) -> Path:
        return self.final_root / PurePosixPath(relpath)

    def items_of(self, group: Group) -> list[Placed]:
        return [p for p in self.placed if p.group == group]


class Exporter(Protocol):
    """One trainer format: where each group's images go, and which config files describe them.

    A format whose config points the trainer's caches into the export also has
    ``cache_dirs(options, groups) -> list[PurePosixPath]``: those folders go with the export when it is replaced.
    """

    name: str
    description: str
    sidecar_captions: bool  # write <stem>.txt next to each image

    def group_dir(self, group: Group, options: ExportOptions) -> PurePosixPath:
        """The folder (relative to the export root) that holds this group's images."""

    def naming_scope(self, group: Group, options: ExportOptions) -> str:
        """Images whose stems must differ share a scope: the group folder, or one flat folder."""

    def caption(self, tags: "CaptionTags", group: Group, options: ExportOptions) -> str:
        """The caption as this trainer must read it (see caption_tags.py); ExportError when it cannot be written
        so that the trainer keeps every tag whole."""

    def write_configs(self, ctx: ExportContext) -> list[PurePosixPath]:
        """Write config files under ctx.stage_root; return their paths relative to it."""

    def train_command(self, ctx: ExportContext) -> str:
        """The command (or the step) that trains on this export, for the report and the CLI summary."""


class FolderPerGroup:
    """Exporter part for formats that put each group's images in a folder of its own under ``images_root``;
    stems must differ within a folder."""

    images_root = ""

    def group_dir(self, group: Group, options: ExportOptions) -> PurePosixPath:
        return PurePosixPath(self.images_root, group.folder)

    def naming_scope(self, group: Group, options: ExportOptions) -> str:
        return group.folder
