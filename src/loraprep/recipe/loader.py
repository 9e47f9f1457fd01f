"""Load loraprep.toml into a Recipe; every unknown key or bad value is a RecipeError naming file and line."""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from loraprep.errors import RecipeError
from loraprep.model.caption_fields import FIELDS
from loraprep.model.printable import printable
from loraprep.model.recipe import (CaptionSettings, ClassifySettings, ConceptRecipe, CropSettings, ExportSettings,
                                   FramesSettings, Recipe, RuleSettings, TaggerSettings)
from loraprep.model.tagname import display_name
from loraprep.recipe.checks import common_trigger, pattern_problem, word_splits
from loraprep.recipe.schema import (CAPTION, CAPTION_PROBS, CLASSIFY, CONCEPT, CROP, EXPORT, FRAMES, RULES, TAGGER, TOP,
                                    _number)
from loraprep.recipe.toml_lines import key_paths, line_of

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TAG_FIELDS = {"blacklist", "protect", "learned"}
# The user's own words, written into every caption as typed: `hsr_kafka` stays `hsr_kafka` (normalising is for
# tagger and caption-file tags, whose spelling varies; a tag of the same spelling folded is the same tag).
WORD_FIELDS = {"trigger", "fixed"}
HINT = "see docs/recipe.md for every key; `loraprep init DATASET --force` writes a fresh commented recipe"
log = logging.getLogger("loraprep.recipe")
_WARNED: set[str] = set()  # each warning once per process: several stages load the same recipe


def load_recipe(path: str | Path | None, *, formats: Sequence[str] = ()) -> Recipe:
    """The recipe at ``path``; None gives the defaults (no trigger, strategy all, blacklist and overlap on).
    ``formats``: the export formats there are (the export registry, passed in by ops: rules do not import export);
    a `[export] format` outside them is refused with its line."""
    if path is None:
        return Recipe()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RecipeError(f"recipe not found: {path}", hint="`loraprep init DATASET` writes one") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RecipeError(f"{path}: cannot read the recipe: {exc}", hint=HINT) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        where = f"{path}:{match.group(1)}" if match else str(path)
        raise RecipeError(f"{where}: not valid TOML: {exc}", hint=HINT) from None
    recipe = _Builder(path, text).build(data)
    wanted = recipe.export.format.strip().lower().replace("_", "-")
    if formats and wanted not in formats:
        _Builder(path, text).fail(("export",), "format", f"unknown export format {recipe.export.format!r}; "
                                                          f"choose one of: {', '.join(formats)}")
    return recipe


