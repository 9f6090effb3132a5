"""The API is strict: one error shape for every 404, unknown fields refused, string lengths
capped, links only to included records."""

import pytest
from django.urls import reverse

from tests.api.test_permissions import MATRIX, _kwargs

MISSING = {"project_slug": "no-such-project", "topic_key": "no-such-topic", "pk": 999999}


def _missing_cases():
    for name, methods in MATRIX.items():
        method = next(iter(methods))
        for part in MISSING:
            yield name, method, part
        if name.startswith(("api-category-detail", "api-verdict-")):
            yield name, method, "category_key"


@pytest.mark.parametrize(("name", "method", "part"), list(_missing_cases()))
def test_not_found_code_everywhere(api, cast, topic_area, review_data, name, method, part):
    """An unknown project, topic area or object answers 404 "not_found" for every resource
    (the lead asks, so nothing but the missing part stands in the way)."""
    kwargs = _kwargs(name, topic_area, review_data, cast["reviewer"])
    if part not in kwargs:
        pytest.skip(f"{name} has no {part}")
    kwargs[part] = MISSING.get(part, "no-such-category")
    url = reverse(name, kwargs=kwargs)
    response = getattr(api["lead"], method.lower())(url, {}, format="json")
    assert response.status_code == 404, (url, response.content[:300])
    assert response.json() == {
        "message": response.json()["message"],
        "code": "not_found",
        "field_errors": {},
    }


def test_not_found_inaccessible_project_same_as_unknown(api, topic_area):
    """A project one is not a member of answers exactly as one that does not exist."""
    hidden = api["outsider"].get(f"/api/projects/{topic_area.project.slug}/topic-areas/")
    unknown = api["outsider"].get("/api/projects/no-such-project/topic-areas/")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json()
    assert hidden.json()["code"] == "not_found"
