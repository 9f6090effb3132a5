"""Query parameters: a view accepts the ones it declares (its filters, the page where it
paginates, DRF's `format`) and refuses any other with 400 naming it; the schema lists exactly
the declared ones (reviewapp.api.query)."""

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from reviewapp.api.query import accepted_query_parameters, format_parameter
from reviewapp.models import Membership
from tests.api.conftest import SECRETS, topic_url
from tests.api.test_permissions import MATRIX, _body, _kwargs, _state

UNKNOWN = "This query parameter is not known here: check its name in the schema."


def test_schema_lists_what_each_view_accepts():
    """For every operation in the schema, its query parameters are the ones the view
    accepts (DRF's `format`, the renderer's choice, is accepted but not listed)."""
    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    generator._initialise_endpoints()
    compared = {}
    for path, _regex, method, callback in generator.endpoints:
        operation = schema["paths"].get(path.replace("{pk}", "{id}"), {}).get(method.lower())
        if operation is None:
            continue  # left out of the schema: the catch-all 404, the schema and its docs
        view = generator.create_view(callback, method)
        listed = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        accepted = accepted_query_parameters(view, method) - {format_parameter(view)}
        compared[(method, path)] = (listed, accepted)
    assert len(compared) == sum(len(operations) for operations in schema["paths"].values())
    assert {key: pair for key, pair in compared.items() if pair[0] != pair[1]} == {}
    records = ("GET", "/api/projects/{project_slug}/topic-areas/{topic_key}/records/")
    assert compared[records][0] == {
        "page",
        "page_size",
        "source",
        "stage",
        "status",
        "duplicate",
        "search",
    }


CASES = [(name, method) for name, methods in MATRIX.items() for method in methods]


@pytest.mark.parametrize(("name", "method"), CASES)
def test_unknown_query_parameter_refused_everywhere(
    api, cast, topic_area, review_data, name, method
):
    """Every endpoint and method: a lead's request with a parameter the view does not read
    is a 400 naming it, and nothing is changed."""
    victim = Membership.objects.get(project=topic_area.project, user=cast["reviewer2"])
    url = reverse(name, kwargs=_kwargs(name, topic_area, review_data, victim)) + "?colour=blue"
    before = _state()
    response = getattr(api["lead"], method.lower())(
        url, _body(name, method, review_data), format="json"
    )
    assert response.status_code == 400, (method, url, response.content[:300])
    assert response.json()["code"] == "validation_error"
    assert response.json()["field_errors"] == {"colour": [UNKNOWN]}
    assert _state() == before


def test_unknown_query_parameter_after_the_permission_checks(api, topic_area, review_data):
    """No token: 401; not a member: 404 as without the parameter (nothing leaks); a member
    without the permission: 403."""
    url = topic_url(topic_area, f"stages/{review_data['stage'].pk}/items/?stauts=conflict")
    assert api["anonymous"].get(url).status_code == 401
    hidden = api["outsider"].get(url)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found")
    for secret in SECRETS:
        assert secret not in hidden.content.decode()
    resolve = topic_url(
        topic_area,
        f"stages/{review_data['stage'].pk}/items/{review_data['item'].pk}/resolve/?x=1",
    )
    denied = api["reviewer"].post(resolve, {"value": "exclude"}, format="json")
    assert denied.status_code == 403


def test_misspelt_filter_refused_not_ignored(api, topic_area, review_data):
    """`?stauts=conflict` would otherwise list every record at the stage as if they were
    the conflicts."""
    url = topic_url(topic_area, f"stages/{review_data['stage'].pk}/items/")
    everything = api["lead"].get(url).json()["count"]
    assert everything > 0
    response = api["lead"].get(url + "?stauts=conflict&page_size=5")
    assert response.status_code == 400
    assert response.json()["field_errors"] == {"stauts": [UNKNOWN]}


def test_declared_parameters_accepted(api, topic_area, review_data):
    records = topic_url(topic_area, "records/")
    found = api["lead"].get(records + "?search=Confidential&page=1&page_size=2&format=json")
    assert found.status_code == 200, found.content[:300]
    assert len(found.json()["results"]) == 2
    assert all("Confidential" in row["title"] for row in found.json()["results"])
    # A page of a single object is not a thing: refused on a detail.
    detail = api["lead"].get(topic_url(topic_area, f"records/{review_data['record'].pk}/?page=2"))
    assert detail.status_code == 400
    assert detail.json()["field_errors"] == {"page": [UNKNOWN]}
    # A download's own `format` is its filter, DRF's renderer choice is not read there.
    export = api["lead"].get(
        f"/api/projects/{topic_area.project.slug}/report/export/?format=json&language=en"
    )
    assert export.status_code == 200
    flow = api["lead"].get(topic_url(topic_area, "flow.svg?format=json"))
    assert flow.status_code == 400
    assert flow.json()["field_errors"] == {"format": [UNKNOWN]}


def test_me_refuses_unknown_parameters(api):
    assert api["reviewer"].get("/api/me/?format=json").json()["username"] == "reviewer"
    response = api["reviewer"].get("/api/me/?verbose=1")
    assert response.status_code == 400
    assert response.json()["field_errors"] == {"verbose": [UNKNOWN]}
