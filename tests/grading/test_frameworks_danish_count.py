"""The Danish hierarchy in count mode: every rule of DESIGN.md section 4, the edge cases the
rule table leaves open, and properties that must hold for any set of results."""

import json
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.frameworks import danish_count
from grading.frameworks.base import Direction, Quality, ResultInput

POS, NEG, NONE, MIXED = (
    Direction.POSITIVE,
    Direction.NEGATIVE,
    Direction.NO_EFFECT,
    Direction.MIXED,
)
HIGH, LIMITED = Quality.HIGH, Quality.LIMITED


def results(*specs):
    """ResultInputs from (direction, quality[, is_review]) tuples, numbered r1, r2 ..."""
    made = []
    for number, spec in enumerate(specs, start=1):
        direction, quality, *review = spec
        made.append(
            ResultInput(
                id=f"r{number}",
                label=f"Study {number}",
                direction=direction,
                quality=quality,
                is_review=bool(review and review[0]),
            )
        )
    return made


def level_of(*specs):
    verdict = danish_count.evaluate(results(*specs))
    return verdict.level_code, verdict.direction, verdict.rule.code


@pytest.mark.parametrize(
    ("specs", "expected"),
    [
        # Stærk evidens: three or more high-quality results, or a review, with preponderance.
        ([(POS, HIGH)] * 3, ("strong", POS, "strong_three_high")),
        ([(POS, HIGH)] * 3 + [(NEG, HIGH)] * 2, ("strong", POS, "strong_three_high")),
        ([(NEG, LIMITED, True)], ("strong", NEG, "strong_review")),
        ([(POS, LIMITED, True), (POS, HIGH)], ("strong", POS, "strong_review")),
        # Moderat evidens: exactly two high-quality results in the preponderant direction.
        ([(POS, HIGH)] * 2, ("moderate", POS, "moderate_two_high")),
        ([(POS, HIGH)] * 2 + [(NEG, LIMITED)] * 5, ("moderate", POS, "moderate_two_high")),
        # Indikation: one high-quality result, or several limited ones and no high.
        ([(NONE, HIGH)], ("indication", NONE, "indication_one_high")),
        ([(POS, LIMITED)] * 2, ("indication", POS, "indication_limited")),
        ([(POS, LIMITED)] * 3 + [(NEG, LIMITED)] * 2, ("indication", POS, "indication_limited")),
        # Modstridende viden: different directions, no preponderance.
        ([(POS, HIGH), (NEG, HIGH)], ("conflicting", None, "conflicting")),
        ([(POS, LIMITED), (NEG, LIMITED)], ("conflicting", None, "conflicting")),
        # Ingen viden: nothing, or a single limited-quality result.
        ([], ("no_knowledge", None, "no_results")),
        ([(POS, LIMITED)], ("no_knowledge", POS, "single_limited")),
    ],
)
def test_count_rule_table(specs, expected):
    assert level_of(*specs) == expected


def test_single_high_quality_result_alone_is_an_indication():
    # The seed report's topic 1: one study, judged high quality, showing no effect.
    assert level_of((NONE, HIGH)) == ("indication", NONE, "indication_one_high")


def test_limited_results_are_set_aside_when_high_quality_exists_even_if_they_outnumber_it():
    verdict = danish_count.evaluate(results((POS, HIGH), (NEG, LIMITED), (NEG, LIMITED)))
    assert (verdict.level_code, verdict.direction) == ("indication", POS)
    trace = verdict.trace
    assert trace.considered_basis == "high_quality"
    assert [r.considered for r in trace.results] == [True, False, False]
    assert trace.results[1].reason_en == (
        "limited quality; set aside because high-quality results exist"
    )


def test_mixed_results_count_in_the_total_but_never_win():
    # 2 of 3 is 67 %: positive keeps its preponderance.
    assert level_of((POS, HIGH), (POS, HIGH), (MIXED, HIGH))[:2] == ("moderate", POS)
    # 1 of 2 is 50 %: no preponderance.
    assert level_of((POS, HIGH), (MIXED, HIGH)) == ("conflicting", None, "conflicting")
    # All mixed: never a preponderance.
    assert level_of((MIXED, HIGH), (MIXED, HIGH), (MIXED, HIGH))[0] == "conflicting"


def test_a_lone_mixed_result_is_conflicting_if_high_and_no_knowledge_if_limited():
    assert level_of((MIXED, HIGH)) == ("conflicting", None, "conflicting")
    assert level_of((MIXED, LIMITED)) == ("no_knowledge", None, "single_limited")


def test_ties_never_give_a_preponderance():
    assert level_of((POS, HIGH), (POS, HIGH), (NEG, HIGH), (NEG, HIGH))[0] == "conflicting"
    assert level_of((POS, LIMITED), (NONE, LIMITED))[0] == "conflicting"


def test_threshold_is_exactly_55_percent():
    # 11 of 20 = 55 % exactly: a preponderance.
    at = [(POS, HIGH)] * 11 + [(NEG, HIGH)] * 9
    assert level_of(*at)[:2] == ("strong", POS)
    # 6 of 11 = 54.5 %: none.
    below = [(POS, HIGH)] * 6 + [(NEG, HIGH)] * 5
    assert level_of(*below)[0] == "conflicting"


