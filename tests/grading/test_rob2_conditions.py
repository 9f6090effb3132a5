"""RoB 2's conditional questions (answers to unasked questions become NA and never count) and
its cluster-randomised variant (domain 1b): the rules, the service that stores them, the page."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.models import Result, RobAssessment
from grading.rob import rob2, rob2_cluster
from grading.rob.base import Answer, is_asked, not_asked, settle_answers
from grading.services import rob as rob_services
from tests.factories.grading import ResultFactory
from tests.grading.test_rob_assessments import ALL_LOW, LOW, RESULT, _url

LOW_J, SOME, HIGH = "low", "some_concerns", "high"
EFFECTS = ["assignment", "adhering"]


# The rule


@pytest.mark.parametrize(
    ("answers", "expected_na"),
    [
        # Nobody aware: 2.3-2.5 are not asked, whatever was entered.
        ({"2.1": "N", "2.2": "PN", "2.3": "Y", "2.4": "Y", "2.5": "N"}, {"2.3", "2.4", "2.5"}),
        # 2.3 No: 2.4 is not asked, and so neither is 2.5 (it hangs on 2.4).
        ({"2.1": "Y", "2.2": "N", "2.3": "N", "2.4": "Y", "2.5": "Y"}, {"2.4", "2.5"}),
        ({"2.6": "Y", "2.7": "Y"}, {"2.7"}),
        ({"3.1": "Y", "3.2": "N", "3.3": "Y", "3.4": "Y"}, {"3.2", "3.3", "3.4"}),
        ({"3.1": "N", "3.2": "PY", "3.3": "Y"}, {"3.3", "3.4"}),
        # 4.3 needs N/PN/NI to both 4.1 and 4.2.
        ({"4.1": "Y", "4.2": "N", "4.3": "Y"}, {"4.3", "4.4", "4.5"}),
        ({"4.1": "N", "4.2": "N", "4.3": "N", "4.4": "Y"}, {"4.4", "4.5"}),
    ],
)
def test_settle_stores_unasked_questions_as_na(answers, expected_na):
    settled = rob2.settle(answers)
    assert {q for q, a in settled.items() if a == "NA"} == expected_na
    assert all(settled[q] == a for q, a in answers.items() if q not in expected_na)


def test_settle_treats_na_on_an_asked_question_as_unanswered():
    # 2.1 Y asks 2.3; NA there is no answer, so the proposal asks for it.
    settled = rob2.settle({"2.1": "Y", "2.2": "N", "2.3": "NA"})
    assert "2.3" not in settled
    assert rob2.propose_domain("D2", settled).missing == ("2.3",)


def test_settle_keeps_na_where_the_tool_says_if_applicable():
    answers = {"2.1": "Y", "2.2": "Y", "2.3": "NA", "2.4": "NA", "2.5": "NA"}
    settled = rob2.settle(answers, effect="adhering")
    assert settled == answers | {"2.6": "NA"}  # no problem anywhere: 2.6 is not asked
    assert rob2.propose_domain("D2", settled, effect="adhering").judgement is rob2.Judgement.LOW


def test_settle_leaves_a_question_alone_while_its_condition_is_undecided():
    # 2.1 N and 2.2 unanswered: 2.3 may or may not be asked.
    assert rob2.settle({"2.1": "N", "2.3": "Y"}) == {"2.1": "N", "2.3": "Y"}
    question = rob2.D2_ASSIGNMENT.questions[2]
    assert is_asked(question, {"2.1": Answer.N}) is None
    assert is_asked(question, {"2.1": Answer.N, "2.2": Answer.NI}) is True
    assert is_asked(question, {"2.1": Answer.N, "2.2": Answer.PN}) is False


def test_an_answer_to_an_unasked_question_does_not_count():
    # 3.1 Y: Low, and the stray "Y" to 3.4 (which would mean High) is ignored.
    proposal = rob2.propose_domain("D3", {"3.1": "Y", "3.2": "N", "3.3": "Y", "3.4": "Y"})
    assert (proposal.judgement, proposal.path) == (rob2.Judgement.LOW, "3.1 Y/PY")


def test_settle_still_refuses_answers_the_tool_does_not_allow():
    with pytest.raises(ValueError, match="not allowed"):
        rob2.settle({"1.1": "NA"})
    with pytest.raises(ValueError, match="unknown signalling question"):
        rob2.settle({"1b.1": "Y"})  # domain 1b is the cluster variant's


def _questions(effect, cluster):
    return [q for d in rob2.domains(effect, cluster=cluster) for q in d.questions]


@st.composite
def walked_answers(draw):
    """Answers as a reviewer gives them on the form: each question in order, answered only
    when the earlier answers ask it (NA allowed only where the tool says "if applicable")."""
    effect = draw(st.sampled_from(EFFECTS))
    cluster = draw(st.booleans())
    answers: dict[str, Answer] = {}
    for question in _questions(effect, cluster):
        if is_asked(question, answers):
            allowed = question.answers - ({Answer.NA} if not question.optional else set())
            answers[question.id] = draw(st.sampled_from(sorted(allowed)))
        else:
            answers[question.id] = Answer.NA
    return effect, cluster, answers


@given(walked_answers())
def test_property_answering_only_the_asked_questions_always_gives_every_judgement(case):
    # The conditions and the algorithms agree: no path needs a question it did not ask.
    effect, cluster, answers = case
    assessment = rob2.propose(answers, effect=effect, cluster=cluster)
    assert [p.missing for p in assessment.domains] == [()] * len(assessment.domains)
    assert assessment.overall.judgement is not None


@st.composite
def any_answers(draw):
    """Any allowed answer, or none, to any question: stray answers included."""
    effect = draw(st.sampled_from(EFFECTS))
    cluster = draw(st.booleans())
    answers = {}
    for question in _questions(effect, cluster):
        choice = draw(st.none() | st.sampled_from(sorted(question.answers)))
        if choice is not None:
            answers[question.id] = choice
    return effect, cluster, answers


@given(any_answers())
def test_property_settling_is_idempotent_and_unasked_means_na(case):
    effect, cluster, answers = case
    domains = rob2.domains(effect, cluster=cluster)
    settled = settle_answers(answers, domains)
    assert settle_answers(settled, domains) == settled
    for question_id in not_asked(answers, domains):
        assert settled[question_id] is Answer.NA


@given(any_answers(), st.data())
def test_property_changing_an_unasked_answer_never_changes_the_proposal(case, data):
    effect, cluster, answers = case
    domains = rob2.domains(effect, cluster=cluster)
    unasked = sorted(not_asked(answers, domains))
    if not unasked:
        return
    question_id = data.draw(st.sampled_from(unasked))
    question = next(q for d in domains for q in d.questions if q.id == question_id)
    changed = {**answers, question_id: data.draw(st.sampled_from(sorted(question.answers)))}
    assert rob2.propose(changed, effect=effect, cluster=cluster) == rob2.propose(
        answers, effect=effect, cluster=cluster
    )


# The cluster-randomised variant


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"1b.1": "Y", "1b.3": "Y"}, LOW_J),  # identified before randomisation: 1b.3 moot
        ({"1b.1": "PY"}, LOW_J),
        ({"1b.1": "N", "1b.2": "Y", "1b.3": "N"}, HIGH),
        ({"1b.1": "NI", "1b.2": "PY", "1b.3": "N"}, HIGH),
        ({"1b.1": "N", "1b.2": "N", "1b.3": "N"}, LOW_J),
        ({"1b.1": "PN", "1b.2": "PN", "1b.3": "NI"}, LOW_J),
        ({"1b.1": "N", "1b.2": "N", "1b.3": "PY"}, SOME),
        ({"1b.1": "N", "1b.2": "NI", "1b.3": "Y"}, HIGH),
        ({"1b.1": "NI", "1b.2": "NI", "1b.3": "N"}, SOME),
        ({"1b.1": "N", "1b.2": "NI", "1b.3": "NI"}, SOME),
    ],
)
def test_d1b_paths(answers, expected):
    proposal = rob2_cluster.propose_domain("D1b", answers)
    assert proposal.judgement.value == expected


def test_d1b_asks_1b2_only_after_n_pn_ni_to_1b1():
    assert rob2_cluster.settle({"1b.1": "Y", "1b.2": "Y"}) == {"1b.1": "Y", "1b.2": "NA"}
    assert rob2_cluster.propose_domain("D1b", {"1b.1": "N"}).missing == ("1b.2",)


def test_cluster_variant_has_six_domains_in_robvis_order_and_its_own_version():
    assert [d.id for d in rob2_cluster.domains()] == ["D1", "D1b", "D2", "D3", "D4", "D5"]
    assert [len(d.questions) for d in rob2_cluster.domains("adhering")] == [3, 3, 6, 4, 5, 3]
    assert rob2_cluster.domains()[1].name_en == (
        "Bias arising from the timing of identification or recruitment of participants"
    )
    answers = ALL_LOW | {"1b.1": "Y", "1b.3": "N"}
    assessment = rob2_cluster.propose(answers)
    assert [p.judgement.value for p in assessment.domains] == [LOW_J] * 6
    assert assessment.tool_version == "RoB 2 for cluster-randomized trials (2021-03-18)"
    # A High in domain 1b makes the overall High, as any domain does.
    high = rob2_cluster.propose(answers | {"1b.1": "N", "1b.2": "Y"})
    assert high.overall.judgement is rob2.Judgement.HIGH


def test_individually_randomised_trials_have_no_domain_1b():
    with pytest.raises(ValueError, match="no domain"):
        rob2.propose_domain("D1b", {})


# The service and the page


@pytest.fixture
def cluster_result(category):
    return ResultFactory(
        category=category,
        study__label="Rosholm et al. (2017)",
        study__title="Early meetings",
        study__design="randomised_cluster",
        **RESULT,
    )


def test_rob_assessment_save_cluster_tool_needs_and_keeps_domain_1b(cluster_result, reviewer):
    answers = ALL_LOW | {"1b.1": "N", "1b.2": "N", "1b.3": "Y"}
    judgements = LOW | {"D1b": "some_concerns"}

    assessment = rob_services.rob_assessment_save(
        result=cluster_result,
        actor=reviewer,
        tool="rob2_cluster",
        answers=answers,
        domain_judgements=judgements,
        overall="some_concerns",
        notes={},
        expected_version=0,
    )

    assert assessment.domain_judgements == judgements
    assert assessment.tool_version == "RoB 2 for cluster-randomized trials (2021-03-18)"
    saved = Result.objects.get(pk=cluster_result.pk)
    assert saved.risk_of_bias == "moderate"
    assert "D1b Nogen bekymring" in saved.risk_of_bias_justification


def test_rob_assessment_save_cluster_tool_without_domain_1b_is_refused(cluster_result, reviewer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        rob_services.rob_assessment_save(
            result=cluster_result,
            actor=reviewer,
            tool="rob2_cluster",
            answers=ALL_LOW,
            domain_judgements=LOW,
            overall="low",
            notes={},
            expected_version=0,
        )
    assert "D1b" in error.value.message_dict


def test_rob_assessment_save_stores_stray_answers_as_na(cluster_result, reviewer):
    stray = ALL_LOW | {"1b.1": "Y", "1b.2": "Y", "1b.3": "N", "3.2": "N", "3.3": "Y"}

    assessment = rob_services.rob_assessment_save(
        result=cluster_result,
        actor=reviewer,
        tool="rob2_cluster",
        answers=stray,
        domain_judgements=LOW | {"D1b": "low"},
        overall="low",
        notes={},
        expected_version=0,
    )

    saved = RobAssessment.objects.get(pk=assessment.pk).answers
    assert (saved["1b.2"], saved["3.2"], saved["3.3"]) == ("NA", "NA", "NA")


def test_assessment_page_uses_the_cluster_variant_for_a_cluster_randomised_study(
    client, reviewer, cluster_result
):
    client.force_login(reviewer)

    body = client.get(_url(cluster_result)).content.decode()

    assert '<option value="rob2_cluster" selected>' in body
    assert body.count('data-testid="rob-domain"') == 6
    assert "D1b: Bias arising from the timing of identification or recruitment" in body


def test_assessment_page_htmx_marks_the_questions_left_unasked(client, reviewer, cluster_result):
    client.force_login(reviewer)
    answers = {"tool": "rob2", "effect": "assignment", "q_2_1": "N", "q_2_2": "N", "q_2_3": "Y"}

    body = client.get(_url(cluster_result), answers, headers={"HX-Request": "true"}).content
    body = body.decode()

    assert body.lstrip().startswith('<section id="proposals"')
    # Out of band, each conditional question's note; 2.3-2.5 are not asked.
    assert body.count('hx-swap-oob="true"') == 10
    for key in ("q_2_3", "q_2_4", "q_2_5"):
        note = body.split(f'id="asked-{key}"')[1].split("</p>")[0]
        assert "Not asked: the condition is not met" in note
    assert "Not asked" not in body.split('id="asked-q_2_7"')[1].split("</p>")[0]
