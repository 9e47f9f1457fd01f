"""make_plan against the guides' numbers, plus warnings and bad input."""

from __future__ import annotations

import json

import pytest

from loraprep.balance import BucketSpec, ConceptInput, make_plan
from loraprep.errors import DatasetError, UsageError

OUTFITS = [ConceptInput("outfit1", images=20), ConceptInput("outfit2", images=33),
           ConceptInput("outfit3", images=100), ConceptInput("outfit4", images=50)]


def test_guide_004_multi_outfit_plan():
    plan = make_plan(OUTFITS, target_steps=1500, batch_size=2)
    assert [r.repeats for r in plan.rows] == [5, 3, 1, 2]
    assert plan.images_per_epoch == 399  # the guide's T
    assert plan.steps_per_epoch == 200 and plan.epochs == 8 and plan.total_steps == 1600
    assert plan.multiplier == 1 and plan.warnings == ()
    assert all(abs(r.share - 0.25) < 0.01 for r in plan.rows)


def test_guide_004_with_ten_epochs_gives_2000_steps():
    plan = make_plan(OUTFITS, epochs=10)
    assert plan.total_steps == 2000 and [r.repeats for r in plan.rows] == [5, 3, 1, 2]


def test_guide_003_tiers_plan():
    plan = make_plan([ConceptInput("brandy", "primary", 58), ConceptInput("brandy", "supporting", 164)])
    assert [r.repeats for r in plan.rows] == [5, 1]
    primary, supporting = plan.rows
    assert primary.images_per_epoch == 290 and supporting.images_per_epoch == 164
    assert primary.share / supporting.share == pytest.approx(290 / 164, rel=1e-3)


def test_small_single_concept_gets_more_repeats_not_hundreds_of_epochs():
    plan = make_plan([ConceptInput("kafka", images=20)], target_steps=1500, batch_size=2)
    assert plan.epochs <= 10 and plan.total_steps >= 1500
    assert plan.rows[0].repeats == 15  # 20 x 15 / 2 = 150 steps per epoch, 10 epochs


def test_guide_004_kafka_table_row():
    plan = make_plan([ConceptInput("kafka", images=100, repeats=3)], epochs=10)
    assert plan.total_steps == 1500 and plan.rows[0].source == "override"


def test_large_dataset_stays_at_one_repeat():
    plan = make_plan([ConceptInput("big", images=1000)], batch_size=3, epochs=10)
    assert plan.rows[0].repeats == 1 and plan.total_steps == 3340


def test_plan_with_buckets_rounds_each_bucket():
    sizes = ((800, 800),) * 3 + ((1600, 800),) * 3
    flat = make_plan([ConceptInput("c", sizes=sizes, repeats=1)], epochs=10)
    bucketed = make_plan([ConceptInput("c", sizes=sizes, repeats=1)], epochs=10, buckets=BucketSpec(768))
    assert flat.steps_per_epoch == 3 and bucketed.steps_per_epoch == 4
    assert bucketed.bucketed and bucketed.exact and bucketed.rows[0].images == 6


def test_bucketed_plan_without_sizes_is_marked_inexact():
    plan = make_plan([ConceptInput("c", images=10)], buckets=BucketSpec(768))
    assert plan.bucketed and not plan.exact


def test_regularisation_doubles_steps():
    plan = make_plan([ConceptInput("c", images=100, repeats=1), ConceptInput("reg", images=200, regularization=True)],
                     epochs=10)
    assert plan.steps_per_epoch == 100 and plan.total_steps == 1000
    reg = plan.rows[-1]
    assert reg.source == "regularization" and reg.images_per_epoch == 100 and reg.share == 0.0
    assert any("regularisation" in w for w in plan.warnings)


def test_empty_concept_is_a_row_and_a_warning():
    plan = make_plan([ConceptInput("dupes", images=0), ConceptInput("ok", images=40)])
    dupes = plan.rows[0]
    assert (dupes.repeats, dupes.source, dupes.share) == (0, "empty", 0.0)
    assert any("dupes has no active images" in w for w in plan.warnings)


def test_every_concept_empty_is_a_dataset_error():
    with pytest.raises(DatasetError, match="nothing to plan"):
        make_plan([ConceptInput("a"), ConceptInput("b")])
    with pytest.raises(DatasetError):
        make_plan([])


@pytest.mark.parametrize("kwargs", [dict(batch_size=0), dict(target_steps=0), dict(epochs=0), dict(grad_accum=0),
                                    dict(tier_weights={"primary": 0})])
def test_bad_arguments(kwargs):
    with pytest.raises(UsageError):
        make_plan(OUTFITS, **kwargs)


