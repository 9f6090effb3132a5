"""The Danish hierarchy in weighted mode (jobeffekter.dk), with the site's worked example."""

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.frameworks import danish_weighted
from grading.frameworks.base import (
    Combination,
    Design,
    Direction,
    Quality,
    QualityAssessment,
    ResultInput,
    TargetShare,
)

POS, NEG = Direction.POSITIVE, Direction.NEGATIVE


def worked_example(number=1, direction=POS, target_share=TargetShare.MAIN):
    """The site's example: satisfactory, econometric, Denmark, not in a journal, no combination."""
    return ResultInput(
        id=number,
        label=f"Danish study {number}",
        direction=direction,
        quality=Quality.LIMITED,
        quality_assessment=QualityAssessment.SATISFACTORY,
        design=Design.MATCHING,
        country="DK",
        peer_reviewed=False,
        combination=Combination.NONE,
        target_share=target_share,
    )


def best_possible(number=1, direction=POS):
    """The maximum weight 1: a Danish RCT of good quality in a journal."""
    return ResultInput(
        id=number,
        label=f"Danish RCT {number}",
        direction=direction,
        quality=Quality.HIGH,
        quality_assessment=QualityAssessment.GOOD,
        design=Design.RANDOMISED_INDIVIDUAL,
        country="DK",
        peer_reviewed=True,
    )


def test_worked_example_weighs_0_20():
    # 0.5 x 0.8 x 1 x 0.5 x 1 = 0.20
    factors = danish_weighted.result_factors(worked_example())
    assert [(f.name, f.value) for f in factors] == [
        ("quality", Decimal("0.5")),
        ("method", Decimal("0.8")),
        ("geography", Decimal("1")),
        ("publication", Decimal("0.5")),
        ("combination", Decimal("1")),
        ("target_share", Decimal("1")),
    ]
    assert danish_weighted.result_weight(worked_example()) == Decimal("0.20")


def test_worked_example_for_a_partial_target_group_weighs_0_10():
    partial = worked_example(target_share=TargetShare.SUBGROUP)
    assert danish_weighted.result_weight(partial) == Decimal("0.10")


def test_best_possible_result_weighs_1():
    assert danish_weighted.result_weight(best_possible()) == Decimal("1")


@pytest.mark.parametrize(
    ("combination", "weight"),
    [(Combination.NONE, "1"), (Combination.ONE, "0.5"), (Combination.BOTH, "0.25")],
)
def test_combination_factor(combination, weight):
    result = ResultInput(
        id=1,
        label="A",
        direction=POS,
        quality=Quality.HIGH,
        design=Design.RANDOMISED_CLUSTER,
        peer_reviewed=True,
        combination=combination,
    )
    assert danish_weighted.result_weight(result) == Decimal(weight)


def test_quality_assessment_is_derived_from_the_quality_judgement_when_missing():
    high = ResultInput(id=1, label="A", direction=POS, quality=Quality.HIGH, peer_reviewed=True)
    limited = ResultInput(id=2, label="B", direction=POS, quality=Quality.LIMITED)
    assert danish_weighted.result_factors(high)[0].basis == "good (derived from high quality)"
    # limited: satisfactory 0.5 x econometric 0.8 x not in a journal 0.5
    assert danish_weighted.result_weight(limited) == Decimal("0.2")


def test_quasi_randomised_weighs_as_econometric():
    quasi = ResultInput(
        id=1,
        label="A",
        direction=POS,
        quality=Quality.HIGH,
        design=Design.RANDOMISED_QUASI,
        peer_reviewed=True,
    )
    assert danish_weighted.result_weight(quasi) == Decimal("0.8")


def test_total_weight_below_one_is_few_studies():
    verdict = danish_weighted.evaluate([worked_example(n) for n in range(1, 5)])  # 4 x 0.2
    assert verdict.trace.total_weight == Decimal("0.8")
    assert (verdict.level_code, verdict.rule.code) == ("no_knowledge", "few_studies")
    assert verdict.trace.site_conclusion == "few_studies"
    assert verdict.direction is None


def test_total_weight_of_exactly_one_is_enough():
    verdict = danish_weighted.evaluate([worked_example(n) for n in range(1, 6)])  # 5 x 0.2
    assert verdict.trace.total_weight == Decimal("1")
    assert (verdict.level_code, verdict.direction) == ("indication", POS)
    assert verdict.trace.site_conclusion == "positive"


