"""The recipe's keys, their types and allowed values: one table drives validation, errors and docs."""

from __future__ import annotations

from loraprep.model.caption_fields import FIELDS, SETTABLE
from loraprep.model.recipe import CROP_MODES, CROP_WHATS, ORDERS, PRUNE_MODES, STRATEGIES, STYLES, TAGGER_USES
from loraprep.recipe.checks import separator_problem, unwritable, word_problem


def _str_list(value, key):
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v for v in value)
    raise TypeError(f"'{key}' must be a string or a list of strings")


def _number(lo, hi):
    def check(value, key):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"'{key}' must be a number")
        if not lo <= value <= hi:
            raise ValueError(f"'{key}' must be between {lo} and {hi}, not {value}")
        return float(value)
    return check


def _threshold(value, key):
    """A threshold between 0 and 1, or "model": the tagger's model card value (tagging/registry.py)."""
    if value == "model":
        return value
    if isinstance(value, str):
        raise ValueError(f"'{key}' must be a number between 0 and 1 or \"model\", not {value!r}")
    return _number(0, 1)(value, key)


def _int(lo, hi):
    def check(value, key):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"'{key}' must be a whole number")
        if not lo <= value <= hi:
            raise ValueError(f"'{key}' must be between {lo} and {hi}, not {value}")
        return value
    return check


def _bool(value, key):
    if not isinstance(value, bool):
        raise TypeError(f"'{key}' must be true or false")
    return value


def _string(value, key):
    if not isinstance(value, str):
        raise TypeError(f"'{key}' must be a string")
    return value


def _choice(options):
    def check(value, key):
        if value not in options:
            shown = ", ".join(o for o in options if o is not None)  # None is the unset default, not writable in TOML
            raise ValueError(f"'{key}' must be one of {shown}, not {value!r}")
        return value
    return check


def _keep_tokens(value, key):
    if value == "auto":
        return None
    return _int(0, 255)(value, key)


def _separator_token(value, key):
    if value is False:
        return None
    if value is True:
        return "|||"
    value = _string(value, key)
    if not value.strip():
        raise ValueError(f"'{key}' must not be empty; write false for none")
    bad = unwritable(value.strip())
    if bad:
        raise ValueError(f"'{key}' {value!r} has {bad}")
    return value


def _separator(value, key):
    problem = separator_problem(_string(value, key))
    if problem:
        raise ValueError(problem)
    return value


def _words(value, key):
    """Trigger / fixed words: each one a tag a caption can hold."""
    words = _str_list(value, key)
    for word in words:
        problem = word_problem(word, key)
        if problem:
            raise ValueError(problem)
    return words


def _aliases(value, key):
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise TypeError(f"'{key}' must be a table of \"tag or pattern\" = \"replacement\"")
    return tuple(value.items())


def _consolidate(value, key):
    if not isinstance(value, dict):
        raise TypeError(f"'{key}' must be a table of \"target\" = [\"tag\", ...]")
    pairs = []
    for target, sources in value.items():
        for source in _str_list(sources, f"{key}.{target}"):
            pairs.append((source, target))
    return tuple(pairs)


def _tier_weights(value, key):
    if not isinstance(value, dict):
        raise TypeError(f"'{key}' must be a table of tier = weight")
    return tuple((k, _number(0, 1000)(v, f"{key}.{k}")) for k, v in value.items())


def _text_encoding(value, key):
    """A codec Python can decode text with (``cp1252``, ``shift_jis``, ``utf-16``), not a bytes codec (base64)."""
    _string(value, key)
    try:
        "a".encode(value)  # LookupError for an unknown name and for a bytes codec alike (b"".decode checks neither)
    except LookupError:
        raise ValueError(f"'{key}' must name a text encoding such as \"cp1252\" or \"shift_jis\", "
                         f"not {value!r}") from None
    return value


def _optional_int(lo, hi):
    check = _int(lo, hi)
    return lambda value, key: None if value == "auto" else check(value, key)


