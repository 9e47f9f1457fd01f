"""plan(): repeats per concept and tier, epochs and steps for a target, from the store and the recipe."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from loraprep.ops.recipe import load_dataset_recipe
from loraprep.store.db import open_store
from loraprep.store.files import list_files
from loraprep.store.pages import active_size_groups


def plan_inputs(files, recipe, *, rebalance: bool | None = None) -> list:
    """One ConceptInput per (concept, tier) of the active images, with the recipe's weights and overrides.

    A group whose files all sit in a kohya `N_name` folder keeps the user's N as its exact repeats unless the
    recipe's own `repeats` for the concept says otherwise, or a rebalance is asked for (``rebalance``, else the
    recipe's `[export] folder_repeats`)."""
    if rebalance is None:
        rebalance = recipe.export.folder_repeats == "rebalance"
    groups: dict[tuple[str, str], list] = defaultdict(list)
    paths: dict[tuple[str, str], list[str]] = defaultdict(list)
    for f in files:
        groups[(f.concept, f.tier)].append((f.width or 0, f.height or 0))
        paths[(f.concept, f.tier)].append(f.path)
    return _concept_inputs(groups, paths, recipe, rebalance)


def store_plan_inputs(store, recipe, *, rebalance: bool | None = None) -> list:
    """``plan_inputs`` of the active images counted by SQLite: per group, one size object per distinct size and
    one path per top folder, so a million images cost a million references, not a million records."""
    if rebalance is None:
        rebalance = recipe.export.folder_repeats == "rebalance"
    groups: dict[tuple[str, str], list] = defaultdict(list)
    paths: dict[tuple[str, str], list[str]] = defaultdict(list)
    for concept, tier, width, height, top, count in active_size_groups(store):
        groups[(concept, tier)].extend([(width, height)] * count)
        paths[(concept, tier)].append(top)  # folder_repeats reads the first folder of each path only
    return _concept_inputs(groups, paths, recipe, rebalance)


def _concept_inputs(groups: dict, paths: dict, recipe, rebalance: bool) -> list:
    from loraprep.balance import ConceptInput
    from loraprep.ingest.kohya_folders import folder_repeats

    inputs = []
    for (concept, tier), sizes in sorted(groups.items()):
        c = recipe.for_concept(concept)
        stated = None if rebalance or c.repeats is not None else folder_repeats(paths[(concept, tier)])
        inputs.append(ConceptInput(concept=concept, tier=tier, images=len(sizes), sizes=tuple(sizes),
                                   weight=c.weight, repeats=stated, concept_repeats=c.repeats))
    return inputs


def make_dataset_plan(files, recipe, *, steps: int | None = None, batch: int | None = None,
                      epochs: int | None = None, rebalance: bool | None = None, inputs: list | None = None):
    """The balance plan of ``files`` (or of ``inputs``, ``store_plan_inputs``' answer, when given)."""
    from loraprep.balance import BucketSpec, make_plan
    from loraprep.export.buckets import bucket_limits

    e = recipe.export
    resolution = e.resolution
    low, high = bucket_limits(resolution)  # the very values the kohya exports write
    if inputs is None:
        inputs = plan_inputs(files, recipe, rebalance=rebalance)
    return make_plan(inputs, target_steps=steps or e.target_steps,
                     batch_size=batch or e.batch_size, epochs=epochs or e.epochs, tier_weights=dict(e.tier_weights) or None,
                     buckets=BucketSpec(resolution=resolution, min_reso=low, max_reso=high))


def plan(dataset: str | Path, *, steps: int | None = None, batch: int | None = None, epochs: int | None = None,
         rebalance: bool | None = None) -> dict:
    """The balance plan as data (what `loraprep plan --json` prints); ``rebalance`` overrides the recipe's
    `[export] folder_repeats` for kohya `N_name` folders."""
    store = open_store(dataset)
    try:
        recipe = load_dataset_recipe(store.root)
        result = make_dataset_plan(list_files(store, statuses=["active"]), recipe, steps=steps, batch=batch,
                                   epochs=epochs, rebalance=rebalance)
        return result.to_dict()
    finally:
        store.close()


def workspace_plan(ws, *, steps: int | None = None, batch: int | None = None, epochs: int | None = None) -> dict:
    """The plan of an open workspace's active images (the editor's plan panel)."""
    return make_dataset_plan(ws.files(statuses=("active",)), ws.recipe, steps=steps, batch=batch,
                             epochs=epochs).to_dict()
