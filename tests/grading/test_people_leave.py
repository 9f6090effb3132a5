"""People leave, their work stays: after a lead removes a reviewer who screened at a dual
stage, every page, export, agreement figure and rebuild still works and shows them as a
former member. On the demo, where both reviewers screened every stage."""

import csv
import io

import pytest
from django.http import HttpRequest
from django.urls import reverse

from grading.demo.review import DEMO_SLUG, demo_load
from grading.services.report import report_tables_rebuild
from reviewapp.models import Membership, Project
from reviewapp.services import membership_remove
from screening.models import Decision

FORMER = "reviewer2 (former member)"


@pytest.fixture
def demo(db):
    demo_load()
    project = Project.objects.get(slug=DEMO_SLUG)
    lead = Membership.objects.get(project=project, user__username="lead").user
    gone = Membership.objects.get(project=project, user__username="reviewer2")
    decisions = Decision.objects.filter(reviewer=gone.user).count()
    membership_remove(membership=gone, actor=lead)
    return project, lead, decisions


def test_removing_a_reviewer_keeps_their_decisions(demo):
    project, _lead, decisions = demo
    assert decisions > 0
    assert Decision.objects.filter(reviewer__username="reviewer2").count() == decisions


@pytest.mark.parametrize("username", ["lead", "reviewer1", "peer"])
def test_pages_and_exports_work_after_a_reviewer_left(client, demo, username):
    project, _lead, _decisions = demo
    client.force_login(Membership.objects.get(project=project, user__username=username).user)
    for topic_area in project.topic_areas.all():
        kwargs = {"slug": project.slug, "topic_key": topic_area.key}
        overview = client.get(reverse("screening_overview", kwargs=kwargs))
        assert overview.status_code == 200
        for stage in topic_area.stages.all():
            stage_kwargs = {**kwargs, "stage_id": stage.pk}
            assert client.get(reverse("stage_records", kwargs=stage_kwargs)).status_code == 200
        agreement = client.get(reverse("agreement_csv", kwargs=kwargs))
        assert agreement.status_code == 200
        rows = list(csv.DictReader(io.StringIO(agreement.content.decode())))
        assert rows, "the demo's dual stages have agreement rows"
        assert {row["reviewer_b"] for row in rows} | {row["reviewer_a"] for row in rows} == {
            "reviewer1",
            FORMER,
        }
        api = client.get(f"/api/projects/{project.slug}/topic-areas/{topic_area.key}/agreement/")
        assert api.status_code == 200
        assert FORMER in api.content.decode()
        assert client.get(reverse("flow", kwargs=kwargs)).status_code == 200
    # The report shows its stored tables, rebuilt when their inputs change (see below).
    report = client.get(reverse("report", kwargs={"slug": project.slug}))
    assert report.status_code == 200


def test_rebuilds_and_new_categories_work_after_a_reviewer_left(client, demo):
    project, lead, _decisions = demo
    for topic_area in project.topic_areas.all():
        report_tables_rebuild(topic_area=topic_area)
    topic_area = project.topic_areas.order_by("position").first()
    client.force_login(lead)
    response = client.post(
        reverse("category_create", kwargs={"slug": project.slug, "topic_key": topic_area.key}),
        {"key": "new-after-leaving", "title": "A category made after someone left", "graded": "on"},
    )
    assert response.status_code == 302
    assert topic_area.categories.filter(key="new-after-leaving").exists()


def test_a_deactivated_account_keeps_its_work_and_the_pages_work(client, db):
    demo_load()
    project = Project.objects.get(slug=DEMO_SLUG)
    gone = Membership.objects.get(project=project, user__username="reviewer2").user
    gone.is_active = False
    gone.save()
    client.force_login(Membership.objects.get(project=project, user__username="lead").user)
    for topic_area in project.topic_areas.all():
        kwargs = {"slug": project.slug, "topic_key": topic_area.key}
        assert client.get(reverse("screening_overview", kwargs=kwargs)).status_code == 200
        agreement = client.get(reverse("agreement_csv", kwargs=kwargs)).content.decode()
        assert "reviewer2" in agreement
    report = client.get(reverse("report", kwargs={"slug": project.slug}))
    assert report.status_code == 200
    # The account cannot log in any more; its decisions still count.
    assert not client.login(
        request=HttpRequest(), username="reviewer2", password="demo-reviewer-2019"
    )
    assert Decision.objects.filter(reviewer=gone).exists()
