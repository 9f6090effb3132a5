"""ROBINS-I's conditional questions: answers to questions the earlier answers leave unasked
are stored as NA and never count, and the conditions agree with the domain proposals."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.rob import robins_i
from grading.rob.base import Answer, is_asked, not_asked


@pytest.mark.parametrize(
    ("answers", "expected_na"),
    [
        # No potential for confounding: the rest of domain 1 is not asked.
        ({"1.1": "N", "1.4": "Y", "1.6": "N"}, {"1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8"}),
        ({"1.1": "Y", "1.2": "N", "1.4": "N"}, {"1.3", "1.5", "1.7", "1.8"}),
        ({"2.1": "N", "2.4": "Y"}, {"2.2", "2.3", "2.5"}),
        ({"2.1": "Y", "2.2": "Y", "2.3": "N", "2.4": "N", "2.5": "Y"}, set()),
        ({"5.1": "Y", "5.2": "N", "5.3": "N", "5.4": "Y"}, {"5.4", "5.5"}),
    ],
)
def test_settle_stores_unasked_questions_as_na(answers, expected_na):
    settled = robins_i.settle(answers)
    assert {q for q, a in settled.items() if a == "NA"} == expected_na


def test_conditions_on_the_effect_of_interest_stay_in_words():
    # 4.3-4.5 are asked for the effect of starting and adhering: not settled from answers.
    assert robins_i.settle({"4.1": "N", "4.3": "Y"}) == {"4.1": "N", "4.2": "NA", "4.3": "Y"}


def test_an_answer_to_an_unasked_question_does_not_count():
    # 1.1 No: Low, whatever 1.6 (which would mean Serious) says.
    proposal = robins_i.propose_domain("D1", {"1.1": "N", "1.6": "Y"})
    assert proposal.judgement is robins_i.Judgement.LOW


@st.composite
def walked_answers(draw):
    """Every question answered in order when the earlier answers ask it, else NA."""
    effect = draw(st.sampled_from(["assignment", "adhering"]))
    answers: dict[str, Answer] = {}
    for question in (q for d in robins_i.DOMAINS for q in d.questions):
        if is_asked(question, answers):
            answers[question.id] = draw(st.sampled_from(sorted(question.answers - {Answer.NA})))
        else:
            answers[question.id] = Answer.NA
    return effect, answers


@given(walked_answers())
def test_property_answering_only_the_asked_questions_always_gives_every_judgement(case):
    effect, answers = case
    assessment = robins_i.propose(answers, effect=effect)
    assert [p.missing for p in assessment.domains] == [()] * 7
    assert not_asked(answers, robins_i.DOMAINS) == {q for q, a in answers.items() if a == "NA"}
