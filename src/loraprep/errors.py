"""The one error hierarchy: every expected failure is a LoraprepError with a message and a hint."""

from __future__ import annotations


class LoraprepError(Exception):
    """A failure a user can act on: shown as one line plus a hint, never as a traceback."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class DatasetError(LoraprepError):
    """The dataset folder or its state store is missing, unreadable or from a newer version."""


class ImageError(LoraprepError):
    """One image cannot be read or decoded; recorded per file, the run goes on."""


class ModelError(LoraprepError):
    """A tagger model cannot be found, downloaded or run."""


class RecipeError(LoraprepError):
    """The recipe (loraprep.toml) or a rule file has an unknown key or a bad value."""


class ExportError(LoraprepError):
    """An export cannot be written (bad target, output inside the dataset, ...)."""


class UsageError(LoraprepError):
    """The command line asks for something that does not make sense."""

    exit_code = 2


class SourceFileError(LoraprepError):
    """One source file (image or caption) cannot be taken as it is: a special file, too large, an undecodable
    caption, a name that is not UTF-8; recorded per file, the run goes on."""


class LimitError(UsageError):
    """A request goes past one of the named limits in loraprep.limits (too long a tag, too many tags or ids)."""


class ConflictError(LoraprepError):
    """What a request was based on changed meanwhile (another writer's batch is now the newest)."""
