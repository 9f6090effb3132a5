import pytest
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from reviewapp import services
from reviewapp.models import AuditEntry, Membership, Role
from reviewapp.versioning import EditConflict
from tests.factories.reviewapp import UserFactory


@pytest.mark.django_db
def test_project_create_makes_the_creator_lead_and_audits():
    creator = UserFactory(username="anna")
    project = services.project_create(creator=creator, title="Caseloads", slug="caseloads")
    membership = Membership.objects.get(project=project)
    assert (membership.user, membership.role) == (creator, Role.LEAD)
    entry = AuditEntry.objects.get(project=project, action="project.create")
    assert entry.actor == creator
    assert entry.after["title"] == "Caseloads"


@pytest.mark.django_db
def test_project_create_rejects_duplicate_slug(project):
    with pytest.raises(ValidationError) as error:
        services.project_create(creator=UserFactory(), title="Other", slug=project.slug)
    assert "slug" in error.value.error_dict


def test_last_lead_cannot_be_removed(lead, reviewer, project):
    membership = Membership.objects.get(project=project, user=lead)
    with pytest.raises(ValidationError, match="last lead"):
        services.membership_remove(membership=membership, actor=lead)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_last_lead_cannot_be_demoted(lead, reviewer, project):
    membership = Membership.objects.get(project=project, user=lead)
    with pytest.raises(ValidationError, match="last lead"):
        services.membership_change_role(membership=membership, role=Role.REVIEWER, actor=lead)
    membership.refresh_from_db()
    assert membership.role == Role.LEAD


def test_a_lead_can_leave_when_another_lead_remains(lead, reviewer, project):
    other = Membership.objects.get(project=project, user=reviewer)
    services.membership_change_role(membership=other, role=Role.LEAD, actor=lead)
    services.membership_remove(
        membership=Membership.objects.get(project=project, user=lead), actor=lead
    )
    assert list(project.memberships.values_list("user__username", "role")) == [
        ("reviewer", Role.LEAD)
    ]
    actions = list(AuditEntry.objects.filter(project=project).values_list("action", flat=True))
    assert actions[:2] == ["membership.remove", "membership.change_role"]


def test_membership_add_refuses_an_existing_member(lead, reviewer, project):
    with pytest.raises(ValidationError, match="already a member"):
        services.membership_add(project=project, user=reviewer, role=Role.LEAD, actor=lead)


def test_membership_create_user_makes_an_account_that_can_log_in(lead, project, client):
    membership = services.membership_create_user(
        project=project,
        actor=lead,
        username="newcomer",
        email="new@example.org",
        password="a-long-Passphrase-9",
        role=Role.PEER_REVIEWER,
    )
    assert membership.role == Role.PEER_REVIEWER
    # django-axes checks every password login against its lockouts: it needs the request.
    assert client.login(request=HttpRequest(), username="newcomer", password="a-long-Passphrase-9")


def test_membership_create_user_refuses_a_taken_username(lead, reviewer, project):
    with pytest.raises(ValidationError, match="already exists"):
        services.membership_create_user(
            project=project,
            actor=lead,
            username="REVIEWER",
            email="",
            password="x" * 12,
            role=Role.REVIEWER,
        )


def test_topic_area_update_refuses_a_stale_version(lead, topic_area):
    services.topic_area_update(
        topic_area=topic_area, actor=lead, expected_version=1, title="First editor's title"
    )
    with pytest.raises(EditConflict):
        services.topic_area_update(
            topic_area=topic_area, actor=lead, expected_version=1, title="Second editor's title"
        )
    topic_area.refresh_from_db()
    assert (topic_area.title, topic_area.version) == ("First editor's title", 2)


def test_topic_area_update_audits_before_and_after(lead, topic_area):
    services.topic_area_update(topic_area=topic_area, actor=lead, expected_version=1, year_to=2018)
    entry = AuditEntry.objects.get(action="topic_area.update")
    assert entry.changed_fields == [("year to", 2019, 2018)]


def test_topic_area_create_rejects_inverted_years_and_unknown_languages(lead, project):
    with pytest.raises(ValidationError) as error:
        services.topic_area_create(
            project=project,
            actor=lead,
            key="t",
            title="T",
            year_from=2019,
            year_to=2000,
            languages=["da", "xx"],
        )
    assert set(error.value.error_dict) == {"year_to", "languages"}
    assert "xx" in str(error.value.error_dict["languages"])
    assert not project.topic_areas.exists()
