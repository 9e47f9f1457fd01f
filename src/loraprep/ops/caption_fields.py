"""Caption fields of a dataset's images (journal, provenance, tagger, detection), their edits, and export files."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

from loraprep.model.caption_fields import check_field, clean_value
from loraprep.model.field_sources import ImageFacts, all_fields
from loraprep.store import journal
from loraprep.store.fields import FieldOp, field_values
from loraprep.store.sources import source_of, sources_by_path

EXPORT_FOLDER = "caption_fields"   # inside the export: <concept or _root>/wildcard.txt, core_tags.json, emb_init.json


def facts_for(ws, files) -> dict[int, ImageFacts]:
    """Per file id, what is known of it besides its tags (one pass over the store)."""
    conn = ws.store.conn
    ids = [f.image_id for f in files if f.image_id]
    journal_values = field_values(conn, ids)
    sources = (sources_by_path(ws.store) if len(files) > 1
               else {f.path: s for f in files if (s := source_of(ws.store, f.path)) is not None})
    people = ws.people_fields()  # read once per workspace load, shared with --where's npeople
    facts = {}
    for f in files:
        seen = people.get(f.image_id or "")
        source = sources.get(f.path)
        if source is not None and f.image_id != source.sha256:
            source = None  # the file was replaced since it was acquired
        scores = ws.scores.get(f.image_id, ()) if f.image_id else ()
        characters = tuple(t for t, c, s in scores if c == "character" and s >= ws.thresholds.character)
        ratings = [(s, t) for t, c, s in scores if c == "rating"]
        facts[f.id] = ImageFacts(
            journal={k: (v.value, v.by_user) for k, v in journal_values.get(f.image_id or "", {}).items()},
            source_kind=source.kind if source else "", source_data=source.data if source else {},
            path=f.path, tagger_characters=characters, tagger_rating=max(ratings)[1] if ratings else "",
            npeople=seen.npeople if seen else None, crop_info=seen.crop_info if seen else "")
    return facts


def fields_for(ws, files) -> dict[int, dict[str, tuple[str, str]]]:
    """Per file id: field -> (value, where from)."""
    return {file_id: all_fields(f) for file_id, f in facts_for(ws, files).items()}


def composed(ws, f, fields: dict) -> tuple[tuple[str, ...], int]:
    """One file's caption elements with its fields (rules/caption_fields.compose) and the kept count."""
    from loraprep.rules.caption_fields import CHARACTER_RULES, compose

    verdict = ws.verdict(f.id)
    names, keep = verdict.names, min(verdict.keep_tokens, len(verdict.names))
    dropped = tuple(d[0] for d in verdict.dropped if d[1] in CHARACTER_RULES)
    result = compose(names, keep, {k: v[0] for k, v in fields.items()}, ws.recipe.caption, f.image_id or f.path,
                     dropped)
    return result.tags, result.keep


def set_field(ws, file_ids: list[int], field: str, value: str, *, via: str = "cli") -> int | None:
    """A person sets one field of some images: one journal batch (undoable); returns its id."""
    check_field(field)
    value = clean_value(value)
    image_ids = list(dict.fromkeys(ws.entry(i).file.image_id for i in file_ids if ws.entry(i).file.image_id))
    with ws.store.write() as conn:
        return journal.record_batch(conn, f"set {field} = {value!r}" if value else f"clear {field}", "user",
                                    field_ops=[FieldOp(i, field, value) for i in image_ids], via=via)


def rename_value(ws, field: str, old: str, new: str, *, via: str = "cli") -> int | None:
    """Every image whose field is ``old`` gets ``new`` (naming an unknown cluster): one journal batch."""
    check_field(field)
    old, new = clean_value(old), clean_value(new)
    files = ws.files(statuses=("active", "excluded"))
    current = fields_for(ws, files)
    image_ids = list(dict.fromkeys(f.image_id for f in files if f.image_id and current[f.id][field][0] == old))
    if not image_ids or old == new:
        return None
    with ws.store.write() as conn:
        return journal.record_batch(conn, f"rename {field} {old!r} -> {new!r}", "user",
                                    field_ops=[FieldOp(i, field, new) for i in image_ids], via=via)


def character_files(recipe, files, fields, verdicts) -> dict[str, bytes]:
    """Per concept: wildcard.txt (one line per character), core_tags.json (per character, each tag's share of its
    images) and emb_init.json (per character, its core trait tags: guide 002's embedding initialisation)."""
    from loraprep.rules.caption_fields import CHARACTER_RULES
    from loraprep.rules.categories import trait_of

    settings = recipe.caption
    groups: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for f in files:
        for character in (c.strip() for c in fields[f.id]["character"][0].split(",")):
            if character:
                groups[f.concept][character].append(verdicts[f.id])
    out: dict[str, bytes] = {}
    for concept, characters in sorted(groups.items()):
        concept_recipe = recipe.for_concept(concept)
        threshold, fixed = concept_recipe.rules.core_frequency, set(concept_recipe.fixed_tags)
        wildcard, core, init = [], {}, {}
        for character, results in sorted(characters.items()):
            counts = Counter(n for v in results for n in dict.fromkeys(
                (*v.names, *(d[0] for d in v.dropped if d[1] in CHARACTER_RULES))))
            shares = {t: round(n / len(results), 4) for t, n in counts.most_common() if n / len(results) >= threshold}
            for name in fixed | {character}:
                shares.pop(name, None)
            core[character] = shares
            init[character] = [t for t in shares if trait_of(t)] or list(shares)
            dropped = [t for t in dict.fromkeys(d[0] for v in results for d in v.dropped if d[1] in CHARACTER_RULES)]
            wildcard.append(", ".join([character, *dropped]) if settings.append_dropped_character_tags_wildcard
                            else character)
        folder = f"{EXPORT_FOLDER}/{concept or '_root'}"
        out[f"{folder}/wildcard.txt"] = ("\n".join(wildcard) + "\n").encode("utf-8")
        out[f"{folder}/core_tags.json"] = json.dumps(core, indent=2, ensure_ascii=False).encode("utf-8")
        out[f"{folder}/emb_init.json"] = json.dumps(init, indent=2, ensure_ascii=False).encode("utf-8")
    return out
