"""ROBINS-I: the overall algorithm of STANDARDS.md 3.2, and every path of the application's
domain proposals (documented in grading/rob/robins_i.py, since the 2016 tool has none)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.rob import robins_i
from grading.rob.base import Answer

LOW, MODERATE, SERIOUS = "low", "moderate", "serious"
CRITICAL, NO_INFO = "critical", "no_information"


def judged(domain, answers, effect="assignment"):
    proposal = robins_i.propose_domain(domain, answers, effect=effect)
    return proposal.judgement and proposal.judgement.value


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"1.1": "N"}, LOW),
        # Baseline confounding (1.2 N): 1.4 and 1.5 decide.
        ({"1.1": "Y", "1.2": "N", "1.4": "Y", "1.5": "PY", "1.6": "N"}, MODERATE),
        ({"1.1": "Y", "1.2": "N", "1.4": "N", "1.6": "N"}, SERIOUS),
        ({"1.1": "Y", "1.2": "N", "1.4": "Y", "1.5": "N", "1.6": "N"}, SERIOUS),
        ({"1.1": "Y", "1.2": "N", "1.4": "NI", "1.6": "N"}, NO_INFO),
        ({"1.1": "Y", "1.2": "N", "1.4": "Y", "1.5": "NI", "1.6": "N"}, NO_INFO),
        ({"1.1": "Y", "1.2": "N", "1.4": "Y", "1.5": "Y", "1.6": "NI"}, NO_INFO),
        # Post-intervention adjustment.
        ({"1.1": "PY", "1.2": "N", "1.4": "Y", "1.5": "Y", "1.6": "Y"}, SERIOUS),
        # Time-varying confounding (1.2 and 1.3 Y): 1.7 and 1.8 replace 1.4 and 1.5.
        ({"1.1": "Y", "1.2": "Y", "1.3": "Y", "1.6": "N", "1.7": "Y", "1.8": "Y"}, MODERATE),
        ({"1.1": "Y", "1.2": "Y", "1.3": "Y", "1.6": "N", "1.7": "N"}, SERIOUS),
        ({"1.1": "NI", "1.2": "Y", "1.3": "N", "1.4": "Y", "1.5": "Y", "1.6": "N"}, MODERATE),
    ],
)
def test_d1_confounding_paths(answers, expected):
    assert judged("D1", answers) == expected


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"2.1": "N", "2.4": "Y"}, LOW),
        ({"2.1": "Y", "2.2": "N", "2.4": "PY"}, LOW),
        ({"2.1": "Y", "2.2": "Y", "2.3": "N", "2.4": "Y"}, LOW),
        ({"2.1": "Y", "2.2": "Y", "2.3": "Y", "2.4": "Y", "2.5": "Y"}, MODERATE),
        ({"2.1": "Y", "2.2": "Y", "2.3": "Y", "2.4": "Y", "2.5": "N"}, SERIOUS),
        ({"2.1": "N", "2.4": "N", "2.5": "PY"}, MODERATE),
        ({"2.1": "N", "2.4": "PN", "2.5": "NI"}, SERIOUS),
        ({"2.1": "NI", "2.4": "Y"}, NO_INFO),
        ({"2.1": "Y", "2.2": "Y", "2.3": "NI", "2.4": "Y"}, NO_INFO),
        ({"2.1": "N", "2.4": "NI"}, NO_INFO),
    ],
)
def test_d2_selection_paths(answers, expected):
    assert judged("D2", answers) == expected


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"3.1": "Y", "3.2": "Y", "3.3": "N"}, LOW),
        ({"3.1": "Y", "3.2": "N", "3.3": "N"}, MODERATE),
        ({"3.1": "N", "3.2": "Y", "3.3": "N"}, SERIOUS),
        ({"3.1": "Y", "3.2": "Y", "3.3": "PY"}, SERIOUS),
        ({"3.1": "Y", "3.2": "NI", "3.3": "N"}, NO_INFO),
    ],
)
def test_d3_classification_paths(answers, expected):
    assert judged("D3", answers) == expected


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"4.1": "N"}, LOW),
        ({"4.1": "Y", "4.2": "N"}, MODERATE),
        ({"4.1": "Y", "4.2": "PY"}, SERIOUS),
        ({"4.1": "NI"}, NO_INFO),
        ({"4.1": "Y", "4.2": "NI"}, NO_INFO),
    ],
)
def test_d4_assignment_paths(answers, expected):
    assert judged("D4", answers) == expected


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"4.3": "Y", "4.4": "Y", "4.5": "PY"}, LOW),
        ({"4.3": "N", "4.4": "Y", "4.5": "Y", "4.6": "Y"}, MODERATE),
        ({"4.3": "Y", "4.4": "Y", "4.5": "N", "4.6": "N"}, SERIOUS),
        ({"4.3": "Y", "4.4": "PN", "4.5": "Y", "4.6": "NI"}, SERIOUS),
        ({"4.3": "Y", "4.4": "NI", "4.5": "Y"}, NO_INFO),
    ],
)
def test_d4_adhering_paths(answers, expected):
    assert judged("D4", answers, effect="adhering") == expected


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"5.1": "Y", "5.2": "N", "5.3": "N"}, LOW),
        ({"5.1": "N", "5.2": "N", "5.3": "N", "5.4": "Y", "5.5": "N"}, LOW),
        ({"5.1": "Y", "5.2": "Y", "5.3": "N", "5.4": "N", "5.5": "PY"}, LOW),
        ({"5.1": "Y", "5.2": "N", "5.3": "Y", "5.4": "N", "5.5": "N"}, SERIOUS),
        ({"5.1": "PN", "5.2": "N", "5.3": "N", "5.4": "NI", "5.5": "N"}, NO_INFO),
        ({"5.1": "NI", "5.2": "N", "5.3": "N"}, NO_INFO),
    ],
)
def test_d5_missing_data_paths(answers, expected):
    assert judged("D5", answers) == expected


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"6.1": "N", "6.2": "Y", "6.3": "Y", "6.4": "N"}, LOW),
        ({"6.1": "Y", "6.2": "N", "6.3": "Y", "6.4": "N"}, LOW),
        ({"6.1": "Y", "6.2": "Y", "6.3": "Y", "6.4": "N"}, SERIOUS),
        ({"6.1": "N", "6.2": "N", "6.3": "Y", "6.4": "PY"}, SERIOUS),
        ({"6.1": "N", "6.2": "N", "6.3": "N", "6.4": "N"}, CRITICAL),
        ({"6.1": "NI", "6.2": "Y", "6.3": "Y", "6.4": "N"}, NO_INFO),
        ({"6.1": "N", "6.2": "N", "6.3": "NI", "6.4": "N"}, NO_INFO),
    ],
)
def test_d6_measurement_paths(answers, expected):
    assert judged("D6", answers) == expected


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"7.1": "N", "7.2": "PN", "7.3": "N"}, LOW),
        ({"7.1": "N", "7.2": "N", "7.3": "Y"}, SERIOUS),
        ({"7.1": "NI", "7.2": "N", "7.3": "N"}, NO_INFO),
    ],
)
def test_d7_reporting_paths(answers, expected):
    assert judged("D7", answers) == expected


@pytest.mark.parametrize(
    ("domains", "expected", "needs_reviewer"),
    [
        ([LOW] * 7, LOW, False),
        ([LOW, MODERATE, LOW, LOW, LOW, LOW, LOW], MODERATE, False),
        ([MODERATE, SERIOUS, LOW, NO_INFO, LOW, LOW, LOW], SERIOUS, False),
        ([SERIOUS, SERIOUS, CRITICAL, LOW, LOW, LOW, LOW], CRITICAL, False),
        ([LOW, MODERATE, NO_INFO, LOW, LOW, LOW, LOW], NO_INFO, True),
    ],
)
def test_overall_is_the_most_severe_domain(domains, expected, needs_reviewer):
    overall = robins_i.propose_overall(domains)
    assert (overall.judgement.value, overall.needs_reviewer_judgement) == (
        expected,
        needs_reviewer,
    )


def test_overall_waits_for_every_domain():
    assert robins_i.propose_overall([LOW] * 6 + [None]).judgement is None


def test_seven_domains_hold_34_questions_and_the_version_is_kept():
    assert [len(d.questions) for d in robins_i.DOMAINS] == [8, 5, 3, 6, 5, 4, 3]
    assert robins_i.DOMAINS[0].name_en == "Bias due to confounding"
    assert robins_i.propose({}).tool_version == "ROBINS-I (2016)"


def test_missing_answers_are_named():
    proposal = robins_i.propose_domain("D1", {"1.1": "Y", "1.2": "N", "1.6": "N"})
    assert (proposal.judgement, proposal.missing) == (None, ("1.4",))


def test_unknown_domain_is_refused():
    with pytest.raises(ValueError, match="no domain"):
        robins_i.propose_domain("D8", {})


def _full_answers():
    questions = [q for d in robins_i.DOMAINS for q in d.questions]
    return st.fixed_dictionaries(
        {q.id: st.sampled_from(sorted(q.answers - {Answer.NA})) for q in questions}
    )


@given(_full_answers(), st.sampled_from(["assignment", "adhering"]))
def test_property_complete_answers_always_give_a_judgement(answers, effect):
    assessment = robins_i.propose(answers, effect=effect)
    judgements = [p.judgement for p in assessment.domains]
    assert None not in judgements
    worst = max(
        judgements,
        key=[LOW, MODERATE, NO_INFO, SERIOUS, CRITICAL].index,
    )
    if worst in (SERIOUS, CRITICAL):
        assert assessment.overall.judgement == worst


@given(_full_answers())
def test_property_probably_answers_count_as_definite_ones(answers):
    definite = {q: {"PY": "Y", "PN": "N"}.get(a, a) for q, a in answers.items()}
    probable = {q: {"Y": "PY", "N": "PN"}.get(a, a) for q, a in definite.items()}
    assert robins_i.propose(definite) == robins_i.propose(probable)
