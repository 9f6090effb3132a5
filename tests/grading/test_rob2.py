"""Cochrane RoB 2: every documented path of STANDARDS.md 3.1's domain algorithms, the overall
judgement, and the answer checks."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.rob import rob2
from grading.rob.base import Answer

LOW, SOME, HIGH = "low", "some_concerns", "high"


def judged(domain, answers, effect="assignment"):
    proposal = rob2.propose_domain(domain, answers, effect=effect)
    return proposal.judgement and proposal.judgement.value


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"1.1": "Y", "1.2": "N", "1.3": "N"}, HIGH),  # 1.2 N/PN
        ({"1.1": "Y", "1.2": "PN", "1.3": "N"}, HIGH),
        ({"1.1": "Y", "1.2": "NI", "1.3": "PY"}, HIGH),  # 1.2 NI and 1.3 Y/PY
        ({"1.1": "N", "1.2": "Y", "1.3": "N"}, SOME),  # 1.2 Y/PY and 1.1 N/PN
        ({"1.1": "Y", "1.2": "PY", "1.3": "Y"}, SOME),  # 1.2 Y/PY and 1.3 Y/PY
        ({"1.1": "Y", "1.2": "Y", "1.3": "N"}, LOW),  # 1.2 Y/PY, 1.1 Y/PY/NI, 1.3 N/PN/NI
        ({"1.1": "NI", "1.2": "PY", "1.3": "NI"}, LOW),
        ({"1.1": "Y", "1.2": "NI", "1.3": "N"}, SOME),  # 1.2 NI and 1.3 N/PN/NI
        ({"1.1": "Y", "1.2": "NI", "1.3": "NI"}, SOME),
    ],
)
def test_d1_paths(answers, expected):
    assert judged("D1", answers) == expected


# Domain 2, effect of assignment. Part 1 (deviations) is tested with part 2 Low (2.6 Y), and
# part 2 (analysis) with part 1 Low (2.1 and 2.2 N), so each part's path shows on its own.
ANALYSIS_OK = {"2.6": "Y", "2.7": "NA"}
NOT_AWARE = {"2.1": "N", "2.2": "N", "2.3": "NA", "2.4": "NA", "2.5": "NA"}


@pytest.mark.parametrize(
    ("deviations", "expected"),
    [
        ({"2.1": "N", "2.2": "PN", "2.3": "NA", "2.4": "NA", "2.5": "NA"}, LOW),
        ({"2.1": "Y", "2.2": "N", "2.3": "N", "2.4": "NA", "2.5": "NA"}, LOW),  # 2.3 N/PN
        ({"2.1": "NI", "2.2": "N", "2.3": "NI", "2.4": "NA", "2.5": "NA"}, SOME),  # 2.3 NI
        ({"2.1": "Y", "2.2": "Y", "2.3": "Y", "2.4": "N", "2.5": "NA"}, SOME),  # 2.4 N/PN
        ({"2.1": "Y", "2.2": "Y", "2.3": "Y", "2.4": "Y", "2.5": "Y"}, SOME),  # 2.5 Y/PY
        ({"2.1": "Y", "2.2": "Y", "2.3": "PY", "2.4": "NI", "2.5": "PY"}, SOME),
        ({"2.1": "Y", "2.2": "Y", "2.3": "Y", "2.4": "Y", "2.5": "N"}, HIGH),  # 2.5 N/PN/NI
        ({"2.1": "Y", "2.2": "Y", "2.3": "Y", "2.4": "NI", "2.5": "NI"}, HIGH),
    ],
)
def test_d2_assignment_deviation_paths(deviations, expected):
    assert judged("D2", deviations | ANALYSIS_OK) == expected


@pytest.mark.parametrize(
    ("analysis", "expected"),
    [
        ({"2.6": "Y", "2.7": "NA"}, LOW),
        ({"2.6": "N", "2.7": "N"}, SOME),
        ({"2.6": "NI", "2.7": "PN"}, SOME),
        ({"2.6": "NI", "2.7": "Y"}, HIGH),
        ({"2.6": "N", "2.7": "NI"}, HIGH),
    ],
)
def test_d2_assignment_analysis_paths(analysis, expected):
    assert judged("D2", NOT_AWARE | analysis) == expected


@pytest.mark.parametrize(
    ("deviations", "analysis", "expected"),
    [
        ({"2.1": "NI", "2.2": "N", "2.3": "NI"}, {"2.6": "N", "2.7": "N"}, SOME),
        ({"2.1": "Y", "2.2": "Y", "2.3": "Y", "2.4": "Y", "2.5": "N"}, ANALYSIS_OK, HIGH),
        ({"2.1": "NI", "2.2": "N", "2.3": "NI"}, {"2.6": "N", "2.7": "Y"}, HIGH),
    ],
)
def test_d2_assignment_combines_the_parts(deviations, analysis, expected):
    proposal = rob2.propose_domain("D2", deviations | analysis)
    assert proposal.judgement.value == expected
    assert proposal.path.startswith("part 1: ")


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # Not aware and no implementation or adherence problem.
        ({"2.1": "N", "2.2": "N", "2.3": "NA", "2.4": "NA", "2.5": "N", "2.6": "NA"}, LOW),
        # Aware, non-protocol interventions balanced (or none), no problem.
        ({"2.1": "Y", "2.2": "N", "2.3": "Y", "2.4": "N", "2.5": "NA", "2.6": "NA"}, LOW),
        ({"2.1": "Y", "2.2": "Y", "2.3": "NA", "2.4": "PN", "2.5": "PN", "2.6": "NA"}, LOW),
        # Aware and not balanced: appropriate analysis decides.
        ({"2.1": "Y", "2.2": "N", "2.3": "N", "2.4": "N", "2.5": "N", "2.6": "Y"}, SOME),
        ({"2.1": "PY", "2.2": "N", "2.3": "NI", "2.4": "N", "2.5": "N", "2.6": "N"}, HIGH),
        # Not aware, but an implementation or adherence problem.
        ({"2.1": "N", "2.2": "N", "2.3": "NA", "2.4": "Y", "2.5": "N", "2.6": "PY"}, SOME),
        ({"2.1": "N", "2.2": "PN", "2.3": "NA", "2.4": "N", "2.5": "NI", "2.6": "NI"}, HIGH),
        # Aware, balanced, but a problem.
        ({"2.1": "Y", "2.2": "Y", "2.3": "Y", "2.4": "N", "2.5": "Y", "2.6": "N"}, HIGH),
    ],
)
def test_d2_adhering_paths(answers, expected):
    assert judged("D2", answers, effect="adhering") == expected


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"3.1": "Y"}, LOW),
        ({"3.1": "N", "3.2": "PY"}, LOW),
        ({"3.1": "NI", "3.2": "N", "3.3": "PN"}, LOW),
        ({"3.1": "N", "3.2": "N", "3.3": "Y", "3.4": "N"}, SOME),
        ({"3.1": "N", "3.2": "PN", "3.3": "NI", "3.4": "PN"}, SOME),
        ({"3.1": "N", "3.2": "N", "3.3": "Y", "3.4": "Y"}, HIGH),
        ({"3.1": "PN", "3.2": "N", "3.3": "PY", "3.4": "NI"}, HIGH),
    ],
)
def test_d3_paths(answers, expected):
    assert judged("D3", answers) == expected


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"4.1": "Y", "4.2": "N"}, HIGH),
        ({"4.1": "N", "4.2": "PY"}, HIGH),
        ({"4.1": "N", "4.2": "N", "4.3": "N"}, LOW),
        ({"4.1": "NI", "4.2": "N", "4.3": "Y", "4.4": "N"}, LOW),
        ({"4.1": "N", "4.2": "N", "4.3": "Y", "4.4": "Y", "4.5": "N"}, SOME),
        ({"4.1": "N", "4.2": "PN", "4.3": "NI", "4.4": "NI", "4.5": "NI"}, HIGH),
        ({"4.1": "N", "4.2": "N", "4.3": "Y", "4.4": "Y", "4.5": "Y"}, HIGH),
        ({"4.1": "N", "4.2": "NI", "4.3": "N"}, SOME),
        ({"4.1": "N", "4.2": "NI", "4.3": "Y", "4.4": "PN"}, SOME),
        ({"4.1": "N", "4.2": "NI", "4.3": "Y", "4.4": "Y", "4.5": "N"}, SOME),
        ({"4.1": "N", "4.2": "NI", "4.3": "Y", "4.4": "Y", "4.5": "PY"}, HIGH),
    ],
)
def test_d4_paths(answers, expected):
    assert judged("D4", answers) == expected


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"5.1": "Y", "5.2": "Y", "5.3": "N"}, HIGH),
        ({"5.1": "Y", "5.2": "N", "5.3": "PY"}, HIGH),
        ({"5.1": "Y", "5.2": "NI", "5.3": "N"}, SOME),
        ({"5.1": "Y", "5.2": "N", "5.3": "N"}, LOW),
        ({"5.1": "NI", "5.2": "N", "5.3": "PN"}, SOME),
        ({"5.1": "N", "5.2": "PN", "5.3": "N"}, SOME),
    ],
)
def test_d5_paths(answers, expected):
    assert judged("D5", answers) == expected


@pytest.mark.parametrize(
    ("domains", "expected", "may_raise"),
    [
        ([LOW] * 5, LOW, False),
        ([LOW, SOME, LOW, LOW, LOW], SOME, False),
        ([SOME, SOME, LOW, LOW, LOW], SOME, True),
        ([LOW, HIGH, SOME, SOME, LOW], HIGH, False),
    ],
)
def test_overall_judgement(domains, expected, may_raise):
    overall = rob2.propose_overall(domains)
    assert (overall.judgement.value, overall.may_raise_to_high) == (expected, may_raise)


def test_overall_waits_for_every_domain():
    assert rob2.propose_overall([LOW, None, LOW, LOW, LOW]).judgement is None


def test_propose_gives_every_domain_and_the_overall_with_the_tool_version():
    answers = {"1.1": "Y", "1.2": "Y", "1.3": "N", **NOT_AWARE, **ANALYSIS_OK, "3.1": "Y"}
    answers |= {"4.1": "N", "4.2": "N", "4.3": "N", "5.1": "N", "5.2": "N", "5.3": "N"}
    assessment = rob2.propose(answers)
    assert [(p.domain, p.judgement.value) for p in assessment.domains] == [
        ("D1", LOW),
        ("D2", LOW),
        ("D3", LOW),
        ("D4", LOW),
        ("D5", SOME),
    ]
    assert assessment.overall.judgement is rob2.Judgement.SOME_CONCERNS
    assert assessment.tool_version == "RoB 2 (2019-08-22)"


def test_a_missing_answer_on_the_path_is_named():
    proposal = rob2.propose_domain("D1", {"1.2": "Y"})
    assert (proposal.judgement, proposal.missing) == (None, ("1.1",))
    # NA where the path needs an answer is missing too: 2.1 Y means 2.3 applies.
    proposal = rob2.propose_domain("D2", {"2.1": "Y", "2.2": "Y", "2.3": "NA"})
    assert proposal.missing == ("2.3",)
    assert rob2.propose({}).overall.judgement is None


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"9.9": "Y"}, "unknown signalling question"),
        ({"1.1": "NA"}, "not allowed"),  # 1.1 is always asked
        ({"3.2": "NI"}, "not allowed"),  # 3.2 takes Y/PY/PN/N only
        ({"1.1": "maybe"}, "not a valid Answer"),
    ],
)
def test_answers_are_checked(answers, message):
    with pytest.raises(ValueError, match=message):
        rob2.propose_domain("D1", answers)


def test_domains_hold_22_questions_for_assignment_and_21_for_adhering():
    assert [len(d.questions) for d in rob2.domains("assignment")] == [3, 7, 4, 5, 3]
    assert [len(d.questions) for d in rob2.domains("adhering")] == [3, 6, 4, 5, 3]
    d1 = rob2.domains()[0]
    assert d1.name_en == "Bias arising from the randomization process"
    assert d1.questions[0].text_en == "Was the allocation sequence random?"


def _full_answers(effect):
    """Any answer (never NA) to every question: every path then finds what it needs."""
    questions = [q for d in rob2.domains(effect) for q in d.questions]
    return st.fixed_dictionaries(
        {q.id: st.sampled_from(sorted(q.answers - {Answer.NA})) for q in questions}
    )


@given(
    st.sampled_from(["assignment", "adhering"]).flatmap(
        lambda effect: st.tuples(st.just(effect), _full_answers(effect))
    )
)
def test_property_complete_answers_always_give_a_judgement(case):
    effect, answers = case
    assessment = rob2.propose(answers, effect=effect)
    judgements = [p.judgement for p in assessment.domains]
    assert None not in judgements
    if rob2.Judgement.HIGH in judgements:
        assert assessment.overall.judgement is rob2.Judgement.HIGH
    elif set(judgements) == {rob2.Judgement.LOW}:
        assert assessment.overall.judgement is rob2.Judgement.LOW
    else:
        assert assessment.overall.judgement is rob2.Judgement.SOME_CONCERNS


@given(_full_answers("assignment"))
def test_property_probably_answers_count_as_definite_ones(answers):
    definite = {q: {"PY": "Y", "PN": "N"}.get(a, a) for q, a in answers.items()}
    probable = {q: {"Y": "PY", "N": "PN"}.get(a, a) for q, a in definite.items()}
    assert rob2.propose(definite) == rob2.propose(probable)
