"""Recipe error lines in every TOML spelling (dotted keys, sub-tables, inline tables, multi-line arrays); regex kept."""

from __future__ import annotations

import pytest

from loraprep.errors import RecipeError
from loraprep.recipe.loader import load_recipe
from loraprep.recipe.toml_lines import key_paths, line_of

TEXT = '''trigger = "x"
rules.max_tags = 3
[concepts."outfit armor"]
repeats = 2
[concepts.a.rules]
order = "score"
[export]
inline = { deep = { key = 1 } }
'''


def test_key_paths_follow_headers_dotted_and_quoted_keys():
    assert key_paths(TEXT) == [
        (1, ("trigger",)), (2, ("rules", "max_tags")), (3, ("concepts", "outfit armor")),
        (4, ("concepts", "outfit armor", "repeats")), (5, ("concepts", "a", "rules")),
        (6, ("concepts", "a", "rules", "order")), (7, ("export",)), (8, ("export", "inline")),
    ]


@pytest.mark.parametrize("path, line", [
    (("trigger",), 1),
    (("rules", "max_tags"), 2),
    (("concepts", "outfit armor", "repeats"), 4),
    (("concepts", "a", "rules", "order"), 6),
    (("concepts", "a"), 5),                       # only a deeper table is written: point at it
    (("export", "inline", "deep", "key"), 8),     # inside an inline table: the line of the table
    (("tagger", "model"), 1),                     # not written at all
])
def test_line_of(path, line):
    assert line_of(TEXT, path) == line


def test_needle_finds_the_value_inside_a_multi_line_array_and_stops_at_the_next_key():
    text = 'blacklist = [\n  "ok",\n  "re:(",\n]\nprotect = ["re:("]\n'
    assert line_of(text, ("blacklist",), needle="re:(") == 3
    assert line_of(text, ("protect",), needle="re:(") == 5
    assert line_of(text, ("blacklist",), needle="absent") == 1


def _error(tmp_path, text: str) -> str:
    path = tmp_path / "loraprep.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RecipeError) as info:
        load_recipe(path)
    return info.value.message


@pytest.mark.parametrize("text, line, says", [
    ('trigger = "x"\nrules.max_tags = "thirty"\n', 2, "'max_tags' must be a whole number"),
    ('[rules]\nmax_tags = 3\n\n[rules.extra]\na = 1\n', 4, "unknown key 'extra' in [rules]"),
    ('[rules]\nblacklist = [\n  "ok",\n  "re:(",\n]\n', 4, "bad regular expression '('"),
    ('[rules]\nprotect = ["re:["]\n', 2, "bad regular expression '['"),
    ('[concepts.a]\nlearned = ["re:a)"]\n', 2, "bad regular expression 'a)'"),
    ('concepts = { armor = { repeats = "x" } }\n', 1, "'repeats' must be a whole number"),
])
def test_recipe_errors_name_the_written_line(tmp_path, text, line, says):
    message = _error(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'loraprep.toml'}:{line}: ")
    assert says in message


def test_regex_patterns_are_kept_as_written_other_patterns_are_normalised(tmp_path):
    path = tmp_path / "loraprep.toml"
    path.write_text('[rules]\nblacklist = ["re:^\\\\S+ eyes$", "Star_Hair_*"]\nprotect = ["re:^\\\\W"]\n',
                    encoding="utf-8")
    rules = load_recipe(path).base.rules
    assert rules.blacklist == ("re:^\\S+ eyes$", "star hair *")
    assert rules.protect == ("re:^\\W",)
