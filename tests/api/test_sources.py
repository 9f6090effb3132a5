"""Removing an import and restoring it through the API: the import page's services
(source_delete, source_restore) under its one predicate (can_remove_import: leads)."""

import pytest

from reviewapp.models import AuditEntry
from screening.models import Decision, Record, Source
from screening.services.bin import source_delete
from tests.api.conftest import SECRETS, topic_url


def _url(topic_area, source, rest=""):
    return topic_url(topic_area, f"sources/{source.pk}/{rest}")


def _record_titles(api, topic_area):
    body = api["lead"].get(topic_url(topic_area, "records/?page_size=500")).json()
    return sorted(row["title"] for row in body["results"])


def test_source_remove_and_restore(api, topic_area, review_data):
    source = review_data["source"]
    titles = _record_titles(api, topic_area)
    assert "Confidential record title 1" in titles
    decisions = Decision.objects.count()

    removed = api["lead"].delete(_url(topic_area, source))
    assert removed.status_code == 204, removed.content
    assert api["lead"].get(_url(topic_area, source)).json()["code"] == "not_found"
    listed = api["lead"].get(topic_url(topic_area, "sources/")).json()["results"]
    assert source.pk not in [row["id"] for row in listed]
    assert not any(title.startswith("Confidential") for title in _record_titles(api, topic_area))
    stage = review_data["stage"]
    items = api["lead"].get(topic_url(topic_area, f"stages/{stage.pk}/items/")).json()
    assert items["count"] == 0
    assert Decision.objects.count() < decisions  # hidden by the bin, kept for the audit
    assert Decision.all_objects.count() == decisions

    restored = api["lead"].post(_url(topic_area, source, "restore/"))
    assert restored.status_code == 200, restored.content
    assert (restored.json()["id"], restored.json()["name"]) == (source.pk, "Secret DB")
    assert restored.json()["records_stored"] == Record.objects.filter(source=source).count() > 0
    assert _record_titles(api, topic_area) == titles
    assert Decision.objects.count() == decisions
    actions = list(
        AuditEntry.objects.filter(action__startswith="source.").values_list("action", flat=True)
    )
    assert sorted(actions) == ["source.delete", "source.restore"]


@pytest.mark.parametrize(("role", "status"), [("reviewer", 403), ("peer_reviewer", 403)])
def test_source_remove_denied_to_members_not_leads(
    api, cast, topic_area, review_data, role, status
):
    source = review_data["source"]
    response = api[role].delete(_url(topic_area, source))
    assert (response.status_code, response.json()["code"]) == (status, "permission_denied")
    assert not Source.all_objects.get(pk=source.pk).in_bin
    source_delete(source=source, actor=cast["lead"])
    response = api[role].post(_url(topic_area, source, "restore/"))
    assert response.status_code == status
    assert Source.all_objects.get(pk=source.pk).in_bin


def test_source_remove_not_found_for_outsiders(api, topic_area, review_data):
    source = review_data["source"]
    for response in (
        api["outsider"].delete(_url(topic_area, source)),
        api["outsider"].post(_url(topic_area, source, "restore/")),
    ):
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
        for secret in SECRETS:
            assert secret not in response.content.decode(), secret
    assert api["anonymous"].delete(_url(topic_area, source)).status_code == 401
    assert not Source.all_objects.get(pk=source.pk).in_bin
    assert not AuditEntry.objects.filter(action__startswith="source.").exists()