# key -> (field name in the dataclass, validator, one-line help)
TOP = {
    "trigger": ("trigger", _words, "activation tag(s), first in every caption"),
    "fixed": ("fixed", _words, "tags kept right after the trigger (e.g. the consolidated outfit tag)"),
    "strategy": ("strategy", _choice(STRATEGIES), "all | absorb | only-learned (guide 001's three patterns)"),
    "keep_tokens": ("keep_tokens", _keep_tokens, "\"auto\" (trigger + fixed) or a number of leading tags kohya never shuffles"),
    "keep_tokens_separator": ("keep_tokens_separator", _separator_token,
                              "false, true (= \"|||\") or a string: write fixed tags before this separator"),
    "caption_encoding": ("caption_encoding", _text_encoding,
                         "encoding of caption files that are not UTF-8 (and have no byte-order mark), e.g. \"cp1252\""),
}
CONCEPT = dict(TOP, **{
    "repeats": ("repeats", _int(1, 1000), "repeats of this concept's weight-1 tiers (replaces the balance; tier weights still apply)"),
    "weight": ("weight", _number(0.01, 100), "relative weight in the balance (1 = equal share)"),
})
TAGGER = {
    "model": ("model", _string, "registry name, hub repo id or local folder"),
    "general": ("general", _threshold, "general tag threshold, or \"model\" for the model card's"),
    "character": ("character", _threshold, "character tag threshold, or \"model\" for the model card's"),
    "mcut": ("mcut", _bool, "use MCut thresholds instead"),
    "include_rating": ("include_rating", _bool, "keep the rating tag in captions"),
    "use": ("use", _choice(TAGGER_USES), "always | if-empty (only images without imported tags) | never"),
}
RULES = {
    "default_blacklist": ("default_blacklist", _bool, "drop the shipped meta tags (watermark, signature, ...)"),
    "blacklist": ("blacklist", _str_list, "tags never written ('*' wildcards, 're:' regex)"),
    "blacklist_file": ("blacklist_file", _string, "a file with one blacklisted tag per line"),
    "protect": ("protect", _str_list, "tags no rule may drop (e.g. blurry)"),
    "aliases": ("aliases", _aliases, "\"tag or pattern\" = \"replacement\""),
    "consolidate": ("aliases", _consolidate, "\"target\" = [\"tag\", ...] (many -> one)"),
    "overlap": ("overlap", _bool, "drop a tag a more specific present tag implies"),
    "overlap_file": ("overlap_file", _string, "JSON {\"tag\": [\"implied\", ...]}"),
    "core_frequency": ("core_frequency", _number(0.01, 1), "share of a concept's images that makes a tag core"),
    "learned": ("learned", _str_list, "tags the trigger should learn (absorb / only-learned)"),
    "learned_categories": ("learned_categories", _str_list, "trait categories the trigger learns"),
    "absorb_core": ("absorb_core", _bool, "core tags of an innate trait category (hair colour/length, eyes, skin, body) count as learned"),
    "prune_mode": ("prune_mode", _choice(PRUNE_MODES), "none | minimal | character_core | character (guide 002)"),
    "drop_difficulty": ("drop_difficulty", _int(0, 10), "prune_mode character drops trait tags below this difficulty"),
    "drop_all_core": ("drop_all_core", _bool, "drop every core tag of the concept (guide 002's --drop_all_core)"),
    "order": ("order", _choice(ORDERS), "score | original | alphabetical | shuffle"),
    "seed": ("seed", _int(0, 2**31), "seed of the shuffle order"),
    "max_tags": ("max_tags", _int(1, 500), "most tags per caption (cut from the end of the caption as ordered)"),
    "separator": ("separator", _separator, "between tags in the caption: punctuation, e.g. \", \" or \" | \""),
    "style": ("style", _choice(STYLES), "plain, or a1111 (escape parentheses)"),
}
EXPORT = {
    "format": ("format", _string, "an export format: `loraprep export --help` lists them (the export registry)"),
    "target_steps": ("target_steps", _int(1, 10_000_000), "total training steps to plan for"),
    "batch_size": ("batch_size", _int(1, 1024), "training batch size"),
    "epochs": ("epochs", _optional_int(1, 10_000), "fixed number of epochs (\"auto\" = planned)"),
    "resolution": ("resolution", _int(64, 8192), "training resolution"),
    "shuffle_caption": ("shuffle_caption", _bool, "let the trainer shuffle tags after keep_tokens"),
    "preset": ("preset", _choice((None, "lora", "locon", "loha")), "write train.toml for lora | locon | loha"),
    "tier_weights": ("tier_weights", _tier_weights, "repeats weight per tier, e.g. { primary = 5 }"),
    "ai_toolkit_shuffle": ("ai_toolkit_shuffle", _bool, "let ai-toolkit shuffle tags, though it moves the trigger too"),
    "folder_repeats": ("folder_repeats", _choice(("keep", "rebalance")),
                       "kohya `N_name` folders: keep the user's N as repeats, or rebalance them"),
}
CLASSIFY = {
    "enabled": ("enabled", _bool, "classify in `loraprep run` (default: true when the [classify] table is there)"),
    "refs": ("refs", _string, "reference folder, refs/<character>/*.png (relative to this file)"),
    "model": ("model", _string, "CCIP identity model: registry name, hub repo id or local folder"),
    "assign_concepts": ("assign_concepts", _bool, "move images into concepts named after their characters"),
}


