import pytest
from django.urls import reverse

from reviewapp.models import AuditEntry, Membership, Project, Role
from tests.factories.reviewapp import (
    MembershipFactory,
    ProjectFactory,
    TopicAreaFactory,
    UserFactory,
)


def _dashboard(project):
    return reverse("project_dashboard", kwargs={"slug": project.slug})


@pytest.mark.parametrize("count", [1, 3])
def test_project_list_query_count_does_not_grow(client, django_assert_num_queries, db, count):
    user = UserFactory(username="busy")
    for _ in range(count):
        project = ProjectFactory()
        MembershipFactory(project=project, user=user, role=Role.REVIEWER)
        TopicAreaFactory(project=project)
    client.force_login(user)
    # session, user, projects with role and counts, the projects in the bin the user leads;
    # the work list: the stages with their counts, failed imports, results waiting for
    # consensus (comments: leads only)
    with django_assert_num_queries(7):
        response = client.get(reverse("project_list"))
    assert response.content.decode().count('data-testid="project-row"') == count


def test_project_list_shows_role_and_counts(client, lead, reviewer, topic_area):
    client.force_login(reviewer)
    body = client.get(reverse("project_list")).content.decode()
    assert "Secret review of caseloads" in body
    assert "<td>Reviewer</td>" in body


@pytest.mark.parametrize("topics", [1, 3])
def test_dashboard_query_count_does_not_grow(
    client, django_assert_num_queries, lead, project, topics
):
    for _ in range(topics):
        TopicAreaFactory(project=project)
    client.force_login(lead)
    # session, user, project with the viewer's role, topic areas, members, activity; the
    # work list (no stages here: their query alone; failed imports, consensus, open
    # comments); the stages' progress reads the same stages
    with django_assert_num_queries(10):
        response = client.get(_dashboard(project))
    assert response.content.decode().count('data-testid="topic-area"') == topics


def test_dashboard_shows_picos_limits_members_and_activity(client, lead, reviewer, topic_area):
    AuditEntry.objects.create(
        project=topic_area.project,
        actor=lead,
        action="topic_area.update",
        object_type="topicarea",
        object_repr="Hidden caseload topic",
        before={"year_to": 2018},
        after={"year_to": 2019},
    )
    client.force_login(reviewer)
    body = client.get(_dashboard(topic_area.project)).content.decode()
    for text in [
        "Hidden caseload topic",
        "job-seekers",
        "telephone",
        "EconLit",
        "2000–2019",
        "OECD countries",
        "lead",
        "reviewer",
        "edited the topic area",
    ]:
        assert text in body, text


def test_create_project_then_topic_area(client, db):
    user = UserFactory(username="founder")
    client.force_login(user)
    response = client.post(
        reverse("project_create"),
        {
            "title": "Sanctions review",
            "slug": "sanctions",
            "language": "en",
            "description": "",
            "evidence_framework": "danish_count",
        },
    )
    assert response.status_code == 302
    assert Membership.objects.get(project__slug="sanctions").role == Role.LEAD
    response = client.post(
        reverse("topic_area_create", kwargs={"slug": "sanctions"}),
        {
            "title": "Benefit sanctions",
            "key": "sanctions",
            "position": 1,
            "population_terms": "unemployed; benefit recipients",
            "year_from": 2000,
            "year_to": 2019,
            "languages": "da, en",
        },
    )
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "benefit recipients" in body
    assert "Benefit sanctions" in body


def test_topic_area_edit_shows_form_errors(client, lead, topic_area):
    client.force_login(lead)
    url = reverse("topic_area_edit", kwargs={"slug": "secret-review", "topic_key": "caseload"})
    response = client.post(
        url,
        {
            "title": "T",
            "key": "caseload",
            "position": 1,
            "version": 1,
            "year_from": 2019,
            "year_to": 2001,
            "languages": "dk",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "The last publication year (2001) is before the first (2019)." in body
    assert "Unknown language code(s): dk" in body


def test_topic_area_edit_refuses_to_overwrite_a_newer_version(client, lead, topic_area):
    client.force_login(lead)
    url = reverse("topic_area_edit", kwargs={"slug": "secret-review", "topic_key": "caseload"})
    data = {"title": "Mine", "key": "caseload", "position": 1, "version": 1}
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "title": "Theirs"})
    assert response.status_code == 400
    assert "Someone else saved this in the meantime" in response.content.decode()
    topic_area.refresh_from_db()
    assert topic_area.title == "Mine"