class _Builder:
    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = text
        self.paths = None  # key positions, found only when an error needs one

    def fail(self, section: tuple[str, ...], key: str, message: str, needle: str | None = None):
        raise RecipeError(f"{self.path}:{self.line_of(section, key, needle)}: {message}", hint=HINT)

    def warn(self, section: tuple[str, ...], key: str, message: str, needle: str | None = None) -> None:
        """A value that loads but is probably a mistake: said on stderr (the logging module's), once."""
        text = printable(f"{self.path}:{self.line_of(section, key, needle)}: warning: {message}")
        if text not in _WARNED:
            _WARNED.add(text)
            log.warning(text)

    def line_of(self, section: tuple[str, ...], key: str, needle: str | None = None) -> int:
        """Line of ``key`` inside ``[section]`` (tomllib keeps no positions); ``needle`` narrows it to a value."""
        if self.paths is None:
            self.paths = key_paths(self.text)
        return line_of(self.text, section + ((key,) if key else ()), needle, self.paths)

    def fields(self, table: dict, schema: dict, section: tuple[str, ...], skip: set[str] = frozenset(),
               also_known: tuple[str, ...] = ()) -> dict:
        result = {}
        for key, value in table.items():
            if key in skip:
                continue
            if key not in schema:
                where = f"[{'.'.join(section)}]" if section else "the top level"
                known = ", ".join(sorted(set(schema) | set(also_known)))
                self.fail(section, key, f"unknown key '{key}' in {where} (known: {known})")
            name, check, _help = schema[key]
            try:
                converted = check(value, key)
            except (TypeError, ValueError) as exc:
                self.fail(section, key, str(exc))
            if name in TAG_FIELDS and converted is not None:
                for pattern in converted:
                    self.check_regex(pattern, section, key)
                # A 're:' pattern is kept as written: lower-casing would turn \S (non-space) into \s (space).
                converted = tuple(dict.fromkeys(t if t.startswith("re:") else display_name(t)
                                                for t in converted if t.strip()))
            if name in WORD_FIELDS and converted is not None:
                converted = tuple(dict.fromkeys(t.strip() for t in converted if t.strip()))
            if name == "aliases":
                converted = tuple(result.get("aliases", ())) + tuple(self.check_patterns(converted, section, key))
            result[name] = converted
        if result.get("blacklist_file"):
            extra = self.read_list(result["blacklist_file"], section, "blacklist_file")
            result["blacklist"] = tuple(result.get("blacklist", ())) + extra
        if result.get("overlap_file"):
            result["overlap_pairs"] = self.read_overlap(result["overlap_file"], section)
        return result

    def rule_file(self, name: str, section, key) -> str:
        path = Path(name) if Path(name).is_absolute() else self.path.parent / name
        try:
            return path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            self.fail(section, key, f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}")

    def read_list(self, name: str, section, key) -> tuple[str, ...]:
        """A tag list file: one tag per line, comma-separated lines (guide 003's kohya "undesired tags") or
        both mixed; '#' starts a comment. A 're:' line is one pattern, commas and all (``{1,3}``)."""
        result = []
        for number, line in enumerate(self.rule_file(name, section, key).splitlines(), 1):
            line = line.strip()
            if line.startswith("re:"):
                try:
                    re.compile(line[3:])
                except re.error as exc:  # name the rule file's line too: the recipe line only names the file
                    self.fail(section, key, f"{name}:{number}: bad regular expression {line[3:]!r}: {exc}")
                result.append(line)
                continue
            for entry in list_entries(line):
                if looks_like_prose(entry):
                    self.warn(section, key, f"{name}:{number}: {entry[:60]!r} looks like a sentence, not a tag "
                                            "(tags are separated by commas or new lines; '#' starts a comment)")
                result.append(display_name(entry))
        tags = tuple(dict.fromkeys(t for t in result if t))
        if not tags:
            self.warn(section, key, f"{name} gives no tags (one per line or comma-separated; '#' comments)")
        else:
            log.info("%s: %d tag(s) from %s", self.path, len(tags), name)
        return tags

    def read_overlap(self, name: str, section) -> tuple[tuple[str, tuple[str, ...]], ...]:
        import json

        try:
            data = json.loads(self.rule_file(name, section, "overlap_file"))
        except json.JSONDecodeError as exc:
            self.fail(section, "overlap_file", f"{name} is not valid JSON: {exc}")
        if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
            self.fail(section, "overlap_file", f"{name} must hold {{\"tag\": [\"implied tag\", ...]}}")
        return tuple((display_name(k), tuple(display_name(str(x)) for x in v)) for k, v in data.items())

    def check_patterns(self, pairs, section, key):
        for pattern, target in pairs:
            self.check_regex(pattern, section, key)
            if not display_name(target):
                self.fail(section, key, f"pattern {pattern!r} has an empty replacement", needle=pattern or None)
            problem = pattern_problem(pattern)
            if problem:
                level, message = problem
                (self.fail if level == "error" else self.warn)(section, key, message, pattern or None)
            yield (pattern if pattern.startswith("re:") else display_name(pattern), display_name(target))

    def check_regex(self, pattern: str, section, key) -> None:
        if pattern.startswith("re:"):
            try:
                re.compile(pattern[3:])
            except re.error as exc:
                self.fail(section, key, f"bad regular expression {pattern[3:]!r}: {exc}", needle=pattern)

    def build(self, data: dict) -> Recipe:
        tables = {"tagger", "rules", "concepts", "export", "classify", "caption", "crop", "frames"}
        top = self.fields(data, TOP, (), skip=tables, also_known=tuple(f"[{t}]" for t in sorted(tables)))
        for name in tables:
            if name in data and not isinstance(data[name], dict):
                self.fail((), name, f"'{name}' must be a table ([{name}])")
        rule_fields = self.fields(data.get("rules", {}), RULES, ("rules",))
        caption = self.caption_settings(data["caption"]) if "caption" in data else CaptionSettings()
        rule_fields.setdefault("drop_all_core", caption.drop_all_core)
        rules = RuleSettings(**rule_fields)
        base = ConceptRecipe(name="", rules=rules, base_dir=str(self.path.parent), **top)
        tagger = TaggerSettings(**self.fields(data.get("tagger", {}), TAGGER, ("tagger",)))
        export = ExportSettings(**self.fields(data.get("export", {}), EXPORT, ("export",)))
        classify = self.classify_settings(data)
        frames = FramesSettings(**self.fields(data.get("frames", {}), FRAMES, ("frames",)))
        overrides = []
        for concept, table in data.get("concepts", {}).items():
            section = ("concepts", concept)
            if not isinstance(table, dict):
                self.fail(("concepts",), concept, f"'concepts.{concept}' must be a table")
            nested = table.get("rules", {})
            if not isinstance(nested, dict):
                self.fail(section, "rules", "'rules' must be a table")
            flat_rules = {k: v for k, v in table.items() if k in RULES}
            changes = self.fields({k: v for k, v in table.items() if k not in RULES}, CONCEPT, section, skip={"rules"},
                                  also_known=tuple(RULES) + ("rules",))
            rule_changes = self.fields(flat_rules, RULES, section)
            rule_changes.update(self.fields(nested, RULES, section + ("rules",)))
            if rule_changes:
                changes["rules"] = rule_changes
            overrides.append((concept, changes))
        crop = CropSettings(**self.fields(data.get("crop", {}), CROP, ("crop",)))
        if crop.min_aspect > crop.max_aspect:
            self.fail(("crop",), "min_aspect", f"'min_aspect' {crop.min_aspect} is over 'max_aspect' {crop.max_aspect}")
        recipe = Recipe(base=base, tagger=tagger, export=export, classify=classify, caption=caption, crop=crop, frames=frames,
                        overrides=tuple(overrides), path=str(self.path))
        self.check_words(recipe)
        return recipe

    def classify_settings(self, data: dict) -> ClassifySettings:
        if "classify" not in data:
            return ClassifySettings()
        return ClassifySettings(**{"enabled": True, **self.fields(data["classify"], CLASSIFY, ("classify",))})

    def caption_settings(self, table: dict) -> CaptionSettings:
        probs = {}
        for key in [k for k in table if k in CAPTION_PROBS]:
            try:
                probs[CAPTION_PROBS[key]] = _number(0, 1)(table[key], key)
            except (TypeError, ValueError) as exc:
                self.fail(("caption",), key, str(exc))
        rest = {k: v for k, v in table.items() if k not in CAPTION_PROBS}
        fields = self.fields(rest, CAPTION, ("caption",), also_known=tuple(CAPTION_PROBS))
        fields.setdefault("ordering", FIELDS)  # a [caption] table turns fields on, in guide 002's default order
        return CaptionSettings(field_probs=tuple(sorted(probs.items())), **fields)

    def check_words(self, recipe: Recipe) -> None:
        """Trigger and fixed words against the separator in force where they are used, per concept."""
        overrides = dict(recipe.overrides)
        for concept in ("", *recipe.concepts):
            resolved = recipe.for_concept(concept) if concept else recipe.base
            changes = overrides.get(concept, {})
            for key in ("trigger", "fixed"):
                for word in getattr(resolved, key):
                    problem = word_splits(word, resolved.rules.separator, resolved.keep_tokens_separator)
                    if problem:
                        section = ("concepts", concept) if key in changes else ()
                        where = f" (in [concepts.{concept}])" if concept and key not in changes else ""
                        self.fail(section, key, f"'{key}' {problem}{where}", needle=word)
                    weak = common_trigger(word) if key == "trigger" else None  # a fixed tag is a tag on purpose
                    if weak:
                        section = ("concepts", concept) if key in changes else ()
                        self.warn(section, key, weak, needle=word)


def list_entries(line: str) -> list[str]:
    """The tags on one line of a tag list file: the text before a '#' comment, split at commas."""
    text = _COMMENT.split(line, 1)[0]
    return [entry.strip() for entry in text.split(",") if entry.strip()]


_COMMENT = re.compile(r"(?:^|\s)#")   # '#' after a space or at the start; a tag may hold one ("c#")
_SENTENCE_END = re.compile(r"[.!?](?:\s+\w|\s*$)")


def looks_like_prose(entry: str) -> bool:
    """An entry no tagger emits: many words, or several with sentence punctuation (a note pasted without '#').
    Kaomoji ("._.") and short names ("mr. x") pass."""
    words = len(entry.split())
    return words > 8 or (words >= 4 and bool(_SENTENCE_END.search(entry)))


def with_rules(recipe: Recipe, **changes) -> Recipe:
    """A copy of ``recipe`` with base rule settings changed (used by command-line overrides)."""
    return replace(recipe, base=replace(recipe.base, rules=replace(recipe.base.rules, **changes)))
