"""Deleting a topic area to the bin and restoring it (leads): everything under it leaves
every list, the home page's work, the report and the exports, and comes back as it was."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from grading.services import comments as comment_services
from reviewapp.models import AuditEntry, TopicArea
from reviewapp.queries import projects_for_user
from reviewapp.services import topic_area_create, topic_area_delete, topic_area_restore
from reviewapp.softdelete import bin_rows
from screening.services.screening import stages_set_up
from tests.api.conftest import token_client
from tests.factories.grading import StudyFactory
from tests.factories.reviewapp import MembershipFactory, ProjectFactory
from tests.factories.screening import RecordFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_areas(project, topic_area, lead, cast):
    """The topic area with 3 records waiting and an open comment, and a second area with 2."""
    other = topic_area_create(project=project, actor=lead, key="wages", title="Wage subsidies")
    for area, n in ((topic_area, 3), (other, 2)):
        RecordFactory.create_batch(n, source=SourceFactory(topic_area=area))
        stages_set_up(topic_area=area, actor=lead, preset="two")
    study = StudyFactory(topic_area=topic_area, label="Koning (2009)")
    comment_services.comment_create(
        project=project,
        author=cast["peer_reviewer"],
        target_kind="study",
        target_id=study.pk,
        body="Which country?",
    )
    return topic_area, other


def _home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("project_list")).content.decode()


def test_deleting_a_topic_area_takes_its_work_off_the_home_page_and_restore_brings_it_back(
    client, project, cast, two_areas
):
    area, other = two_areas
    home = _home(client, cast["reviewer"])
    assert "3 records waiting for you" in home and "2 records waiting for you" in home
    assert "1 open comment" in _home(client, cast["lead"])

    topic_area_delete(topic_area=area, actor=cast["lead"])

    home = _home(client, cast["reviewer"])
    assert "3 records waiting for you" not in home
    assert "2 records waiting for you" in home
    assert "open comment" not in _home(client, cast["lead"])
    assert projects_for_user(cast["lead"]).get(pk=project.pk).topic_area_count == 1
    assert list(project.topic_areas.values_list("key", flat=True)) == ["wages"]
    entry = AuditEntry.objects.get(action="topic_area.delete")
    assert (entry.actor, entry.object_id) == (cast["lead"], str(area.pk))
    assert [row.pk for row in bin_rows(project)] == [area.pk]

    topic_area_restore(topic_area=area, actor=cast["lead"])

    home = _home(client, cast["reviewer"])
    assert "3 records waiting for you" in home and "2 records waiting for you" in home
    assert AuditEntry.objects.filter(action="topic_area.restore").count() == 1


def test_a_key_in_the_bin_stays_taken(project, lead, topic_area):
    topic_area_delete(topic_area=topic_area, actor=lead)

    with pytest.raises(ValidationError, match="in the bin"):
        topic_area_create(project=project, actor=lead, key=topic_area.key, title="Again")


def test_the_report_and_the_api_leave_a_deleted_topic_area_out(client, project, cast, two_areas):
    area, _other = two_areas
    topic_area_delete(topic_area=area, actor=cast["lead"])

    client.force_login(cast["lead"])
    report = client.get(reverse("report", kwargs={"slug": project.slug})).content.decode()
    assert "Wage subsidies" in report
    assert area.title not in report
    api = token_client(cast["lead"])
    listed = api.get(f"/api/projects/{project.slug}/topic-areas/").json()["results"]
    assert [row["key"] for row in listed] == ["wages"]
    assert api.get(f"/api/projects/{project.slug}/topic-areas/{area.key}/").status_code == 404
    assert (
        client.get(
            reverse("topic_area_detail", kwargs={"slug": project.slug, "topic_key": area.key})
        ).status_code
        == 404
    )


def _delete_url(area):
    return reverse("topic_area_delete", kwargs={"slug": area.project.slug, "topic_key": area.key})


def test_lead_deletes_from_the_edit_page_and_restores_from_the_bin(
    client, project, lead, two_areas
):
    area, _other = two_areas
    client.force_login(lead)
    edit = reverse("topic_area_edit", kwargs={"slug": project.slug, "topic_key": area.key})
    assert 'data-testid="topic-area-delete"' in client.get(edit).content.decode()

    page = client.post(_delete_url(area), follow=True).content.decode()

    assert f"The topic area {area.title} is in the bin" in page
    bin_page = client.get(reverse("project_bin", kwargs={"slug": project.slug})).content.decode()
    assert f"Topic area: {area.title}" in bin_page
    restore = reverse(
        "bin_restore", kwargs={"slug": project.slug, "label": "reviewapp.topicarea", "pk": area.pk}
    )
    page = client.post(restore, follow=True).content.decode()
    assert f"Topic area {area.title} is restored." in page
    assert TopicArea.objects.filter(pk=area.pk).exists()


@pytest.mark.parametrize("who", ["reviewer", "peer_reviewer"])
def test_members_who_are_not_leads_get_403(client, cast, topic_area, who):
    client.force_login(cast[who])

    assert client.post(_delete_url(topic_area)).status_code == 403
    assert TopicArea.objects.filter(pk=topic_area.pk).exists()


def test_lead_of_another_project_gets_404(client, topic_area):
    client.force_login(MembershipFactory(project=ProjectFactory(), role="lead").user)

    assert client.post(_delete_url(topic_area)).status_code == 404
    assert TopicArea.objects.filter(pk=topic_area.pk).exists()


def test_api_delete_answers_204_and_restore_brings_the_topic_area_back(project, cast, two_areas):
    area, _other = two_areas
    client = token_client(cast["lead"])
    base = f"/api/projects/{project.slug}/topic-areas/"

    response = client.delete(f"{base}{area.key}/")

    assert (response.status_code, response.content) == (204, b"")
    assert [row["key"] for row in client.get(base).json()["results"]] == ["wages"]
    assert client.get(f"{base}{area.key}/records/").status_code == 404
    reviewer = token_client(cast["reviewer"])
    assert reviewer.post(f"{base}{area.key}/restore/").status_code == 403
    outsider = token_client(MembershipFactory(project=ProjectFactory(), role="lead").user)
    assert outsider.post(f"{base}{area.key}/restore/").status_code == 404
    assert TopicArea.all_objects.get(pk=area.pk).in_bin

    response = client.post(f"{base}{area.key}/restore/")

    assert (response.status_code, response.json()["key"]) == (200, area.key)
    assert len(client.get(f"{base}{area.key}/records/").json()["results"]) == 3


def test_the_purge_deletes_a_topic_area_with_everything_under_it(project, cast, two_areas):
    from datetime import timedelta  # noqa: PLC0415

    from django.conf import settings  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from reviewapp.services import deleted_purge  # noqa: PLC0415
    from screening.models import Record  # noqa: PLC0415
    from tests.factories.grading import ResultFactory  # noqa: PLC0415

    area, other = two_areas
    ResultFactory(category__topic_area=area, study__topic_area=area)
    topic_area_delete(topic_area=area, actor=cast["lead"])

    deleted_purge(now=timezone.now() + timedelta(days=settings.SOFT_DELETE_DAYS + 1))

    assert not TopicArea.all_objects.filter(pk=area.pk).exists()
    assert Record.all_objects.filter(topic_area=other).count() == 2
    assert not Record.all_objects.filter(topic_area_id=area.pk).exists()
    assert AuditEntry.objects.filter(action="topicarea.purge").count() == 1
