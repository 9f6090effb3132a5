"""A study's history: extraction, risk-of-bias and verdict changes, read-only."""

import pytest
from django.urls import reverse

from grading.models import Verdict
from grading.services import rob as rob_services
from grading.services import studies as study_services
from grading.services import verdicts as verdict_services

ROBINS_I = ["D1", "D2", "D3", "D4", "D5", "D6", "D7"]


@pytest.fixture
def study(topic_area, lead, reviewer, peer_reviewer):
    category = verdict_services.category_create(
        topic_area=topic_area, actor=lead, key="meetings", title="Meetings"
    )
    study = study_services.study_create(
        topic_area=topic_area, actor=lead, label="Cheung (2017)", title="A", design="matching"
    )
    result = study_services.result_save(
        study=study,
        actor=reviewer,
        category=category,
        intervention="Video meetings",
        effect="More jobs",
        direction="positive",
        risk_of_bias="low",
    )
    study_services.result_save(
        study=study, actor=reviewer, result=result, expected_version=1, effect="Many more jobs"
    )
    rob_services.rob_assessment_save(
        result=result,
        actor=lead,
        tool="robins_i",
        answers={},
        domain_judgements=dict.fromkeys(ROBINS_I, "moderate"),
        overall="moderate",
        notes=dict.fromkeys([*ROBINS_I, "overall"], "Confounding note"),
        expected_version=0,
    )
    verdict = Verdict.objects.get(category=category)
    verdict_services.verdict_set_final(
        verdict=verdict,
        actor=lead,
        level=verdict.computed_level,
        rationale="Final rationale",
        expected_version=verdict.version,
    )
    return study


def _url(study):
    return reverse(
        "study_history",
        kwargs={"slug": "secret-review", "topic_key": "caseload", "study_id": study.pk},
    )


def test_history_lists_extraction_rob_and_verdict_changes(client, peer_reviewer, study):
    client.force_login(peer_reviewer)

    body = client.get(_url(study)).content.decode()

    assert "created the study" in body
    assert "added the result" in body and "edited the result" in body
    assert "Many more jobs" in body  # the change's after value
    assert "assessed the risk of bias of" in body
    assert "Confounding note" in body
    assert "set the final verdict of Meetings" in body and "Final rationale" in body
    assert "verdict of Meetings computed" in body
    assert 'method="post"' not in body.split("<main")[1]


def test_history_is_newest_first(client, lead, study):
    client.force_login(lead)
    body = client.get(_url(study)).content.decode()
    assert body.index("set the final verdict of") < body.index("created the study")


def test_the_study_page_links_to_its_history(client, lead, study):
    client.force_login(lead)
    assert _url(study) in client.get(study.get_absolute_url()).content.decode()


@pytest.mark.parametrize("edits", [1, 8])
def test_history_query_count_does_not_grow(
    client, lead, reviewer, study, edits, django_assert_max_num_queries
):
    result = study.results.get()
    for number in range(edits):
        study_services.result_save(
            study=study,
            actor=reviewer,
            result=result,
            expected_version=result.version + number,
            effect=f"Effect {number}",
        )
    client.force_login(lead)
    with django_assert_max_num_queries(12):
        response = client.get(_url(study))
    assert response.content.decode().count('data-testid="history-row"') >= edits + 4


VALUES = {
    "direction": "positive",
    "risk_of_bias": "low",
    "quality": "high",
    "transferability": "low",
    "effect": "Blind extracted effect",
}


def test_a_blind_extraction_shows_only_once_both_reviewers_extracted(
    client, lead, reviewer, second_reviewer, study
):
    from grading.services import consensus as consensus_services

    consensus_services.extraction_settings_update(
        project=study.topic_area.project, actor=lead, dual_extraction=True
    )
    result = study.results.get()
    consensus_services.extraction_save(
        result=result, reviewer=reviewer, values=VALUES, expected_version=0
    )
    client.force_login(second_reviewer)
    assert "Blind extracted effect" not in client.get(_url(study)).content.decode()

    consensus_services.extraction_save(
        result=result,
        reviewer=second_reviewer,
        values={**VALUES, "effect": "Second effect"},
        expected_version=0,
    )

    body = client.get(_url(study)).content.decode()
    assert "Blind extracted effect" in body and "Second effect" in body
