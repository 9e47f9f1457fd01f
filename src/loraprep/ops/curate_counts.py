"""What `tags` and `curate --diff` count over a whole dataset, from the packed verdicts of engine/bulk.py: per tag
the rules that prune it; per rule and concept the tags removed with examples, the tags added, the images changed.

Counters list their keys in the order the per-image loop would meet them (files in path order, each image's
drops in rule order), so ties in ``most_common`` fall as they did.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from loraprep.engine.bulk import BulkRead, ConceptVerdicts
from loraprep.ops.curate_records import recorded_ops
from loraprep.rules.packed_steps import distinct


def _drop_rows(cv: ConceptVerdicts):
    """The packed drops: (file index, place among its image's drops, name id, rule name index) arrays."""
    p = cv.packed
    image = p.drop_image
    first = np.searchsorted(image, image)           # drops are sorted by image
    return cv.files[image] if len(image) else image, np.arange(len(image)) - first, p.drop_id, p.drop_rule


def pruned_by_tag(cv: ConceptVerdicts, names: list[str]) -> dict[str, Counter]:
    """tag -> Counter(rule -> images it removed the tag from) over one concept's active files."""
    pruned: dict[str, Counter] = defaultdict(Counter)
    p = cv.packed
    if len(p.drop_id):
        keys, counts = distinct(p.drop_id * len(p.rule_names) + p.drop_rule)
        for key, n in zip(keys.tolist(), counts.tolist()):
            pruned[names[key // len(p.rule_names)]][p.rule_names[key % len(p.rule_names)]] += n
    for verdict in cv.deferred.values():
        for tag, rule, _why, _by_user in verdict.dropped:
            pruned[tag][rule] += 1
    return pruned


def curate_diff(bulk: BulkRead, concept: str, cv: ConceptVerdicts, per_rule: dict, added: dict,
                examples: int) -> int:
    """One concept's part of `curate`'s dry run: fills ``per_rule`` ((rule, concept) -> slot) and ``added``
    ((origin, concept, tag) -> [count, first place]); returns how many images would change."""
    files, names, paths = bulk.files, bulk.vocab.names, bulk.files.paths
    p = cv.packed
    with_image = np.array([bool(files.image_ids[f]) for f in cv.files.tolist()], dtype=bool)
    # (rule, tag) -> [count, first (file, place)]; (rule) -> examples as (file, place, path, tag, why)
    met: dict[tuple[str, str], list] = {}
    shown: dict[str, list] = defaultdict(list)
    file, place, ids, rules = _drop_rows(cv)
    counted = with_image[p.drop_image] if len(p.drop_image) else np.zeros(0, dtype=bool)
    if counted.any():
        file, place, ids, rules = file[counted], place[counted], ids[counted], rules[counted]
        kinds = len(names)
        key = rules * kinds + ids
        order = np.argsort(key, kind="stable")   # drops come in (file, place) order
        key, file_o, place_o = key[order], file[order], place[order]
        lead = np.concatenate([[True], key[1:] != key[:-1]])
        counts = np.diff(np.concatenate([np.flatnonzero(lead), [len(key)]]))
        for k, n, f, q in zip(key[lead].tolist(), counts.tolist(), file_o[lead].tolist(), place_o[lead].tolist()):
            met[(p.rule_names[k // kinds], names[k % kinds])] = [n, (f, q)]
        rows = np.flatnonzero(counted)
        for code in distinct(rules)[0].tolist():
            for r in rows[p.drop_rule[rows] == code][:examples].tolist():
                shown[p.rule_names[code]].append((int(cv.files[p.drop_image[r]]), 0, paths[cv.files[p.drop_image[r]]],
                                                  names[p.drop_id[r]], p.why(r)))
    changed = len(distinct(p.drop_image[counted])[0]) if len(p.drop_image) else 0
    _count_added(cv, with_image, concept, added)
    for local, verdict in cv.deferred.items():
        if not with_image[local]:
            continue
        f = int(cv.files[local])
        for q, (tag, rule, why, _by_user) in enumerate(verdict.dropped):
            found = met.setdefault((rule, tag), [0, (f, q)])
            found[0] += 1
            found[1] = min(found[1], (f, q))
            if len(shown[rule]) < examples or (f, q) < shown[rule][-1][:2]:
                shown[rule].append((f, q, paths[f], tag, why))
                shown[rule].sort(key=lambda e: e[:2])
                del shown[rule][examples:]
        for q, (name, origin) in enumerate(verdict.added):
            found = added.setdefault((origin, concept, name), [0, (f, q)])
            found[0] += 1
            found[1] = min(found[1], (f, q))
        if recorded_ops(verdict, bulk.lean(f)):
            changed += 1
    for (rule, tag), (n, first) in sorted(met.items(), key=lambda item: item[1][1]):
        slot = per_rule.get((rule, concept))
        if slot is None:
            slot = per_rule[(rule, concept)] = {"rule": rule, "concept": concept, "removed": 0, "tags": Counter(),
                                                "examples": [{"path": e[2], "tag": e[3], "why": e[4]}
                                                             for e in sorted(shown[rule], key=lambda e: e[:2])[:examples]]}
        slot["removed"] += n
        slot["tags"][tag] += n
    return changed


def _count_added(cv: ConceptVerdicts, with_image: np.ndarray, concept: str, added: dict) -> None:
    """The packed images' added tags: the recipe's slots an image did not have."""
    p = cv.packed
    if not len(p.slots):
        return
    packed = with_image.copy()
    packed[list(cv.deferred)] = False
    lacking = packed[:, None] & ~p.slot_had
    for s, (name, origin) in enumerate(p.slots):
        where = np.flatnonzero(lacking[:, s])
        if len(where):
            found = added.setdefault((origin, concept, name), [0, (int(cv.files[where[0]]), s)])
            found[0] += len(where)
            found[1] = min(found[1], (int(cv.files[where[0]]), s))
