"""plan_carry: which copy's words follow the keeper, the best tier, and a line for every caption left behind."""

from __future__ import annotations

from loraprep.dedup.carry import Copy, plan_carry
from loraprep.store.journal import TagState


def copy(path, tier="", imported=(), user=(), file_id=0):
    states = {t: TagState(imported=True, import_origin=f"file:{path}.txt") for t in imported}
    states.update({t: TagState(user=op) for t, op in user})
    return Copy(file_id, f"id-{path}", path, tier, states)


RANK = {"primary": 5.0, "supporting": 1.0}


def test_a_silent_keeper_takes_the_first_speaking_copy():
    plan = plan_carry(copy("k"), [copy("quiet"), copy("a", imported=["x", "y"], user=[("z", "add")]),
                                  copy("b", imported=["w"])], tier_rank=RANK)
    assert plan.donor.path == "a" and plan.imports == ("x", "y") and plan.user_ops == (("z", "add"),)
    (warning,) = plan.warnings
    assert warning.startswith("b: its caption/edits (1 caption tag(s)) stay with it") and "took a's" in warning


def test_a_keeper_with_its_own_words_takes_none_and_every_other_caption_is_named():
    plan = plan_carry(copy("k", user=[("q", "pin")]), [copy("a", imported=["x"]), copy("b", user=[("y", "remove")])])
    assert plan.donor is None and plan.imports == () and plan.user_ops == ()
    assert [w.split(":")[0] for w in plan.warnings] == ["a", "b"] and all("has its own" in w for w in plan.warnings)


def test_nothing_is_carried_twice():
    plan = plan_carry(copy("k", imported=["x"]), [copy("a", imported=["x"]), copy("b", imported=["v"])],
                      carried_from=frozenset({"a"}))
    assert plan.donor is None and [w.split(":")[0] for w in plan.warnings] == ["b"]


def test_the_best_tier_follows_unless_the_user_set_the_keepers():
    members = [copy("a", tier="supporting"), copy("b", tier="primary")]
    assert plan_carry(copy("k", tier="supporting"), members, tier_rank=RANK).tier == "primary"
    assert plan_carry(copy("k", tier="primary"), members, tier_rank=RANK).tier is None
    assert plan_carry(copy("k", tier="supporting"), members, tier_rank=RANK, keeper_tier_set_by_user=True).tier is None
    assert plan_carry(copy("k", tier=""), [copy("a", tier="odd")], tier_rank=RANK).tier is None   # unknown = equal
