"""The framework registry and the shared input/output types."""

import json
from fractions import Fraction

import pytest

from grading.frameworks import DEFAULT_FRAMEWORK, FRAMEWORKS, get_framework
from grading.frameworks.base import Design, Direction, Quality, ResultInput, percent


def test_registry_holds_the_three_frameworks_with_count_mode_as_default():
    assert sorted(FRAMEWORKS) == ["danish_count", "danish_weighted", "grade"]
    assert DEFAULT_FRAMEWORK == "danish_count"
    assert get_framework("grade").label_en == "GRADE (certainty of evidence)"


def test_unknown_framework_names_the_known_ones():
    with pytest.raises(KeyError, match="danish_count, danish_weighted, grade"):
        get_framework("sms")


def test_danish_frameworks_share_the_five_levels_best_first():
    for name in ("danish_count", "danish_weighted"):
        levels = get_framework(name).levels
        assert [(lv.code, lv.label_da) for lv in levels] == [
            ("strong", "Stærk evidens"),
            ("moderate", "Moderat evidens"),
            ("indication", "Indikation"),
            ("conflicting", "Modstridende viden"),
            ("no_knowledge", "Ingen viden"),
        ]
        assert [lv.rank for lv in levels] == sorted((lv.rank for lv in levels), reverse=True)
    assert get_framework("grade").level("very_low").label_da == "Meget lav"


@pytest.mark.parametrize("name", sorted(FRAMEWORKS))
def test_every_framework_evaluates_plain_results_to_json(name):
    results = [
        ResultInput(
            id=1,
            label="A (2020)",
            direction="positive",
            quality="high",
            design="randomised_individual",
            peer_reviewed=True,
        ),
        ResultInput(id=2, label="B (2021)", direction="no_effect", quality="limited"),
    ]
    verdict = get_framework(name).evaluate(results)
    data = json.loads(json.dumps(verdict.to_dict()))
    assert data["framework"] == name
    assert data["level"]["code"] in {level.code for level in get_framework(name).levels}
    assert verdict.explanation_da and verdict.explanation_en
    assert verdict.level_code == data["level"]["code"]


def test_result_input_coerces_strings_and_refuses_typos():
    result = ResultInput(id=1, label="A", direction="negative", quality="limited", design="other")
    assert (result.direction, result.quality, result.design) == (
        Direction.NEGATIVE,
        Quality.LIMITED,
        Design.OTHER,
    )
    with pytest.raises(ValueError):
        ResultInput(id=1, label="A", direction="positiv", quality="high")


@pytest.mark.parametrize(
    ("share", "en", "da"),
    [
        (Fraction(1), "100 %", "100 %"),
        (Fraction(2, 3), "66.6 %", "66,6 %"),
        (Fraction(6, 11), "54.5 %", "54,5 %"),
        (Fraction(55, 100), "55 %", "55 %"),
    ],
)
def test_percent_cuts_rather_than_rounds(share, en, da):
    assert (percent(share, "en"), percent(share, "da")) == (en, da)
