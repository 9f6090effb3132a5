"""A person downloads their own data as JSON from the profile page."""

import json

import pytest
from django.urls import reverse

from grading.models import Comment, Extraction
from reviewapp.api.tokens import api_token_create
from reviewapp.models import AuditEntry
from tests.factories.grading import ResultFactory, StudyFactory
from tests.factories.reviewapp import UserSessionFactory
from tests.factories.screening import DecisionFactory, ScreeningItemFactory, StageFactory


@pytest.fixture
def work(cast, topic_area):
    """Decisions, an extraction and a comment by the reviewer and by a colleague."""
    reviewer, colleague = cast["reviewer"], cast["reviewer2"]
    reviewer.first_name, reviewer.last_name = "Rasmus", "Rask"
    reviewer.save()
    stage = StageFactory(topic_area=topic_area, name="Title screening")
    mine = ScreeningItemFactory(stage=stage)
    theirs = ScreeningItemFactory(stage=stage)
    DecisionFactory(item=mine, reviewer=reviewer, value="include", note="My own note")
    DecisionFactory(item=theirs, reviewer=colleague, value="exclude", note="Colleague's note")
    result = ResultFactory(study=StudyFactory(topic_area=topic_area))
    Extraction.objects.create(result=result, reviewer=reviewer, values={"effect": "My effect"})
    Extraction.objects.create(result=result, reviewer=colleague, values={"effect": "Their effect"})
    project = topic_area.project
    for author, body in [(reviewer, "My question"), (colleague, "Their question")]:
        Comment.objects.create(
            project=project, target_kind="result", target_id=result.pk, author=author, body=body
        )
    for actor, action in [(reviewer, "decision.record"), (colleague, "decision.secret")]:
        AuditEntry.objects.create(
            project=project, actor=actor, action=action, object_type="record", object_id="1"
        )
    api_token_create(user=reviewer, name="My laptop")
    UserSessionFactory(user=reviewer, user_agent="My own browser")
    UserSessionFactory(user=colleague, user_agent="Their browser")
    return reviewer


def test_own_data_holds_the_persons_data_and_nobody_elses(client, work):
    client.force_login(work)

    response = client.get(reverse("own_data"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["format"] == "reviewapp-personal-data"
    assert data["profile"]["username"] == "reviewer"
    assert data["profile"]["email"] == "reviewer@example.org"
    assert (data["profile"]["first_name"], data["profile"]["last_name"]) == ("Rasmus", "Rask")
    assert [(m["project"], m["role"]) for m in data["memberships"]] == [
        ("secret-review", "reviewer")
    ]
    assert [(d["stage"], d["value"], d["note"]) for d in data["decisions"]] == [
        ("Title screening", "include", "My own note")
    ]
    assert [e["values"] for e in data["extractions"]] == [{"effect": "My effect"}]
    assert [c["body"] for c in data["comments"]] == ["My question"]
    assert [e["action"] for e in data["audit_entries"]] == ["decision.record", "api_token.create"]
    assert [t["name"] for t in data["api_tokens"]] == ["My laptop"]
    # Hers, and the one this login recorded.
    assert [s["user_agent"] for s in data["sessions"]] == ["My own browser", ""]
    assert "digest" not in response.text
    for other in (
        "Their browser",
        "Colleague's note",
        "Their effect",
        "Their question",
        "decision.secret",
    ):
        assert other not in response.text
    assert "reviewer2" not in response.text


def test_own_data_of_another_person_is_theirs_alone(client, work, cast):
    client.force_login(cast["reviewer2"])

    data = client.get(reverse("own_data")).json()

    assert data["profile"]["username"] == "reviewer2"
    assert [d["note"] for d in data["decisions"]] == ["Colleague's note"]
    assert [c["body"] for c in data["comments"]] == ["Their question"]
    assert data["api_tokens"] == []


def test_the_profile_page_links_the_download(client, work):
    client.force_login(work)

    page = client.get(reverse("profile"))

    assert reverse("own_data") in page.text
    assert reverse("erase_person") not in page.text  # staff only


def test_own_data_needs_a_login(client, db):
    response = client.get(reverse("own_data"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