def _ordering(value, key):
    fields = _str_list(value, key)
    unknown = [f for f in fields if f not in FIELDS]
    if unknown:
        raise ValueError(f"'{key}' holds {unknown[0]!r}; fields are {', '.join(FIELDS)}")
    if "tags" not in fields:
        raise ValueError(f"'{key}' must hold \"tags\" (the tags of the image)")
    return tuple(dict.fromkeys(fields))


CAPTION = {
    "caption_ordering": ("ordering", _ordering, f"fields in caption order, e.g. {list(FIELDS)}"),
    "inner_separator": ("inner_separator", _string, "joins the items of one field (two characters) into one element"),
    "keep_tokens_before": ("keep_tokens_before", _choice(FIELDS), "the kept prefix (kohya's keep_tokens_separator) "
                                                                 "ends where this field starts"),
    "seed": ("seed", _int(0, 2**31), "seed of the use_<field>_prob draws (recorded in export.json)"),
    "append_dropped_character_tags": ("append_dropped_character_tags", _bool,
                                      "append the character tags the rules dropped at the end of the caption"),
    "append_dropped_character_tags_wildcard": ("append_dropped_character_tags_wildcard", _bool,
                                               "append them to the character's line in wildcard.txt instead"),
    "drop_all_core": ("drop_all_core", _bool, "the same as [rules] drop_all_core (guide 002 lists it with captions)"),
}
CAPTION_PROBS = {f"use_{name}_prob": name for name in SETTABLE}


CROP = {
    "enabled": ("enabled", _bool, "`loraprep run` detects and crops (loraprep crop always does)"),
    "what": ("what", _choice(CROP_WHATS), "what to crop: person | halfbody | head | face"),
    "model": ("model", _string, "detector: registry name, hub repo id or local folder (default: the one for `what`)"),
    "score": ("score", _threshold, "boxes scoring at least this are cropped (default: the model card's)"),
    "margin": ("margin", _number(0, 2), "grow each box by this share of its width and height on every side"),
    "min_size": ("min_size", _optional_int(1, 65536), "shortest side of a crop in pixels (\"auto\" = the export resolution); smaller ones are counted, not made"),
    "min_aspect": ("min_aspect", _number(0.05, 20), "narrowest crop, width / height: a narrower box is widened (or skipped at the image edge)"),
    "max_aspect": ("max_aspect", _number(0.05, 20), "widest crop, width / height"),
    "mode": ("mode", _choice(CROP_MODES), "each: one crop per detected box | union: one crop around them all"),
    "min_people": ("min_people", _int(1, 1000), "crop only pictures with at least this many boxes (2: group pictures only)"),
    "keep_source": ("keep_source", _bool, "export the uncropped picture too (false: a picture with crops is excluded)"),
}


FRAMES = {  # `loraprep frames` (video)
    "blur": ("blur", _number(0, 1), "`loraprep frames` drops a frame whose blur score (0 sharp .. 1 blurry) is over it"),
}
