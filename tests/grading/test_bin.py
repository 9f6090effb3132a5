"""Deleting studies and results to the bin and restoring them: verdicts recomputed."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from grading.models import Result, Study, Verdict
from grading.queries.verdicts import categories_with_verdicts
from grading.rules import can_delete_study
from grading.services import studies as study_services
from reviewapp.models import AuditEntry
from tests.api.conftest import token_client, topic_url
from tests.factories.grading import StudyFactory
from tests.factories.reviewapp import MembershipFactory, ProjectFactory
from tests.grading.test_services import _result

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_studies(topic_area, reviewer, category, django_capture_on_commit_callbacks):
    """Three positive high-quality results in three studies: a strong verdict."""
    with django_capture_on_commit_callbacks(execute=True):
        results = [
            _result(StudyFactory(topic_area=topic_area, label=label), reviewer, category)
            for label in ("A (2010)", "B (2012)", "C (2014)")
        ]
    assert Verdict.objects.get(category=category).computed_level == "strong"
    return results


def _counts(topic_area, category):
    row = categories_with_verdicts(topic_area).get(pk=category.pk)
    return row.result_count, row.study_count, Verdict.objects.get(category=category).computed_level


def test_deleting_a_result_recomputes_the_verdict_and_restoring_brings_it_back(
    topic_area, lead, category, three_studies, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        study_services.result_delete(result=three_studies[2], actor=lead)

    assert _counts(topic_area, category) == (2, 2, "moderate")
    assert not Result.objects.filter(pk=three_studies[2].pk).exists()
    entry = AuditEntry.objects.get(action="result.delete")
    assert (entry.actor, entry.object_id) == (lead, str(three_studies[2].pk))

    with django_capture_on_commit_callbacks(execute=True):
        study_services.result_restore(result=three_studies[2], actor=lead)

    assert _counts(topic_area, category) == (3, 3, "strong")
    assert AuditEntry.objects.filter(action="result.restore").count() == 1


def test_deleting_a_study_takes_its_results_and_restoring_brings_exactly_those(
    topic_area, lead, reviewer, category, three_studies, django_capture_on_commit_callbacks
):
    study = three_studies[0].study
    with django_capture_on_commit_callbacks(execute=True):
        earlier = _result(study, reviewer, category, intervention="Earlier")
        study_services.result_delete(result=earlier, actor=lead)  # in the bin on its own
        study_services.study_delete(study=study, actor=lead)

    assert _counts(topic_area, category) == (2, 2, "moderate")
    assert list(topic_area.studies.values_list("label", flat=True)) == ["B (2012)", "C (2014)"]
    with pytest.raises(ValidationError, match="restore the study"):
        study_services.result_restore(result=three_studies[0], actor=lead)

    with django_capture_on_commit_callbacks(execute=True):
        study_services.study_restore(study=study, actor=lead)

    assert _counts(topic_area, category) == (3, 3, "strong")
    assert list(Result.objects.filter(study=study)) == [three_studies[0]]
    assert Result.all_objects.get(pk=earlier.pk).in_bin


def test_only_a_lead_of_the_project_may_delete_a_study(three_studies, cast):
    study = three_studies[0].study
    other_lead = MembershipFactory(project=ProjectFactory(), role="lead").user

    assert can_delete_study(cast["lead"], study)
    for user in (cast["reviewer"], cast["peer_reviewer"], cast["outsider"], other_lead):
        assert not can_delete_study(user, study)


# --- the API -----------------------------------------------------------------------------


def test_api_delete_answers_204_and_restore_brings_the_study_back(
    topic_area, cast, category, three_studies, django_capture_on_commit_callbacks
):
    client = token_client(cast["lead"])
    study = three_studies[0].study

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(topic_url(topic_area, f"studies/{study.pk}/"))

    assert (response.status_code, response.content) == (204, b"")
    assert client.get(topic_url(topic_area, f"studies/{study.pk}/")).status_code == 404
    assert _counts(topic_area, category) == (2, 2, "moderate")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(topic_url(topic_area, f"studies/{study.pk}/restore/"))

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["label"]) == (study.pk, "A (2010)")
    assert _counts(topic_area, category) == (3, 3, "strong")


def test_api_result_delete_recomputes_the_verdict(
    topic_area, cast, category, three_studies, django_capture_on_commit_callbacks
):
    client = token_client(cast["lead"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(topic_url(topic_area, f"results/{three_studies[1].pk}/"))
    assert response.status_code == 204
    assert _counts(topic_area, category) == (2, 2, "moderate")

    response = client.post(topic_url(topic_area, f"results/{three_studies[1].pk}/restore/"))
    assert (response.status_code, response.json()["id"]) == (200, three_studies[1].pk)


@pytest.mark.parametrize("who", ["reviewer", "peer_reviewer"])
def test_api_members_who_are_not_leads_get_403_and_nothing_changes(
    topic_area, cast, three_studies, who
):
    client = token_client(cast[who])
    study = three_studies[0].study

    assert client.delete(topic_url(topic_area, f"studies/{study.pk}/")).status_code == 403
    assert (
        client.delete(topic_url(topic_area, f"results/{three_studies[1].pk}/")).status_code == 403
    )
    study_services.study_delete(study=study, actor=cast["lead"])
    assert client.post(topic_url(topic_area, f"studies/{study.pk}/restore/")).status_code == 403
    assert Study.all_objects.get(pk=study.pk).in_bin
    assert Result.objects.filter(pk=three_studies[1].pk).exists()


def test_api_lead_of_another_project_gets_404_with_the_study_present(topic_area, three_studies):
    other_lead = MembershipFactory(project=ProjectFactory(), role="lead").user
    client = token_client(other_lead)
    study = three_studies[0].study

    assert client.delete(topic_url(topic_area, f"studies/{study.pk}/")).status_code == 404
    assert client.post(topic_url(topic_area, f"studies/{study.pk}/restore/")).status_code == 404
    assert Study.objects.filter(pk=study.pk).exists()


# --- the pages ---------------------------------------------------------------------------


def _page_url(name, result, **extra):
    study = result.study
    return reverse(
        name,
        kwargs={
            "slug": study.topic_area.project.slug,
            "topic_key": study.topic_area.key,
            "study_id": study.pk,
            **extra,
        },
    )


def test_lead_deletes_a_study_and_a_result_from_the_study_page(
    client, topic_area, cast, category, three_studies, django_capture_on_commit_callbacks
):
    client.force_login(cast["lead"])
    page = client.get(_page_url("study_detail", three_studies[0])).content.decode()
    assert 'data-testid="study-delete"' in page
    assert 'data-testid="result-delete"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _page_url("result_delete", three_studies[1], result_id=three_studies[1].pk),
            follow=True,
        )
    assert "The result is in the bin" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_page_url("study_delete", three_studies[0]), follow=True)

    assert "The study A (2010) is in the bin with its results" in response.content.decode()
    assert _counts(topic_area, category) == (1, 1, "indication")


@pytest.mark.parametrize("who", ["reviewer", "peer_reviewer"])
def test_page_members_who_are_not_leads_cannot_delete(client, cast, three_studies, who):
    client.force_login(cast[who])
    page = client.get(_page_url("study_detail", three_studies[0])).content.decode()
    assert 'data-testid="study-delete"' not in page

    assert client.post(_page_url("study_delete", three_studies[0])).status_code == 403
    assert Study.objects.filter(pk=three_studies[0].study_id).exists()


def test_page_lead_of_another_project_gets_404(client, three_studies):
    client.force_login(MembershipFactory(project=ProjectFactory(), role="lead").user)

    assert client.post(_page_url("study_delete", three_studies[0])).status_code == 404
    assert Study.objects.filter(pk=three_studies[0].study_id).exists()
