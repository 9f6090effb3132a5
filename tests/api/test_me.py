"""/api/me/: who the token acts as."""

from reviewapp.models import Membership, Role, UserProfile


def test_me_shows_own_user_and_memberships(api, cast, project):
    lead = cast["lead"]
    lead.first_name, lead.last_name = "Lea", "Lund"
    lead.save()
    UserProfile.objects.create(user=lead, language="da")
    response = api["lead"].get("/api/me/")
    assert response.status_code == 200
    assert response.json() == {
        "username": "lead",
        "name": "Lea Lund",
        "language": "da",
        "memberships": [
            {
                "project": "secret-review",
                "project_title": "Secret review of caseloads",
                "role": "lead",
            }
        ],
    }


def test_me_outsider_sees_none_of_the_project(api, cast, project):
    """The outsider's own project only: nothing of the project they are not in."""
    body = api["outsider"].get("/api/me/").json()
    assert body["username"] == "outsider"
    assert body["language"] == "en"
    assert [m["project"] for m in body["memberships"]] == ["outsiders-own"]
    assert "Secret review of caseloads" not in str(body)
    assert not UserProfile.objects.filter(user=cast["outsider"]).exists()  # a read writes nothing


def test_me_anonymous_401(api):
    response = api["anonymous"].get("/api/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_me_query_count_independent_of_memberships(api, cast, project, django_assert_num_queries):
    from tests.factories.reviewapp import ProjectFactory

    api["reviewer"].get("/api/me/")  # the token's first use is recorded once
    with django_assert_num_queries(3):  # the token, the profile, the memberships
        assert len(api["reviewer"].get("/api/me/").json()["memberships"]) == 1
    for n in range(3):
        Membership.objects.create(
            project=ProjectFactory(slug=f"more-{n}"), user=cast["reviewer"], role=Role.REVIEWER
        )
    with django_assert_num_queries(3):
        assert len(api["reviewer"].get("/api/me/").json()["memberships"]) == 4
