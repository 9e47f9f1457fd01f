"""load_recipe: every key lands in the right field; every mistake is a RecipeError naming file AND line."""

from __future__ import annotations

import json

import pytest

from loraprep.errors import RecipeError
from loraprep.model.recipe import Recipe
from loraprep.rules.recipe_loader import load_recipe, with_rules


def write(tmp_path, text: str, name: str = "loraprep.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path) -> RecipeError:
    with pytest.raises(RecipeError) as info:
        load_recipe(path)
    assert info.value.hint
    return info.value


# --- what loads ----------------------------------------------------------------------------------------------

def test_no_recipe_gives_the_defaults():
    assert load_recipe(None) == Recipe()
    concept = Recipe().for_concept("any")
    assert concept.trigger == () and concept.strategy == "all"
    assert concept.rules.default_blacklist and concept.rules.overlap and concept.rules.core_frequency == 0.4


def test_missing_recipe_file(tmp_path):
    err = error_of(tmp_path / "nope.toml")
    assert "recipe not found" in err.message and "nope.toml" in err.message


def test_every_section_loads(tmp_path):
    (tmp_path / "blacklist.txt").write_text("# meta\nsample_watermark\n\nre:^bad\n", encoding="utf-8")
    (tmp_path / "overlap.json").write_text(json.dumps({"Santa_Hat": ["hat", "red_headwear"]}), encoding="utf-8")
    path = write(tmp_path, '''\ufefftrigger = "MyChar"
fixed = ["Armor_Outfit"]
strategy = "absorb"
keep_tokens = 3
keep_tokens_separator = true

[tagger]
model = "wd-swinv2-v3"
general = 0.5
mcut = true

[rules]
blacklist = ["Watermark", "* background"]
blacklist_file = "blacklist.txt"
overlap_file = "overlap.json"
protect = ["blurry"]
aliases = { "white_panties" = "frilled panties" }
consolidate = { "frilled panties" = ["panties"] }
learned = ["freckles"]
prune_mode = "character"
drop_difficulty = 1
order = "shuffle"
seed = 42
max_tags = 25
separator = ","
style = "a1111"

[concepts.armor]
trigger = ["mychar", "armor outfit"]
repeats = 3
weight = 2
max_tags = 10

[concepts.armor.rules]
order = "alphabetical"

[concepts."casual wear"]
keep_tokens = "auto"
keep_tokens_separator = "||"
strategy = "all"

[export]
format = "onetrainer"
target_steps = 2000
epochs = "auto"
tier_weights = { primary = 5, supporting = 1 }
''')
    recipe = load_recipe(path)
    base = recipe.for_concept("other")
    assert base.trigger == ("mychar",) and base.fixed == ("armor outfit",)
    assert base.strategy == "absorb" and base.keep_tokens == 3 and base.keep_tokens_separator == "|||"
    r = base.rules
    assert r.blacklist == ("watermark", "* background", "sample watermark", "re:^bad")
    assert r.overlap_pairs == (("santa hat", ("hat", "red headwear")),)
    assert r.aliases == (("white panties", "frilled panties"), ("panties", "frilled panties"))
    assert (r.protect, r.learned, r.prune_mode, r.drop_difficulty) == (("blurry",), ("freckles",), "character", 1)
    assert (r.order, r.seed, r.max_tags, r.separator, r.style) == ("shuffle", 42, 25, ",", "a1111")
    assert recipe.tagger.model == "wd-swinv2-v3" and recipe.tagger.general == 0.5 and recipe.tagger.mcut
    assert recipe.export.format == "onetrainer" and recipe.export.epochs is None
    assert recipe.export.tier_weights == (("primary", 5.0), ("supporting", 1.0))
    armor = recipe.for_concept("armor")
    assert armor.trigger == ("mychar", "armor outfit") and armor.repeats == 3 and armor.weight == 2.0
    assert armor.rules.max_tags == 10 and armor.rules.order == "alphabetical"
    assert armor.rules.blacklist == r.blacklist                          # the rest comes from [rules]
    casual = recipe.for_concept("casual wear")
    assert casual.keep_tokens is None and casual.keep_tokens_separator == "||" and casual.strategy == "all"
    assert recipe.concepts == ("armor", "casual wear")
    assert armor.base_dir == str(tmp_path)


def test_with_rules_overrides_base_rules():
    recipe = with_rules(Recipe(), max_tags=5, order="alphabetical")
    assert recipe.for_concept("x").rules.max_tags == 5


# --- what fails, and where -----------------------------------------------------------------------------------

CASES = {
    "unknown top-level key": ('trigger = ["x"]\n\ntrigers = ["y"]\n', 3, "unknown key 'trigers'"),
    "unknown rules key": ('trigger = ["x"]\n\n[rules]\nmax_tag = 3\n', 4, "unknown key 'max_tag' in [rules]"),
    "unknown concept key": ('[concepts.a]\ntrigger = ["z"]\n\n[concepts.b]\ntriger = "x"\n', 5,
                            "unknown key 'triger' in [concepts.b]"),
    "unknown nested concept rules key": ('[concepts.a]\ntrigger = ["z"]\n[concepts.a.rules]\n\nbogus = 1\n', 5,
                                         "unknown key 'bogus' in [concepts.a.rules]"),
    "bad type": ('trigger = ["x"]\n[rules]\nseed = 1\nmax_tags = "many"\n', 4, "'max_tags' must be a whole number"),
    "bad type in a list": ('trigger = ["x", 3]\n', 1, "'trigger' must be a string or a list of strings"),
    "bad bool": ('[tagger]\nmcut = "yes"\n', 2, "'mcut' must be true or false"),
    "bad value": ('[rules]\n\n\ncore_frequency = 1.5\n', 4, "between 0.01 and 1"),
    "bad choice": ('trigger = ["x"]\nstrategy = "absorbe"\n', 2, "must be one of all, absorb, only-learned"),
    "bad concept value": ('[concepts.outfit_armor]\ntrigger = ["x"]\nrepeats = 0\n', 3, "'repeats' must be between"),
    "bad regex in blacklist": ('[rules]\nprotect = ["blurry"]\nblacklist = ["ok", "re:(unclosed"]\n', 3,
                               "bad regular expression '(unclosed'"),
    "bad regex in alias": ('[rules]\naliases = { "ok" = "fine" }\nconsolidate = { "x" = ["re:[a-"] }\n', 3,
                           "bad regular expression '[a-'"),
    "bad regex in a concept": ('[concepts."my concept"]\ntrigger = ["x"]\nblacklist = ["re:*"]\n', 3,
                               "bad regular expression"),
    "table expected": ('trigger = ["x"]\nrules = "all"\n', 2, "'rules' must be a table"),
    "bad aliases shape": ('[rules]\naliases = ["a", "b"]\n', 2, "'aliases' must be a table"),
    "bad export preset": ('[export]\nformat = "kohya"\npreset = "lyco"\n', 3, "'preset' must be one of"),
}


# Values that load but would write garbage: refused with file and line, per concept too.
GARBAGE = {
    "empty separator": ('trigger = ["x"]\n[rules]\nseparator = ""\n', 3, "'separator' needs a visible character"),
    "blank separator": ('[rules]\nmax_tags = 5\nseparator = "   "\n', 3, "'separator' needs a visible character"),
    "newline separator": ('[rules]\nseparator = "\\n"\n', 2, "line break"),
    "comma and newline": ('[rules]\nseparator = ",\\n"\n', 2, "line break"),
    "tab separator": ('[rules]\n\nseparator = ";\\t"\n', 3, "tab"),
    "zero-width separator": ('[rules]\nseparator = ",\\u200b"\n', 2, "invisible formatting character"),
    "double-space separator": ('[rules]\nseparator = ",  "\n', 2, "two spaces in a row"),
    "word separator": ('[rules]\nseparator = " and "\n', 2, "letter or digit"),
    "separator in a concept": ('[concepts.armor]\nrepeats = 2\nseparator = ""\n', 3, "'separator' needs"),
    "separator in nested concept rules": ('[concepts.b]\n[concepts.b.rules]\nseparator = "\\r\\n"\n', 3, "line break"),
    "trigger with the separator": ('\ntrigger = "mychar, armor"\n', 2, "holds the separator ','"),
    "trigger list item with the separator": ('trigger = ["ok", "a,b"]\n', 1, "holds the separator ','"),
    "fixed with the separator": ('trigger = ["x"]\nfixed = ["red; blue"]\n[rules]\nseparator = "; "\n', 2,
                                 "holds the separator ';'"),
    "trigger against a concept's separator": ('trigger = ["a|b"]\n[concepts.c]\nseparator = " | "\n', 1,
                                              "in [concepts.c]"),
    "concept trigger with the separator": ('trigger = ["x"]\n[concepts.c]\nrepeats = 2\ntrigger = "c1, c2"\n', 4,
                                           "holds the separator"),
    "trigger with the keep_tokens_separator": ('trigger = "a ||| b"\nkeep_tokens_separator = true\n', 1,
                                               "keep_tokens_separator"),
    "empty trigger": ('trigger = ""\n', 1, "'trigger' has an empty word"),
    "blank trigger in a list": ('trigger = ["ok", "  "]\n', 1, "'trigger' has an empty word"),
    "empty concept trigger": ('[concepts.x]\nrepeats = 1\ntrigger = [""]\n', 3, "'trigger' has an empty word"),
    "trigger with a line break": ('trigger = "my\\nchar"\n', 1, "line break"),
    "empty keep_tokens_separator": ('keep_tokens_separator = ""\n', 1, "write false for none"),
    "alias of everything": ('[rules]\naliases = {"re:.*" = "x"}\n', 2, "matches the empty string"),
    "alias matching every tag": ('[rules]\nblacklist = ["a"]\naliases = { "re:." = "x" }\n', 3, "matches every tag"),
    "wildcard alias of everything": ('[rules]\naliases = { "*" = "x" }\n', 2, "matches the empty string"),
    "consolidation of everything": ('[rules]\nconsolidate = { "x" = ["hat", "re:^"] }\n', 2, "every tag"),
    "empty alias pattern": ('[rules]\naliases = { "" = "x" }\n', 2, "an empty tag as a pattern"),
    "empty alias replacement": ('[rules]\naliases = { "hat" = " " }\n', 2, "empty replacement"),
    "alias of everything in a concept": ('[concepts.a]\nrepeats = 2\n[concepts.a.rules]\naliases = {"re:\\\\w" = "x"}\n',
                                         4, "matches every tag"),
}


@pytest.mark.parametrize("text, line, message", [*CASES.values(), *GARBAGE.values()], ids=[*CASES, *GARBAGE])
def test_recipe_errors_name_file_and_line(tmp_path, text, line, message):
    path = write(tmp_path, text)
    err = error_of(path)
    assert err.message.startswith(f"{path}:{line}: "), err.message
    assert message in err.message, err.message


def test_bad_toml_names_the_line(tmp_path):
    path = write(tmp_path, 'trigger = ["x"]\n\nstrategy = absorb\n')
    err = error_of(path)
    assert err.message.startswith(f"{path}:3: not valid TOML")


def test_unreadable_blacklist_file_names_the_recipe_line(tmp_path):
    path = write(tmp_path, 'trigger = ["x"]\n[rules]\n\nblacklist_file = "missing.txt"\n')
    err = error_of(path)
    assert err.message.startswith(f"{path}:4: cannot read ")
    assert "missing.txt" in err.message


def test_blacklist_file_that_is_a_folder_or_not_utf8(tmp_path):
    (tmp_path / "folder").mkdir()
    path = write(tmp_path, '[rules]\nblacklist_file = "folder"\n')
    assert error_of(path).message.startswith(f"{path}:2: cannot read ")
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9\n")
    path = write(tmp_path, '[rules]\nblacklist_file = "latin1.txt"\n')
    assert error_of(path).message.startswith(f"{path}:2: cannot read ")


def test_bad_regex_inside_the_blacklist_file_names_both_lines(tmp_path):
    (tmp_path / "bl.txt").write_text("watermark\n# comment\nre:(bad\n", encoding="utf-8")
    path = write(tmp_path, '[rules]\nblacklist = ["a"]\nblacklist_file = "bl.txt"\n')
    err = error_of(path)
    assert err.message.startswith(f"{path}:3: bl.txt:3: bad regular expression '(bad'")


@pytest.mark.parametrize("content, message", [
    ('{"hat": [', "is not valid JSON"),
    ('["hat"]', 'must hold {"tag": ["implied tag", ...]}'),
    ('{"hat": "santa hat"}', 'must hold {"tag": ["implied tag", ...]}'),
])
def test_bad_overlap_file_names_the_recipe_line(tmp_path, content, message):
    (tmp_path / "overlap.json").write_text(content, encoding="utf-8")
    path = write(tmp_path, 'trigger = ["x"]\n\n[rules]\noverlap = true\noverlap_file = "overlap.json"\n')
    err = error_of(path)
    assert err.message.startswith(f"{path}:5: "), err.message
    assert message in err.message


def test_overlap_file_in_a_concept_section(tmp_path):
    (tmp_path / "o.json").write_text("nope", encoding="utf-8")
    path = write(tmp_path, '[concepts.a]\ntrigger = ["a"]\n[concepts.b]\nrepeats = 2\noverlap_file = "o.json"\n')
    assert error_of(path).message.startswith(f"{path}:5: ")


def test_same_key_in_two_sections_points_at_the_failing_one(tmp_path):
    path = write(tmp_path, '[rules]\nmax_tags = 30\n\n[concepts.a]\nmax_tags = 30\n\n[concepts.b]\nmax_tags = 0\n')
    assert error_of(path).message.startswith(f"{path}:8: ")


def test_unknown_concept_key_lists_rule_keys_as_known(tmp_path):
    path = write(tmp_path, '[concepts.a]\nfoo = 1\n')
    message = error_of(path).message
    assert "max_tags" in message and "repeats" in message


@pytest.mark.parametrize("separator", [", ", ",", " | ", "; ", "、", " / "])
def test_sane_separators_and_triggers_still_load(tmp_path, separator):
    path = write(tmp_path, f'trigger = ["my_char", "second word"]\nfixed = "armor outfit"\n[rules]\n'
                           f'separator = "{separator}"\naliases = {{ "* hair" = "hair", "re:^(red|blue) eyes$" = "eyes" }}\n')
    concept = load_recipe(path).for_concept("any")
    assert concept.rules.separator == separator and concept.trigger == ("my char", "second word")


def test_an_alias_matching_most_common_tags_warns_with_file_and_line(tmp_path, caplog):
    path = write(tmp_path, '[rules]\nmax_tags = 20\naliases = { "re:[aeiou]" = "vowel" }\n')
    with caplog.at_level("WARNING", logger="loraprep.recipe"):
        recipe = load_recipe(path)
    assert recipe.for_concept("x").rules.aliases == (("re:[aeiou]", "vowel"),)  # loaded: a warning, not an error
    warnings = [r.getMessage() for r in caplog.records if r.name == "loraprep.recipe"]
    assert len(warnings) == 1 and warnings[0].startswith(f"{path}:3: warning: ") and "of common tags" in warnings[0]
    caplog.clear()
    with caplog.at_level("WARNING", logger="loraprep.recipe"):
        load_recipe(path)
    assert not caplog.records  # said once per process


def test_a_narrow_alias_loads_without_a_warning(tmp_path, caplog):
    path = write(tmp_path, '[rules]\naliases = { "re:^(white|black) panties$" = "panties", "* hat" = "hat" }\n')
    with caplog.at_level("WARNING", logger="loraprep.recipe"):
        load_recipe(path)
    assert not [r for r in caplog.records if r.name == "loraprep.recipe"]
