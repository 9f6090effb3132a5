"""Deleting an intervention category to the bin and restoring it: its results and verdict
leave the evidence pages, the API and the report tables, and come back."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from grading.models import InterventionCategory, ReportSnapshot, Result, Verdict
from grading.queries.verdicts import categories_with_verdicts
from grading.rules import can_delete_category
from grading.services import studies as study_services
from grading.services import verdicts as verdict_services
from reviewapp.models import AuditEntry
from reviewapp.services import deleted_purge
from reviewapp.softdelete import bin_rows
from tests.api.conftest import token_client, topic_url
from tests.factories.grading import StudyFactory
from tests.factories.reviewapp import MembershipFactory, ProjectFactory
from tests.grading.test_services import _result

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_categories(topic_area, lead, reviewer, category, django_capture_on_commit_callbacks):
    """ "Reduced caseload" with two results (moderate) and "Job search training" with one."""
    with django_capture_on_commit_callbacks(execute=True):
        training = verdict_services.category_create(
            topic_area=topic_area, actor=lead, key="training", title="Job search training"
        )
        study = StudyFactory(topic_area=topic_area, label="A (2010)")
        results = [
            _result(study, reviewer, category),
            _result(StudyFactory(topic_area=topic_area, label="B (2012)"), reviewer, category),
            _result(study, reviewer, training, intervention="Training"),
        ]
    assert Verdict.objects.get(category=category).computed_level == "moderate"
    return category, training, results


def _tables(topic_area) -> str:
    return json.dumps(ReportSnapshot.objects.get(topic_area=topic_area).tables)


def test_deleting_a_category_takes_its_results_out_of_the_report_and_restore_brings_them(
    topic_area, lead, two_categories, django_capture_on_commit_callbacks
):
    caseload, training, results = two_categories
    assert "Reduced caseload" in _tables(topic_area)

    with django_capture_on_commit_callbacks(execute=True):
        study_services.category_delete(category=caseload, actor=lead)

    rows = categories_with_verdicts(topic_area)
    assert [(row.title, row.result_count, row.study_count) for row in rows] == [
        ("Job search training", 1, 1)
    ]
    assert list(Result.objects.filter(study__topic_area=topic_area)) == [results[2]]
    assert "Reduced caseload" not in _tables(topic_area)
    assert "Job search training" in _tables(topic_area)
    entry = AuditEntry.objects.get(action="category.delete")
    assert (entry.actor, entry.object_id) == (lead, str(caseload.pk))
    assert [row.title for row in bin_rows(topic_area.project)] == ["Reduced caseload"]

    with django_capture_on_commit_callbacks(execute=True):
        study_services.category_restore(category=caseload, actor=lead)

    rows = categories_with_verdicts(topic_area)
    assert [(row.title, row.result_count, row.study_count) for row in rows] == [
        ("Reduced caseload", 2, 2),
        ("Job search training", 1, 1),
    ]
    assert Verdict.objects.get(category=caseload).computed_level == "moderate"
    assert "Reduced caseload" in _tables(topic_area)
    assert AuditEntry.objects.filter(action="category.restore").count() == 1


def test_a_result_deleted_before_stays_in_the_bin_and_one_of_a_deleted_study_follows_it(
    topic_area, lead, two_categories, django_capture_on_commit_callbacks
):
    caseload, _training, results = two_categories
    with django_capture_on_commit_callbacks(execute=True):
        study_services.result_delete(result=results[1], actor=lead)  # in the bin on its own
        study_services.study_delete(study=results[0].study, actor=lead)  # A, with its results
        study_services.category_delete(category=caseload, actor=lead)
        # A comes back while its category is in the bin: A's caseload result stays there,
        # now with the category, whose restore brings it back.
        study_services.study_restore(study=results[0].study, actor=lead)

    assert list(Result.objects.filter(study__topic_area=topic_area)) == [results[2]]
    with pytest.raises(ValidationError, match="restore the category"):
        study_services.result_restore(result=results[1], actor=lead)
    # A's result is not listed: it went over to the category; B's is, on its own.
    listed = [(type(row).__name__, row.pk) for row in bin_rows(topic_area.project)]
    assert listed == [("InterventionCategory", caseload.pk), ("Result", results[1].pk)]

    with django_capture_on_commit_callbacks(execute=True):
        study_services.category_restore(category=caseload, actor=lead)

    assert set(Result.objects.filter(category=caseload)) == {results[0]}
    assert Result.all_objects.get(pk=results[1].pk).in_bin
    assert Verdict.objects.get(category=caseload).computed_level == "indication"


def test_a_key_in_the_bin_stays_taken(topic_area, lead, category):
    study_services.category_delete(category=category, actor=lead)

    with pytest.raises(ValidationError, match="in the bin"):
        verdict_services.category_create(
            topic_area=topic_area, actor=lead, key="caseload", title="Again"
        )


def test_only_a_lead_of_the_project_may_delete_a_category(category, cast):
    other_lead = MembershipFactory(project=ProjectFactory(), role="lead").user

    assert can_delete_category(cast["lead"], category)
    for user in (cast["reviewer"], cast["peer_reviewer"], cast["outsider"], other_lead):
        assert not can_delete_category(user, category)


# --- the pages ---------------------------------------------------------------------------


def _url(name, category):
    kwargs = {
        "slug": category.topic_area.project.slug,
        "topic_key": category.topic_area.key,
        "category_key": category.key,
    }
    return reverse(name, kwargs=kwargs)


def test_lead_deletes_a_category_from_its_page_and_restores_it_from_the_bin(
    client, topic_area, lead, two_categories, django_capture_on_commit_callbacks
):
    caseload, _training, _results = two_categories
    client.force_login(lead)
    assert 'data-testid="category-delete"' in client.get(_url("verdict", caseload)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(_url("category_delete", caseload), follow=True).content.decode()

    assert "The category Reduced caseload is in the bin with its results" in page
    assert "Job search training" in page
    assert _url("verdict", caseload) not in page
    assert client.get(_url("verdict", caseload)).status_code == 404
    project = topic_area.project
    bin_page = client.get(reverse("project_bin", kwargs={"slug": project.slug})).content.decode()
    assert "Intervention category: Reduced caseload" in bin_page
    assert bin_page.count('data-testid="bin-row"') == 1

    restore = reverse(
        "bin_restore",
        kwargs={
            "slug": project.slug,
            "label": "grading.interventioncategory",
            "pk": caseload.pk,
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(restore, follow=True).content.decode()

    assert "Intervention category Reduced caseload is restored." in page
    assert Result.objects.filter(category=caseload).count() == 2


@pytest.mark.parametrize("who", ["reviewer", "peer_reviewer"])
def test_page_members_who_are_not_leads_cannot_delete_a_category(client, cast, category, who):
    client.force_login(cast[who])
    assert (
        'data-testid="category-delete"'
        not in client.get(_url("verdict", category)).content.decode()
    )

    assert client.post(_url("category_delete", category)).status_code == 403
    assert InterventionCategory.objects.filter(pk=category.pk).exists()


def test_page_lead_of_another_project_gets_404(client, category):
    client.force_login(MembershipFactory(project=ProjectFactory(), role="lead").user)

    assert client.post(_url("category_delete", category)).status_code == 404
    assert InterventionCategory.objects.filter(pk=category.pk).exists()


def test_the_purge_deletes_a_category_with_its_results_in_one_run(topic_area, lead, two_categories):
    caseload, training, _results = two_categories
    study_services.category_delete(category=caseload, actor=lead)

    purged = deleted_purge(now=timezone.now() + timedelta(days=settings.SOFT_DELETE_DAYS + 1))

    assert purged == 3  # the category and its two results
    assert not InterventionCategory.all_objects.filter(pk=caseload.pk).exists()
    assert list(Result.all_objects.values_list("category__key", flat=True)) == ["training"]
    assert AuditEntry.objects.filter(action="interventioncategory.purge").count() == 1


# --- the API -----------------------------------------------------------------------------


def test_api_delete_answers_204_and_restore_brings_the_category_back(
    topic_area, cast, two_categories, django_capture_on_commit_callbacks
):
    caseload, _training, _results = two_categories
    client = token_client(cast["lead"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(topic_url(topic_area, "categories/caseload/"))

    assert (response.status_code, response.content) == (204, b"")
    assert client.get(topic_url(topic_area, "categories/caseload/")).status_code == 404
    listed = client.get(topic_url(topic_area, "verdicts/")).json()["results"]
    assert [row["category"] for row in listed] == ["training"]
    results = client.get(topic_url(topic_area, "results/")).json()["results"]
    assert [row["intervention"] for row in results] == ["Training"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(topic_url(topic_area, "categories/caseload/restore/"))

    assert (response.status_code, response.json()["key"]) == (200, "caseload")
    assert response.json()["result_count"] == 2
    listed = client.get(topic_url(topic_area, "verdicts/")).json()["results"]
    assert [row["category"] for row in listed] == ["caseload", "training"]


def test_api_lead_of_another_project_gets_404_with_the_category_present(topic_area, lead, category):
    client = token_client(MembershipFactory(project=ProjectFactory(), role="lead").user)

    assert client.delete(topic_url(topic_area, "categories/caseload/")).status_code == 404
    study_services.category_delete(category=category, actor=lead)
    assert client.post(topic_url(topic_area, "categories/caseload/restore/")).status_code == 404
    assert InterventionCategory.all_objects.get(pk=category.pk).in_bin


@pytest.mark.parametrize("who", ["reviewer", "peer_reviewer"])
def test_api_members_who_are_not_leads_get_403(topic_area, cast, category, who):
    client = token_client(cast[who])

    assert client.delete(topic_url(topic_area, "categories/caseload/")).status_code == 403
    study_services.category_delete(category=category, actor=cast["lead"])
    assert client.post(topic_url(topic_area, "categories/caseload/restore/")).status_code == 403
    assert InterventionCategory.all_objects.get(pk=category.pk).in_bin