def test_direction_needs_55_percent_of_the_weight():
    # Positive 1.2 (an RCT and one 0.2 study) against negative 0.4: 75 %.
    results = [best_possible(1), worked_example(2, POS)]
    results += [worked_example(3, NEG), worked_example(4, NEG)]
    verdict = danish_weighted.evaluate(results)
    assert verdict.trace.share == Decimal("0.75")
    assert verdict.direction is POS
    split = danish_weighted.evaluate([best_possible(1, POS), best_possible(2, NEG)])
    assert (split.level_code, split.trace.site_conclusion) == ("conflicting", "conflicting")


def test_threshold_boundary_is_exact():
    settings = danish_weighted.WeightedSettings(few_studies_below=Decimal("0"))
    # 11 x 0.2 positive against 9 x 0.2 negative: 55 % exactly.
    at = [worked_example(n, POS) for n in range(11)] + [
        worked_example(n, NEG) for n in range(11, 20)
    ]
    assert danish_weighted.evaluate(at, settings=settings).direction is POS
    below = [worked_example(n, POS) for n in range(6)] + [
        worked_example(n, NEG) for n in range(6, 11)
    ]
    assert danish_weighted.evaluate(below, settings=settings).direction is None


@pytest.mark.parametrize(
    ("count", "level"), [(1, "indication"), (2, "moderate"), (3, "strong"), (4, "strong")]
)
def test_levels_by_weight_in_the_preponderant_direction(count, level):
    verdict = danish_weighted.evaluate([best_possible(n) for n in range(count)])
    assert verdict.level_code == level


def test_preponderance_with_less_than_one_unit_in_the_direction_is_an_indication():
    # 0.8 positive, 0.4 negative: 67 % positive of a total 1.2.
    results = [worked_example(n, POS) for n in range(4)] + [
        worked_example(n, NEG) for n in range(4, 6)
    ]
    verdict = danish_weighted.evaluate(results)
    assert (verdict.level_code, verdict.direction) == ("indication", POS)


def test_review_in_the_direction_is_strong_once_there_is_enough_weight():
    review = ResultInput(
        id="review",
        label="Review",
        direction=POS,
        quality=Quality.HIGH,
        design=Design.REVIEW,
        is_review=True,
        peer_reviewed=True,
    )
    assert danish_weighted.evaluate([review]).rule.code == "strong_review"


def test_explanation_and_json():
    verdict = danish_weighted.evaluate([worked_example()])
    assert verdict.explanation_en == (
        "1 result gives a total knowledge weight of 0.20. That is below 1 (few studies), so "
        "the level is Uncertain knowledge."
    )
    assert verdict.explanation_da == (
        "1 resultat giver en samlet vidensmængde på 0,20. Det er under 1 (få studier), så "
        "niveauet er Ingen viden."
    )
    data = json.loads(json.dumps(verdict.to_dict()))
    assert data["trace"]["results"][0]["weight"] == 0.2
    assert data["trace"]["results"][0]["factors"][1] == {
        "name": "method",
        "value": 0.8,
        "basis": "econometric (matching)",
    }


weighted_results = st.lists(
    st.builds(
        ResultInput,
        id=st.uuids().map(str),
        label=st.just("x"),
        direction=st.sampled_from(list(Direction)),
        quality=st.sampled_from(list(Quality)),
        design=st.sampled_from(list(Design)),
        peer_reviewed=st.booleans(),
        quality_assessment=st.none() | st.sampled_from(list(QualityAssessment)),
        combination=st.sampled_from(list(Combination)),
        target_share=st.sampled_from(list(TargetShare)),
    ),
    max_size=10,
)


@given(weighted_results)
def test_property_weights_and_levels_are_consistent(results):
    verdict = danish_weighted.evaluate(results)
    trace = verdict.trace
    assert all(Decimal("0") < r.weight <= Decimal("1") for r in trace.results)
    assert trace.total_weight == sum((r.weight for r in trace.results), Decimal("0"))
    assert trace.few_studies == (trace.total_weight < 1)
    if trace.few_studies:
        assert verdict.level_code == "no_knowledge"
    if verdict.direction is not None:
        assert verdict.direction is not Direction.MIXED
        assert trace.share >= Decimal("0.55")
        assert verdict.level_code in {"strong", "moderate", "indication"}
    json.dumps(verdict.to_dict())