def test_share_below_threshold_is_never_printed_as_55_percent():
    verdict = danish_count.evaluate(results(*([(POS, LIMITED)] * 6 + [(NEG, LIMITED)] * 5)))
    positive = next(c for c in verdict.trace.counts if c.direction is POS)
    assert positive.share == Fraction(6, 11)
    assert verdict.level_code == "conflicting"
    assert "No direction reaches the 55 % threshold" in verdict.explanation_en


def test_review_counts_as_one_high_quality_result_whatever_its_quality_field():
    verdict = danish_count.evaluate(results((POS, LIMITED, True), (NEG, LIMITED)))
    assert verdict.trace.considered_basis == "high_quality"
    assert verdict.trace.considered_total == 1
    assert verdict.level_code == "strong"


def test_trace_counts_and_reasons():
    verdict = danish_count.evaluate(results((POS, HIGH), (POS, HIGH), (NEG, HIGH), (POS, LIMITED)))
    counts = {c.direction: (c.high, c.limited, c.considered) for c in verdict.trace.counts}
    assert counts == {POS: (2, 1, 2), NEG: (1, 0, 1), NONE: (0, 0, 0), MIXED: (0, 0, 0)}
    assert verdict.trace.share == Fraction(2, 3)
    assert verdict.trace.high_in_direction == 2
    assert [(r.id, r.considered, r.supports) for r in verdict.trace.results] == [
        ("r1", True, True),
        ("r2", True, True),
        ("r3", True, False),
        ("r4", False, False),
    ]
    assert verdict.trace.results[2].reason_en == (
        "high quality; considered, but points another way (negative)"
    )


def test_explanations_in_both_languages():
    verdict = danish_count.evaluate(results((POS, HIGH), (POS, HIGH), (NEG, LIMITED)))
    assert verdict.explanation_en == (
        "3 results in all. 2 results of high quality are considered; 1 of limited quality is "
        'set aside because high-quality results exist. The direction "positive" holds 2 of 2 '
        "(100 %), reaching the 55 % threshold. Two high-quality results point that way, so the "
        "level is Moderate evidence."
    )
    assert verdict.explanation_da == (
        "3 resultater i alt. 2 resultater af høj kvalitet indgår; 1 af begrænset kvalitet ses "
        'bort fra, fordi der findes resultater af høj kvalitet. Retningen "positiv" omfatter 2 '
        "af 2 (100 %) og når dermed tærsklen på 55 %. To resultater af høj kvalitet peger samme "
        "vej, så niveauet er Moderat evidens."
    )


def test_to_dict_is_json_with_codes():
    verdict = danish_count.evaluate(results((POS, HIGH), (NEG, LIMITED)))
    data = json.loads(json.dumps(verdict.to_dict()))
    assert data["level"] == {
        "code": "indication",
        "label_da": "Indikation",
        "label_en": "Indication",
        "rank": 3,
        "group": "indication",
    }
    assert data["direction"] == "positive"
    assert data["trace"]["rule"]["code"] == "indication_one_high"
    assert data["trace"]["share"] == 1.0
    assert data["trace"]["threshold"] == 0.55
    assert data["trace"]["results"][1]["considered"] is False


def test_duplicate_result_ids_are_refused():
    twice = ResultInput(id=7, label="A", direction=POS, quality=HIGH)
    with pytest.raises(ValueError, match="appears twice"):
        danish_count.evaluate([twice, twice])


# Properties, for any list of results.

result_specs = st.lists(
    st.tuples(st.sampled_from(list(Direction)), st.sampled_from(list(Quality)), st.booleans()),
    max_size=12,
)


@given(result_specs)
def test_property_level_is_consistent_with_the_counts(specs):
    verdict = danish_count.evaluate(results(*specs))
    trace = verdict.trace
    assert sum(c.high + c.limited for c in trace.counts) == len(specs)
    if verdict.direction is not None:
        assert verdict.direction is not MIXED
        assert trace.share >= Fraction(55, 100)
    else:
        assert all(c.share < Fraction(55, 100) or c.direction is MIXED for c in trace.counts)
    if verdict.level_code == "strong":
        assert trace.high_in_direction >= 3 or trace.review_in_direction
    if verdict.level_code == "moderate":
        assert trace.high_in_direction == 2 and not trace.review_in_direction
    if verdict.level_code == "conflicting":
        assert verdict.direction is None and trace.considered_total >= 1
    if verdict.level_code == "no_knowledge":
        assert len(specs) == 0 or (len(specs) == 1 and not results(*specs)[0].counts_as_high)
    json.dumps(verdict.to_dict())


@given(result_specs, st.randoms())
def test_property_order_does_not_matter(specs, random):
    shuffled = list(specs)
    random.shuffle(shuffled)
    assert level_of(*specs)[:2] == level_of(*shuffled)[:2]


@given(result_specs.filter(lambda specs: any(q is HIGH or review for _, q, review in specs)))
def test_property_limited_results_cannot_change_a_verdict_once_high_quality_exists(specs):
    high_only = [spec for spec in specs if spec[1] is HIGH or spec[2]]
    assert level_of(*specs) == level_of(*high_only)


@given(result_specs)
def test_property_an_agreeing_high_quality_result_never_lowers_the_level(specs):
    before = danish_count.evaluate(results(*specs))
    if before.direction is None:
        return
    after = danish_count.evaluate(results(*specs, (before.direction, HIGH)))
    assert after.direction is before.direction
    assert after.level.rank >= before.level.rank
