"""Correcting a category's title through the API: the lead's permission, audited."""

from grading.models import InterventionCategory
from reviewapp.models import AuditEntry
from tests.api.conftest import SECRETS, topic_url


def test_category_patch_corrects_the_title(api, topic_area, review_data):
    url = topic_url(topic_area, "categories/hidden-category/")
    response = api["lead"].patch(url, {"title": "Hidden category, corrected"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Hidden category, corrected"
    assert response.json()["key"] == "hidden-category"
    assert response.json()["result_count"] == 1
    entry = AuditEntry.objects.filter(action="category.update").get()
    assert (entry.before, entry.after) == (
        {"title": "Hidden category"},
        {"title": "Hidden category, corrected"},
    )


def test_category_patch_refuses_bad_values_naming_the_field(api, topic_area, review_data):
    url = topic_url(topic_area, "categories/hidden-category/")
    for body in ({"title": ""}, {"title": "x" * 301}, {"title": None}):
        response = api["lead"].patch(url, body, format="json")
        assert response.status_code == 400, body
        assert list(response.json()["field_errors"]) == ["title"], response.json()
    assert InterventionCategory.objects.get().title == "Hidden category"


def test_category_patch_denied_with_data_present(api, topic_area, review_data):
    url = topic_url(topic_area, "categories/hidden-category/")
    for role, status in (("reviewer", 403), ("peer_reviewer", 403), ("outsider", 404)):
        response = api[role].patch(url, {"title": "Taken over"}, format="json")
        assert response.status_code == status, role
        for secret in SECRETS:
            assert secret not in response.content.decode(), (role, secret)
    other = api["outsider"].patch(
        topic_url(topic_area, "categories/no-such/"), {"title": "x"}, format="json"
    )
    assert other.status_code == 404 and other.json()["code"] == "not_found"
    assert InterventionCategory.objects.get().title == "Hidden category"
    assert not AuditEntry.objects.filter(action="category.update").exists()