@pytest.mark.parametrize("concepts", [
    [ConceptInput("a", images=3), ConceptInput("a", images=4)],
    [ConceptInput("a", images=3, sizes=((1, 1),))],
    [ConceptInput("a", images=3, repeats=0)],
    [ConceptInput("a", images=3, weight=0)],
])
def test_bad_concepts(concepts):
    with pytest.raises(UsageError):
        make_plan(concepts)


def test_warnings_for_plans_far_outside_usual_ranges():
    plan = make_plan([ConceptInput("few", images=4, repeats=1)], epochs=2)
    text = " ".join(plan.warnings)
    assert "only 4 images" in text and "very few" in text and "under the 1500 target" in text and "only 2 epoch" in text
    plan = make_plan([ConceptInput("a", images=100, repeats=1)], epochs=300)
    assert any("very many" in w for w in plan.warnings) and any("300 epochs is a lot" in w for w in plan.warnings)


def test_unbalanced_overrides_are_flagged():
    plan = make_plan([ConceptInput("a", images=100, repeats=5), ConceptInput("b", images=100, repeats=1)])
    assert any("b gets 17%" in w and "asks for 50%" in w for w in plan.warnings)


def test_capped_concept_is_flagged():
    plan = make_plan([ConceptInput("big", images=2000), ConceptInput("tiny", images=12)], max_repeats=20)
    assert plan.repeats_for("tiny") == 20
    assert any("capped" in w for w in plan.warnings)


def test_weights_scale_shares():
    plan = make_plan([ConceptInput("main", images=50, weight=3), ConceptInput("side", images=50)])
    assert plan.repeats_for("main") == 3 * plan.repeats_for("side")


def test_to_dict_is_json_and_repeats_lookup():
    plan = make_plan(OUTFITS)
    data = json.loads(json.dumps(plan.to_dict()))
    assert data["total_steps"] == plan.total_steps and len(data["rows"]) == 4
    assert data["rows"][0] == {"concept": "outfit1", "tier": "", "images": 20, "repeats": 5, "images_per_epoch": 100,
                               "steps_per_epoch": 50.0, "share": 0.2506, "source": "balanced"}
    assert plan.repeats_for("outfit2") == 3 and plan.repeats_map()[("outfit4", "")] == 2
    with pytest.raises(KeyError):
        plan.repeats_for("nope")


def test_plan_is_frozen():
    plan = make_plan(OUTFITS)
    with pytest.raises(AttributeError):
        plan.epochs = 3  # type: ignore[misc]


def test_concept_repeats_keep_the_tier_weights():
    # guide 003: primaries 5x supporting; a concept's own `repeats` must not flatten that (27% / 73% before).
    plan = make_plan([ConceptInput("brandy", "primary", 58, concept_repeats=3),
                      ConceptInput("brandy", "supporting", 164, concept_repeats=3)])
    primary, supporting = plan.rows
    assert (primary.repeats, supporting.repeats) == (15, 3)
    assert primary.source == supporting.source == "override"
    assert primary.images_per_epoch > supporting.images_per_epoch
    assert not any("fewer than" in w for w in plan.warnings)


def test_concept_repeats_with_custom_tier_weights_and_untiered_images():
    plan = make_plan([ConceptInput("a", "best", 10, concept_repeats=2), ConceptInput("a", "", 40, concept_repeats=2)],
                     tier_weights={"best": 2.5})
    assert [r.repeats for r in plan.rows] == [5, 2]


def test_exact_group_repeats_are_kept_even_against_the_tier_weights():
    plan = make_plan([ConceptInput("x", "primary", 30, repeats=2), ConceptInput("x", "supporting", 100, repeats=1)])
    assert [r.repeats for r in plan.rows] == [2, 1]


@pytest.mark.parametrize("primary_repeats,warned", [(1, True), (2, True), (3, False)])
def test_primaries_with_fewer_samples_than_supporting_are_flagged(primary_repeats, warned):
    plan = make_plan([ConceptInput("x", "primary", 50, repeats=primary_repeats),
                      ConceptInput("x", "supporting", 120, repeats=1)])
    flagged = [w for w in plan.warnings if "x/primary gets" in w and "fewer than x/supporting" in w]
    assert bool(flagged) == warned


def test_tier_order_warning_only_compares_tiers_of_one_concept():
    plan = make_plan([ConceptInput("a", "primary", 10, repeats=1), ConceptInput("b", "supporting", 300, repeats=1)])
    assert not any("fewer than" in w for w in plan.warnings)


@pytest.mark.parametrize("images,warned", [(5, True), (12, True), (19, True), (20, False), (60, False)])
def test_few_images_warning_says_what_it_checks(images, warned):
    plan = make_plan([ConceptInput("solo_concept", images=images)])
    text = [w for w in plan.warnings if "solo_concept has only" in w]
    assert bool(text) == warned
    if warned:
        # the figure the sentence names is the figure the check uses
        assert f"only {images} images" in text[0] and "about 20" in text[0]
