"""kohya's `N_name` folders (`img/5_HaileyGrice`): the concept is the name, N the user's repeats, and two folders
of one name are two tiers of one concept (pure).

sd-scripts reads a folder name as `<repeats>_<class tokens>`: library/config_util.py,
BlueprintGenerator/generate_dreambooth_subsets_config_by_subdirs -> extract_dreambooth_params splits the name
on "_", takes int(tokens[0]) as the repeats and joins the rest back with "_"; a folder whose first token is not
a number is ignored there. Every LoRA guide builds its dataset that way, so a dataset made for kohya scans as
the concepts the user meant, not as concepts named `5_HaileyGrice`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

_REPEAT_FOLDER = re.compile(r"^(\d{1,4})_(.*\S.*)$")


def repeat_folder(name: str) -> tuple[int, str] | None:
    """(repeats, name) of a kohya `N_name` folder; None for any other name (and for 0 repeats: kohya skips it)."""
    match = _REPEAT_FOLDER.match(name)
    if match is None or int(match.group(1)) == 0:
        return None
    return int(match.group(1)), match.group(2)


@dataclass(frozen=True)
class Placement:
    concept: str
    tier: str
    repeats: int | None      # the folder's repeats, None when the folder does not say


def concept_name(folder: str) -> str:
    """The concept a first-level folder holds: its name without kohya's repeats prefix."""
    parsed = repeat_folder(folder)
    return parsed[1] if parsed else folder


def place(first: str, second: str, siblings: Iterable[str]) -> Placement:
    """Concept, tier and folder repeats of a file under ``first``/``second`` (``second`` '' when the file sits in
    ``first``); ``siblings``: every first-level folder name of the dataset. Folders that share a concept name
    (`5_HaileyGrice`, `2_HaileyGrice`) become tiers named by their repeats (`5x`, `2x`; a plain `HaileyGrice`
    folder beside them is the '' tier), so the two never merge into one group with one repeat count."""
    parsed = repeat_folder(first)
    if parsed is None:
        return Placement(first, second, None)
    repeats, concept = parsed
    shared = sum(1 for s in siblings if concept_name(s) == concept) > 1
    tier = "-".join(p for p in (f"{repeats}x" if shared else "", second) if p)
    return Placement(concept, tier, repeats)


def folder_repeats(paths: Iterable[str]) -> int | None:
    """The repeats the first folder of every path states, when they all state the same; else None."""
    found = {(repeat_folder(p.split("/", 1)[0]) or (None,))[0] if "/" in p else None for p in paths}
    return found.pop() if len(found) == 1 else None