def test_members_page_adds_by_email_and_reports_unknown_user(client, lead, project, outsider):
    client.force_login(lead)
    url = reverse("member_add", kwargs={"slug": project.slug})
    response = client.post(url, {"user": "nobody@example.org", "role": "reviewer"})
    assert response.status_code == 400
    assert (
        "No active user has the username or e-mail “nobody@example.org”"
        in response.content.decode()
    )
    response = client.post(
        url, {"user": "outsider@example.org", "role": "peer_reviewer"}, follow=True
    )
    assert "outsider added as Peer reviewer (read-only)." in response.content.decode()
    assert Membership.objects.get(project=project, user=outsider).role == Role.PEER_REVIEWER


def test_members_page_creates_account_and_shows_generated_password_once(client, lead, project):
    client.force_login(lead)
    url = reverse("member_create", kwargs={"slug": project.slug})
    response = client.post(url, {"username": "sofie", "email": "", "role": "reviewer"}, follow=True)
    body = response.content.decode()
    assert "Account sofie created and added as Reviewer." in body
    assert "Password (shown once):" in body
    again = client.get(reverse("members", kwargs={"slug": project.slug})).content.decode()
    assert "Password (shown once)" not in again


def test_removing_last_lead_shows_message(client, lead, project):
    client.force_login(lead)
    membership = Membership.objects.get(project=project, user=lead)
    url = reverse("member_remove", kwargs={"slug": project.slug, "membership_id": membership.pk})
    body = client.post(url, follow=True).content.decode()
    assert "is the project&#x27;s last lead" in body
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_membership_of_another_project_is_404(client, lead, project, outsider):
    foreign = Membership.objects.get(user=outsider)
    client.force_login(lead)
    url = reverse("member_remove", kwargs={"slug": project.slug, "membership_id": foreign.pk})
    assert client.post(url).status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_activity_page_shows_before_and_after(client, lead, topic_area):
    client.force_login(lead)
    url = reverse("topic_area_edit", kwargs={"slug": "secret-review", "topic_key": "caseload"})
    client.post(url, {"title": "Renamed topic", "key": "caseload", "position": 1, "version": 1})
    body = client.get(reverse("activity", kwargs={"slug": "secret-review"})).content.decode()
    assert "Hidden caseload topic" in body and "Renamed topic" in body
    assert "edited the topic area" in body


def test_uploaded_text_is_escaped(client, lead, project):
    TopicAreaFactory(project=project, title="<script>alert(1)</script>")
    client.force_login(lead)
    body = client.get(_dashboard(project)).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_pages_speak_danish_after_switching(client, lead, project):
    client.force_login(lead)
    response = client.post(reverse("set_language"), {"language": "da", "next": "/"})
    assert response.status_code == 302
    body = client.get(reverse("project_list")).content.decode()
    assert '<html lang="da">' in body
    assert "Mine reviewprojekter" in body
    assert "Projektleder" in body


def test_language_switcher_works_on_the_login_page(client, db):
    response = client.post(reverse("set_language"), {"language": "da", "next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    assert "Log ind" in client.get("/accounts/login/").content.decode()


def test_project_create_with_invalid_data_answers_400_with_the_form(client, lead):
    client.force_login(lead)

    response = client.post(reverse("project_create"), {"title": "", "slug": "Not a slug!"})

    assert response.status_code == 400
    assert 'name="title"' in response.content.decode()
    assert not Project.objects.filter(title="").exists()
