"""The activity log through the API: the page's entries, filters, labels and permission."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviewapp.audit import audit_record
from reviewapp.models import AuditEntry
from tests.api.conftest import SECRETS

pytestmark = pytest.mark.django_db


def _url(project, query=""):
    return f"/api/projects/{project.slug}/activity/{query}"


def _entries(topic_area, cast):
    project = topic_area.project
    AuditEntry.objects.filter(project=project).delete()
    old = audit_record(
        actor=cast["lead"],
        project=project,
        action="topic_area.update",
        obj=topic_area,
        before={"title": "Caseloads"},
        after={"title": "Hidden caseload topic"},
    )
    AuditEntry.objects.filter(pk=old.pk).update(created_at="2026-01-05T10:00:00Z")
    new = audit_record(
        actor=cast["reviewer2"], project=project, action="project.update", obj=project
    )
    system = audit_record(actor=None, project=project, action="project.create", obj=project)
    return old, new, system


def test_activity_lists_entries_newest_first_with_labels_in_the_readers_language(
    api, cast, topic_area
):
    old, new, system = _entries(topic_area, cast)
    response = api["reviewer"].get(_url(topic_area.project), HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 3
    assert [entry["id"] for entry in body["results"]] == [system.pk, new.pk, old.pk]
    assert body["results"][2] == {
        "id": old.pk,
        "created_at": "2026-01-05T11:00:00+01:00",  # Copenhagen time
        "actor": "lead",
        "action": "topic_area.update",
        "action_label": "redigerede emneområdet",
        "target": {"type": "topicarea", "id": str(topic_area.pk), "name": str(topic_area)},
        "values_hidden": False,
        "changes": [{"field": "titel", "before": "Caseloads", "after": "Hidden caseload topic"}],
    }
    assert body["results"][0]["actor"] is None
    assert body["results"][0]["action_label"] == "oprettede projektet"
    english = api["reviewer"].get(_url(topic_area.project), HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["results"][0]["action_label"] == "created the project"


def test_activity_filters_as_the_page(api, cast, topic_area):
    old, new, system = _entries(topic_area, cast)
    client = api["lead"]

    def ids(query):
        response = client.get(_url(topic_area.project, query))
        assert response.status_code == 200, response.content
        return [entry["id"] for entry in response.json()["results"]]

    assert ids("?person=reviewer2") == [new.pk]
    assert ids("?kind=topic_area") == [old.pk]
    assert ids(f"?topic={topic_area.key}") == [old.pk]
    assert ids("?date_to=2026-01-05") == [old.pk]
    assert ids("?date_from=2026-01-06") == [system.pk, new.pk]
    assert client.get(_url(topic_area.project, "?topic=nope")).status_code == 400
    assert client.get(_url(topic_area.project, "?date_from=soon")).status_code == 400


def test_activity_hides_other_reviewers_blind_extraction_values(api, cast, topic_area):
    project = topic_area.project
    entry = audit_record(
        actor=cast["reviewer2"],
        project=project,
        action="extraction.update",
        obj=topic_area,
        before={"effect": "Secret intervention"},
        after={"effect": "Secret intervention 2"},
    )
    mine = api["reviewer"].get(_url(project, "?kind=extraction")).json()["results"]
    assert [(e["id"], e["values_hidden"], e["changes"]) for e in mine] == [(entry.pk, True, [])]
    lead = api["lead"].get(_url(project, "?kind=extraction")).json()["results"]
    assert lead[0]["values_hidden"] is False
    assert [change["after"] for change in lead[0]["changes"]] == ["Secret intervention 2"]


def test_activity_is_not_found_for_a_non_member(api, cast, topic_area, review_data):
    assert AuditEntry.objects.filter(project=topic_area.project).exists()
    response = api["outsider"].get(_url(topic_area.project))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    for secret in SECRETS:
        assert secret not in response.content.decode()
    assert api["anonymous"].get(_url(topic_area.project)).status_code == 401


def test_activity_queries_do_not_grow_with_entries(api, cast, topic_area):
    project = topic_area.project
    AuditEntry.objects.filter(project=project).delete()
    client = api["reviewer"]

    def add(n):
        for i in range(n):
            audit_record(
                actor=cast["lead"],
                project=project,
                action="topic_area.update",
                obj=topic_area,
                before={"title": f"T{i}"},
                after={"title": f"T{i + 1}"},
            )

    client.get(_url(project))  # the token's first use is written once: not the list's
    add(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(_url(project)).json()["count"] == 1
    add(2)
    with CaptureQueriesContext(connection) as three:
        assert client.get(_url(project)).json()["count"] == 3
    assert len(three) == len(one)
