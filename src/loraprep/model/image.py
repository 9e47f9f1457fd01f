"""Frozen records of images: what decoding found (ImageInfo) and what the store knows of a file (FileRecord)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ImageInfo:
    """What decoding one image's bytes found out."""

    width: int
    height: int
    format: str
    mode: str
    has_alpha: bool
    animated: bool = False
    frames: int = 1
    exif_rotated: bool = False


@dataclass(frozen=True)
class FileRecord:
    """One image file of the dataset as the store knows it (content facts joined in)."""

    id: int
    path: str
    image_id: str | None
    concept: str
    tier: str
    size: int
    mtime_ns: int
    status: str
    reason: str
    small: bool
    caption_path: str | None
    width: int | None = None
    height: int | None = None
    format: str | None = None
    mode: str | None = None
    has_alpha: bool = False
    animated: bool = False
    frames: int = 1
    exif_rotated: bool = False

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def to_dict(self) -> dict:
        return asdict(self)
