"""Effective tags before rules: tagger scores past the thresholds, imported captions, then the journal's word."""

from __future__ import annotations

from loraprep.model.thresholds import Thresholds, passing
from loraprep.rules.effective import base_tags
from loraprep.store.journal import TagState

SCORES = [("smile", "general", 0.9), ("sky", "general", 0.5), ("tree", "general", 0.2),
          ("kafka (honkai: star rail)", "character", 0.95), ("hatsune miku", "character", 0.6),
          ("general", "rating", 0.8), ("sensitive", "rating", 0.3)]


def imported(origin="file:a/001.txt", **kw) -> TagState:
    return TagState(imported=True, import_origin=origin, **kw)


def test_thresholds_select_stored_scores_highest_first():
    assert [n for n, _, _ in passing(SCORES, Thresholds())] == ["kafka (honkai: star rail)", "smile", "sky"]
    assert [n for n, _, _ in passing(SCORES, Thresholds(general=0.1, character=0.5, include_rating=True))] == \
        ["kafka (honkai: star rail)", "smile", "general", "hatsune miku", "sky", "tree"]


def test_order_is_imported_then_tagger_then_user_and_curate_adds():
    states = {"from file": imported(), "mine": TagState(user="add"), "curated": TagState(rule="add"),
              "second file tag": imported()}
    tags, removed = base_tags(SCORES, Thresholds(), states)
    assert [t.name for t in tags] == ["from file", "second file tag", "kafka (honkai: star rail)", "smile", "sky",
                                      "mine", "curated"]
    assert [(t.source, t.origin) for t in tags] == [
        ("import", "file:a/001.txt"), ("import", "file:a/001.txt"), ("tagger", "tagger"), ("tagger", "tagger"),
        ("tagger", "tagger"), ("user", "user"), ("rule", "rule:curate")]
    assert tags[3].score == 0.9 and tags[2].category == "character"
    assert removed == frozenset()


def test_an_imported_tag_the_tagger_also_saw_keeps_the_score_once():
    tags, _ = base_tags(SCORES, Thresholds(), {"sky": imported()})
    assert [t.name for t in tags] == ["sky", "kafka (honkai: star rail)", "smile"]
    assert (tags[0].source, tags[0].score) == ("import", 0.5)


def test_user_remove_hides_a_tag_from_every_source():
    states = {"smile": TagState(user="remove"), "from file": imported(user="remove")}
    tags, removed = base_tags(SCORES, Thresholds(), states)
    assert "smile" not in [t.name for t in tags] and "from file" not in [t.name for t in tags]
    assert removed == frozenset({"smile", "from file"})


def test_user_add_and_pin_win_over_thresholds_and_curate_removals():
    states = {"tree": TagState(user="pin"), "sky": TagState(user="add", rule="remove"),
              "smile": TagState(rule="remove")}
    tags, removed = base_tags(SCORES, Thresholds(), states, categories={"tree": "general"})
    by_name = {t.name: t for t in tags}
    assert by_name["tree"].pinned and by_name["tree"].source == "user" and by_name["tree"].score == 0.2
    assert by_name["sky"].source == "user" and not by_name["sky"].pinned
    assert "smile" not in by_name                       # a written curate batch removed it, the user did not object
    assert removed == frozenset()


def test_user_remove_beats_a_curate_add():
    tags, removed = base_tags([], Thresholds(), {"x": TagState(user="remove", rule="add")})
    assert tags == [] and removed == frozenset({"x"})


def test_categories_for_tags_without_scores():
    tags, _ = base_tags([], Thresholds(), {"mychar": TagState(user="add")}, categories={"mychar": "character"})
    assert (tags[0].category, tags[0].score) == ("character", None)


# ---- the merge against a plain, slow statement of its rules ---------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from loraprep.model.tags import FRONT  # noqa: E402
from loraprep.rules.effective import lean_base, shows  # noqa: E402

NAMES = ["smile", "sky", "tree", "kafka (honkai: star rail)", "hatsune miku", "from file", "mine", "x"]
STATES = st.dictionaries(st.sampled_from(NAMES), st.builds(
    TagState, imported=st.booleans(), import_origin=st.sampled_from(["file:a.txt", "file:b.caption"]),
    user=st.sampled_from([None, "add", "remove", "pin"]), rule=st.sampled_from([None, "add", "remove"]),
    front=st.booleans()), max_size=8)


def reference(scores, thresholds, states):
    """Each source in turn, first one wins, as docs/concepts.md states it."""
    stored = {t: s for t, _c, s in scores}
    out = {}

    def put(name, source, origin):
        state = states.get(name)
        if state is not None:
            if state.user == "remove" or (state.user is None and state.rule == "remove"):
                return
            if state.user in ("add", "pin"):
                source, origin = "user", FRONT if state.front else "user"
        if name not in out:
            out[name] = (stored.get(name), source, origin)

    for name, state in states.items():
        if state.imported:
            put(name, "import", state.import_origin)
    for name, _c, _s in passing(scores, thresholds):
        put(name, "tagger", "tagger")
    for name, state in states.items():
        if state.user in ("add", "pin"):
            put(name, "user", "user")
        elif state.rule == "add" and state.user != "remove":
            put(name, "rule", "rule:curate")
    return out


@settings(max_examples=300, deadline=None)
@given(states=STATES, general=st.sampled_from([0.1, 0.35, 0.6]))
def test_merge_matches_its_plain_statement(states, general):
    thresholds = Thresholds(general=general)
    lean = lean_base(SCORES, thresholds, states)
    expected = reference(SCORES, thresholds, states)
    assert list(lean.names) == list(expected)
    assert [(v, s, o) for v, s, o in zip(lean.scores, lean.sources or (), lean.origins or ())] == \
        list(expected.values()) or not states
    assert lean.pinned == {n for n, s in states.items() if s.user == "pin"}
    assert lean.removed == {n for n, s in states.items() if s.user == "remove"}


@settings(max_examples=300, deadline=None)
@given(states=STATES, general=st.sampled_from([0.1, 0.35, 0.6]))
def test_shows_is_the_merges_membership_rule_for_one_tag(states, general):
    thresholds = Thresholds(general=general)
    from_tagger = {name for name, _c, _s in passing(SCORES, thresholds)}
    names = set(lean_base(SCORES, thresholds, states).names)
    for name in set(NAMES) | from_tagger:
        assert shows(states.get(name), name in from_tagger) == (name in names), name
