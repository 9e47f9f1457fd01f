"""One image read without the whole dataset: its rows, and its concept's statistics from a cache the store keeps."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from loraprep.ops.workspace import Workspace
from loraprep.rules.stats import ConceptStats
from loraprep.store import concept_cache


def open_one(dataset: str | Path, file_id: int, concept: str) -> Workspace:
    """A workspace holding one file, with its concept's core tags counted over the concept's active images
    (read from the cache when nothing they depend on changed, else counted from the concept's rows alone)."""
    ws = Workspace(dataset, only=[file_id])
    try:
        entry = ws.entries.get(file_id)
        names = entry.lean.names if entry is not None else ()
        # Counting the concept takes a pass over its images: only when this image's rules read its core tags.
        ws.use_stats({concept: concept_stats(ws, concept) if core_consulted(ws.concept_recipe(concept), names)
                      else None})
        return ws
    except BaseException:
        ws.close()
        raise


def core_consulted(concept, names) -> bool:
    """Whether the rules can read the concept's core tags for an image with these base ``names``: every name
    with drop_all_core (rules/strategy.py prune_why); otherwise only trait tags, with absorb_core
    (rules/context.py RuleContext.learned) or prune_mode character_core (prune_why). The recipe's fixed tags and
    alias targets count as the image's names too, since the rules may put them on it."""
    from loraprep.model.tagname import display_name
    from loraprep.rules.categories import trait_of

    rules = concept.rules
    seen = (*names, *concept.fixed_tags, *(target for _pattern, target in rules.aliases))
    if rules.drop_all_core:
        return bool(seen)
    if not (rules.absorb_core or rules.prune_mode == "character_core"):
        return False
    return any(trait_of(name) is not None or trait_of(display_name(name)) is not None for name in seen)


def cache_key(ws: Workspace, concept: str, tagging: str | None = None) -> str:
    """Everything the concept's counts follow from: the store's rows, the thresholds, the recipe's say."""
    recipe = ws.concept_recipe(concept)
    t = ws.thresholds
    settings = (ws.model, t.general, t.character, t.mcut, t.include_rating, ws.recipe.tagger.use,
                recipe.rules.core_frequency, _version())
    return f"{concept_cache.fingerprint(ws.store, concept, ws.model, tagging)}:{settings!r}"


def concept_stats(ws: Workspace, concept: str, page: int | None = None) -> ConceptStats | None:
    key = cache_key(ws, concept)
    found = concept_cache.load(ws.store, key, concept)
    if found is not None:
        if not found["images"]:
            return None
        return ConceptStats(found["images"], Counter(found["counts"]), frozenset(found["core"]),
                            found["core_frequency"])
    stats = counted_stats(ws, concept, page)
    concept_cache.save(ws.store, key, concept, stats)
    return stats


def counted_stats(ws: Workspace, concept: str, page: int | None = None) -> ConceptStats | None:
    """The concept's tag counts over its active images, read a page of files at a time: the memory of a page,
    not of the concept (a concept can hold a million images)."""
    from loraprep.rules.running_stats import RunningStats
    from loraprep.store.pages import PAGE, active_ids_of_concept

    running = RunningStats(lambda c: ws.concept_recipe(c).rules.core_frequency)
    with Workspace(ws.root, recipe_path=ws.recipe_path, model=ws.model_override, only=[]) as reader:
        for ids in active_ids_of_concept(ws.store, concept, page or PAGE):
            reader.only = ids
            reader.reload()
            running.add_many(concept, [e.lean.names for e in reader.entries.values()
                                       if e.file.status == "active" and e.file.concept == concept])
    return running.get(concept)


def remember_all(ws: Workspace) -> None:
    """Keep every concept's counts a whole-dataset read made (`tags`, `curate`), for the next one-image read."""
    running = ws.running_stats()
    tagging = concept_cache.tagging_state(ws.store, ws.model)
    for concept in running.concepts():
        concept_cache.save(ws.store, cache_key(ws, concept, tagging), concept, running.get(concept))


def _version() -> str:
    from loraprep import __version__

    return __version__
