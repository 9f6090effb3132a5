"""Report settings through the API: the page's service, permission and audit entry."""

from grading.models import ReportSettings
from reviewapp.models import AuditEntry
from tests.api.conftest import SECRETS, topic_url


def test_report_settings_defaults_then_patch(api, topic_area, review_data):
    url = topic_url(topic_area, "report-settings/")
    assert api["reviewer"].get(url).json() == {
        "moderate_high_counts_as": "middle",
        "low_moderate_counts_as": "middle",
        "statements": {},
        "version": 0,
    }
    response = api["lead"].patch(
        url,
        {"moderate_high_counts_as": "high", "statements": {"hidden-category": " Works. "}},
        format="json",
        HTTP_IF_MATCH='"0"',
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "moderate_high_counts_as": "high",
        "low_moderate_counts_as": "middle",
        "statements": {"hidden-category": "Works."},
        "version": 1,
    }
    # Only the fields named change.
    response = api["lead"].patch(
        url, {"low_moderate_counts_as": "low", "version": 1}, format="json"
    )
    assert response.json()["statements"] == {"hidden-category": "Works."}
    assert response.json()["moderate_high_counts_as"] == "high"
    assert response.json()["low_moderate_counts_as"] == "low"
    entry = AuditEntry.objects.filter(action="report_settings.update").latest("pk")
    assert entry.after["low_moderate_counts_as"] == "low"
    assert entry.actor == review_data["study"].topic_area.project.memberships.get(role="lead").user


def test_report_settings_refuses_bad_values_naming_the_field(api, topic_area, review_data):
    url = topic_url(topic_area, "report-settings/")
    cases = [
        ({"moderate_high_counts_as": "sometimes"}, "moderate_high_counts_as"),
        ({"statements": {"no-such-category": "x"}}, "statements"),
        ({"statements": {"hidden-category": "x" * 2001}}, "statements.hidden-category"),
        ({"statements": "text"}, "statements"),
    ]
    for body, field in cases:
        response = api["lead"].patch(url, {**body, "version": 0}, format="json")
        assert response.status_code == 400, body
        assert list(response.json()["field_errors"]) == [field], response.json()
    assert api["lead"].patch(url, {"version": 5}, format="json").status_code == 409
    assert api["lead"].patch(url, {}, format="json").status_code == 428
    assert not ReportSettings.objects.exists()


def test_report_settings_denied_with_data_present(api, cast, topic_area, review_data):
    from grading.services.report import report_settings_update

    report_settings_update(
        topic_area=topic_area,
        actor=cast["lead"],
        expected_version=0,
        moderate_high_counts_as="high",
        low_moderate_counts_as="middle",
        statements={"hidden-category": "Secret statement"},
    )
    url = topic_url(topic_area, "report-settings/")
    body = {"moderate_high_counts_as": "low", "version": 1}
    for role, status in (("reviewer", 403), ("peer_reviewer", 403), ("outsider", 404)):
        response = api[role].patch(url, body, format="json")
        assert response.status_code == status, role
        for secret in [*SECRETS, "Secret statement"]:
            assert secret not in response.content.decode(), (role, secret)
    outsider = api["outsider"].get(url)
    assert outsider.status_code == 404 and outsider.json()["code"] == "not_found"
    assert "Secret statement" not in outsider.content.decode()
    settings = ReportSettings.objects.get()
    assert (settings.moderate_high_counts_as, settings.version) == ("high", 1)
