"""GRADE certainty per outcome, and Summary-of-Findings rows."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.frameworks import grade
from grading.frameworks.base import Design, Direction, Quality, ResultInput
from grading.frameworks.grade import GradeAssessment


def study(number, design):
    return ResultInput(
        id=number,
        label=f"Study {number}",
        direction=Direction.POSITIVE,
        quality=Quality.HIGH,
        design=design,
    )


RCTS = [study(1, Design.RANDOMISED_INDIVIDUAL), study(2, Design.RANDOMISED_CLUSTER)]
OBSERVATIONAL = [study(3, Design.MATCHING), study(4, Design.DIFFERENCE_IN_DIFFERENCES)]


def test_randomised_evidence_starts_high():
    verdict = grade.evaluate(RCTS)
    assert verdict.level_code == "high"
    assert verdict.trace.evidence == "randomised"
    assert verdict.explanation_en == (
        "2 studies; randomised trials start high: starting level high. No domain gives reason "
        "to rate down or up. The certainty of the evidence is high."
    )


def test_observational_evidence_starts_low():
    assert grade.evaluate(OBSERVATIONAL).level_code == "low"


def test_mixed_designs_start_as_observational_unless_the_assessment_says_otherwise():
    mixed = [RCTS[0], OBSERVATIONAL[0]]
    assert grade.evaluate(mixed).trace.evidence == "observational"
    chosen = grade.evaluate(mixed, assessment=GradeAssessment(evidence="randomised"))
    assert chosen.level_code == "high"


def test_quasi_randomised_is_not_randomised():
    assert grade.evaluate([study(1, Design.RANDOMISED_QUASI)]).level_code == "low"


def test_non_randomised_rated_with_robins_i_starts_high():
    verdict = grade.evaluate(OBSERVATIONAL, assessment=GradeAssessment(robins_i=True))
    assert verdict.trace.start.code == "high"


@pytest.mark.parametrize(
    ("assessment", "level"),
    [
        (GradeAssessment(risk_of_bias=1), "moderate"),
        (GradeAssessment(risk_of_bias=1, imprecision=1), "low"),
        (GradeAssessment(risk_of_bias=2, inconsistency=1), "very_low"),
        (GradeAssessment(imprecision=3, indirectness=2, publication_bias=2), "very_low"),
    ],
)
def test_rating_down_randomised_evidence(assessment, level):
    assert grade.evaluate(RCTS, assessment=assessment).level_code == level


@pytest.mark.parametrize(
    ("assessment", "level"),
    [
        (GradeAssessment(large_effect=1), "moderate"),
        (GradeAssessment(large_effect=2), "high"),
        (GradeAssessment(large_effect=2, dose_response=1, plausible_confounding=1), "high"),
        (GradeAssessment(dose_response=1, risk_of_bias=1), "low"),
    ],
)
def test_rating_up_observational_evidence(assessment, level):
    assert grade.evaluate(OBSERVATIONAL, assessment=assessment).level_code == level


def test_rating_up_randomised_evidence_is_refused_unless_allowed():
    with pytest.raises(ValueError, match="non-randomised"):
        grade.evaluate(RCTS, assessment=GradeAssessment(large_effect=1, risk_of_bias=1))
    allowed = GradeAssessment(large_effect=1, risk_of_bias=1, allow_upgrade_randomised=True)
    assert grade.evaluate(RCTS, assessment=allowed).level_code == "high"


@pytest.mark.parametrize(
    "bad",
    [
        {"risk_of_bias": 3},
        {"imprecision": 4},
        {"dose_response": 2},
        {"large_effect": -1},
        {"evidence": "rct"},
        {"footnotes": {"blinding": "x"}},
    ],
)
def test_assessment_refuses_values_outside_grade(bad):
    with pytest.raises(ValueError):
        GradeAssessment(**bad)


def test_warnings_for_missing_footnotes_and_upgrading_with_downgrades():
    assessment = GradeAssessment(
        risk_of_bias=1,
        dose_response=1,
        footnotes={"risk_of_bias": "Matching on observables only"},
    )
    verdict = grade.evaluate(OBSERVATIONAL, assessment=assessment)
    assert verdict.trace.warnings == ("missing_footnote:dose_response", "upgrade_with_downgrade")
    assert [(r.domain, r.change) for r in verdict.trace.ratings] == [
        ("risk_of_bias", -1),
        ("dose_response", 1),
    ]


def test_no_studies():
    verdict = grade.evaluate([])
    assert verdict.level_code == "no_studies"
    assert verdict.explanation_en == "There are no studies for this outcome."


def test_danish_explanation_names_each_rated_domain():
    assessment = GradeAssessment(imprecision=2, footnotes={"imprecision": "Få deltagere"})
    verdict = grade.evaluate(RCTS, assessment=assessment)
    assert verdict.explanation_da == (
        "2 studier; randomiserede forsøg starter højt: startniveau høj. Nedgraderet 2 for "
        "unøjagtighed: Få deltagere. Evidensens sikkerhed er lav."
    )


def test_summary_of_findings_table():
    first = grade.evaluate(
        RCTS,
        assessment=GradeAssessment(
            risk_of_bias=1,
            imprecision=1,
            footnotes={"risk_of_bias": "Unblinded", "imprecision": "Wide interval"},
        ),
    )
    second = grade.evaluate(
        OBSERVATIONAL,
        assessment=GradeAssessment(large_effect=1, footnotes={"large_effect": "RR above 2"}),
    )
    rows = [
        grade.sof_row(
            outcome="Employment after 12 months",
            verdict=first,
            participants=1288,
            relative_effect="RR 1.5 (1.1 to 2.0)",
            risk_with_comparison="140 per 1,000",
            risk_with_intervention="210 per 1,000",
        ),
        grade.sof_row(outcome="Unemployment duration", verdict=second, participants=None),
    ]
    header, body, footnotes = grade.sof_table(rows)
    assert header == (
        "Outcomes",
        "Risk with comparison",
        "Risk with intervention",
        "Relative effect (95% CI)",
        "№ of participants (studies)",
        "Certainty of the evidence (GRADE)",
        "Comments",
    )
    assert body[0] == (
        "Employment after 12 months",
        "140 per 1,000",
        "210 per 1,000",
        "RR 1.5 (1.1 to 2.0)",
        "1,288 (2)",
        "⊕⊕◯◯ Low a,b",
        "",
    )
    assert body[1][4:6] == ("- (2)", "⊕⊕⊕◯ Moderate c")
    assert footnotes == [("a", "Unblinded"), ("b", "Wide interval"), ("c", "RR above 2")]
    header_da, body_da, _ = grade.sof_table(rows, language="da")
    assert header_da[5] == "Evidensens sikkerhed (GRADE)"
    assert body_da[0][4:6] == ("1.288 (2)", "⊕⊕◯◯ Lav a,b")


def test_sof_row_needs_a_grade_verdict():
    from grading.frameworks import danish_count

    with pytest.raises(ValueError, match="GRADE"):
        grade.sof_row(outcome="x", verdict=danish_count.evaluate(RCTS))


domain_steps = st.fixed_dictionaries(
    {d.id: st.integers(0, d.maximum) for d in grade.DOMAINS if not d.rates_up}
)
upgrade_steps = st.fixed_dictionaries(
    {d.id: st.integers(0, d.maximum) for d in grade.DOMAINS if d.rates_up}
)


@given(domain_steps, upgrade_steps, st.booleans())
def test_property_certainty_is_the_clamped_sum(down, up, randomised):
    results = RCTS if randomised else OBSERVATIONAL
    assessment = GradeAssessment(**down, **up, allow_upgrade_randomised=True)
    verdict = grade.evaluate(results, assessment=assessment)
    start = 4 if randomised else 2
    expected = min(4, max(1, start - sum(down.values()) + sum(up.values())))
    assert verdict.level.rank == expected
    assert verdict.trace.score == start - sum(down.values()) + sum(up.values())
    json.dumps(verdict.to_dict())


@given(domain_steps)
def test_property_rating_down_never_raises_certainty(down):
    base = grade.evaluate(RCTS).level.rank
    assert grade.evaluate(RCTS, assessment=GradeAssessment(**down)).level.rank <= base
