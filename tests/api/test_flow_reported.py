"""Hand-entered flow counts through the API: the page's service, permission and audit entry."""

from reviewapp.models import AuditEntry
from tests.api.conftest import SECRETS, topic_url


def test_reported_flow_patch_sets_and_clears_boxes(api, topic_area, review_data):
    url = topic_url(topic_area, "flow/reported/")
    before = api["lead"].get(url).json()
    assert before["counts"] == {}
    assert before["boxes"][:4] == [
        "identified_databases",
        "duplicates",
        "stage1_screened",
        "stage1_excluded",
    ]

    response = api["lead"].patch(
        url,
        {"counts": {"identified_databases": 120, "duplicates": 7}, "version": before["version"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["counts"] == {"identified_databases": 120, "duplicates": 7}
    version = response.json()["version"]
    assert version == before["version"] + 1

    response = api["lead"].patch(
        url, {"counts": {"duplicates": None}, "version": version}, format="json"
    )
    assert response.json()["counts"] == {"identified_databases": 120}
    topic_area.refresh_from_db()
    assert topic_area.reported_flow == {"identified_databases": 120}
    entries = AuditEntry.objects.filter(action="flow.reported").order_by("pk")
    assert [entry.after for entry in entries] == [
        {"identified_databases": 120, "duplicates": 7},
        {"identified_databases": 120},
    ]
    flow = api["lead"].get(topic_url(topic_area, "flow/")).json()
    identified = [row for row in flow["rows"] if row.get("data") == "database_results"]
    assert identified and identified[0]["n"] == "120"


def test_reported_flow_patch_refuses_bad_values_naming_the_field(api, topic_area, review_data):
    url = topic_url(topic_area, "flow/reported/")
    version = topic_area.version
    cases = [
        ({"duplicates": -1}, "counts.duplicates"),
        ({"duplicates": "many"}, "counts.duplicates"),
        ({"stage9_screened": 4}, "counts"),
    ]
    for counts, field in cases:
        response = api["lead"].patch(url, {"counts": counts, "version": version}, format="json")
        assert response.status_code == 400, counts
        assert response.json()["code"] == "validation_error"
        assert list(response.json()["field_errors"]) == [field], response.json()
    stale = api["lead"].patch(url, {"counts": {"duplicates": 1}, "version": 99}, format="json")
    assert stale.status_code == 409
    missing = api["lead"].patch(url, {"counts": {"duplicates": 1}}, format="json")
    assert missing.status_code == 428
    topic_area.refresh_from_db()
    assert topic_area.reported_flow == {}


def test_reported_flow_denied_with_data_present(api, topic_area, review_data):
    topic_area.reported_flow = {"duplicates": 4321}
    topic_area.save(update_fields=["reported_flow"])
    url = topic_url(topic_area, "flow/reported/")
    body = {"counts": {"duplicates": 1}, "version": topic_area.version}
    for role, status in (("reviewer", 403), ("peer_reviewer", 403), ("outsider", 404)):
        response = api[role].patch(url, body, format="json")
        assert response.status_code == status, role
        assert "4321" not in response.content.decode()
    outsider = api["outsider"].get(url)
    assert outsider.status_code == 404
    assert outsider.json()["code"] == "not_found"
    for secret in [*SECRETS, "4321"]:
        assert secret not in outsider.content.decode()
    topic_area.refresh_from_db()
    assert topic_area.reported_flow == {"duplicates": 4321}
    assert api["reviewer"].get(url).json()["counts"] == {"duplicates": 4321}
