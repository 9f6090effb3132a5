"""Deleting a project to the bin and restoring it (leads): it leaves every member's home page,
project list and API; its leads see it under "Deleted projects" with Restore."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from grading.demo.review import DEMO_SLUG
from reviewapp.models import AuditEntry, Project
from reviewapp.services import project_create, project_delete
from tests.api.conftest import token_client
from tests.factories.reviewapp import MembershipFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("project_list")).content.decode()


def _restore_url(project):
    return reverse("project_restore", kwargs={"slug": project.slug})


def test_a_deleted_project_leaves_everyones_lists_and_its_lead_restores_it(client, project, cast):
    assert project.title in _home(client, cast["reviewer"])
    client.force_login(cast["lead"])
    edit = client.get(reverse("project_edit", kwargs={"slug": project.slug})).content.decode()
    assert 'data-testid="project-delete"' in edit

    page = client.post(reverse("project_delete", kwargs={"slug": project.slug}), follow=True)

    page = page.content.decode()
    assert f"The project {project.title} is in the bin" in page
    assert page.count('data-testid="deleted-project"') == 1
    assert 'data-testid="project-row"' not in page
    for who in ("reviewer", "peer_reviewer"):
        home = _home(client, cast[who])
        assert project.title not in home
        assert 'data-testid="deleted-projects"' not in home
        api = token_client(cast[who])
        assert api.get("/api/projects/").json()["results"] == []
        assert api.get("/api/me/").json()["memberships"] == []
        assert api.get(f"/api/projects/{project.slug}/").status_code == 404
    client.force_login(cast["reviewer"])
    assert client.get(project.get_absolute_url()).status_code == 404
    assert client.post(_restore_url(project)).status_code == 404
    assert Project.all_objects.get(pk=project.pk).in_bin
    assert AuditEntry.objects.filter(action="project.delete", actor=cast["lead"]).count() == 1

    client.force_login(cast["lead"])
    page = client.post(_restore_url(project), follow=True).content.decode()

    assert f"The project {project.title} is restored." in page
    assert project.title in _home(client, cast["reviewer"])
    assert AuditEntry.objects.filter(action="project.restore").count() == 1


def test_lead_of_another_project_gets_404(client, project):
    other = MembershipFactory(project=ProjectFactory(), role="lead").user
    client.force_login(other)

    assert client.post(reverse("project_delete", kwargs={"slug": project.slug})).status_code == 404
    project_delete(project=project, actor=None)
    assert client.post(_restore_url(project)).status_code == 404
    assert project.title not in _home(client, other)
    assert Project.all_objects.get(pk=project.pk).in_bin


@pytest.mark.parametrize("who", ["reviewer", "peer_reviewer"])
def test_members_who_are_not_leads_cannot_delete(client, project, cast, who):
    client.force_login(cast[who])

    assert client.post(reverse("project_delete", kwargs={"slug": project.slug})).status_code == 403
    assert Project.objects.filter(pk=project.pk).exists()


def test_a_project_past_the_bins_days_is_no_longer_offered(client, project, cast):
    project_delete(project=project, actor=cast["lead"])
    Project.all_objects.filter(pk=project.pk).update(
        deleted_at=timezone.now() - timedelta(days=settings.SOFT_DELETE_DAYS + 1)
    )

    assert 'data-testid="deleted-projects"' not in _home(client, cast["lead"])
    assert client.post(_restore_url(project)).status_code == 404


def test_a_short_name_in_the_bin_stays_taken(project, lead):
    project_delete(project=project, actor=lead)

    with pytest.raises(ValidationError, match="in the bin"):
        project_create(creator=lead, title="Again", slug=project.slug)


def test_load_demo_restores_the_demo_project_from_the_bin(capsys):
    call_command("load_demo")
    demo = Project.objects.get(slug=DEMO_SLUG)
    project_delete(project=demo, actor=None)
    capsys.readouterr()

    call_command("load_demo")

    out = capsys.readouterr().out
    assert f"The demo project {DEMO_SLUG} was in the bin: restored it." in out
    assert Project.objects.filter(slug=DEMO_SLUG).count() == 1
    assert Project.all_objects.count() == 1


def test_api_delete_answers_204_and_only_a_lead_restores(project, cast):
    lead = token_client(cast["lead"])
    reviewer = token_client(cast["reviewer"])

    assert reviewer.delete(f"/api/projects/{project.slug}/").status_code == 403
    response = lead.delete(f"/api/projects/{project.slug}/")

    assert (response.status_code, response.content) == (204, b"")
    assert lead.get("/api/projects/").json()["results"] == []
    assert reviewer.post(f"/api/projects/{project.slug}/restore/").status_code == 404
    assert Project.all_objects.get(pk=project.pk).in_bin

    response = lead.post(f"/api/projects/{project.slug}/restore/")

    assert (response.status_code, response.json()["slug"]) == (200, project.slug)
    assert [row["slug"] for row in reviewer.get("/api/projects/").json()["results"]] == [
        project.slug
    ]


def test_the_purge_deletes_a_project_in_the_bin_with_everything_in_it(project, topic_area, lead):
    from reviewapp.services import deleted_purge  # noqa: PLC0415
    from tests.factories.grading import ResultFactory  # noqa: PLC0415

    ResultFactory(category__topic_area=topic_area, study__topic_area=topic_area)
    project_delete(project=project, actor=lead)

    deleted_purge(now=timezone.now() + timedelta(days=settings.SOFT_DELETE_DAYS + 1))

    assert not Project.all_objects.filter(pk=project.pk).exists()
    assert AuditEntry.objects.filter(action="project.purge", project=None).count() == 1
