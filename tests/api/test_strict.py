"""The API is strict: one error shape for every 404, unknown fields refused, string lengths
capped, links only to included records."""

import pytest
from django.urls import reverse

from tests.api.conftest import topic_url
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


def test_unknown_field_refused_on_create(api, topic_area, review_data):
    """A misspelt field is a 400 naming it, and nothing is saved."""
    from grading.models import Study

    before = Study.objects.count()
    response = api["lead"].post(
        topic_url(topic_area, "studies/"),
        {"label": "New (2020)", "title": "New", "design": "other", "desing": "rct"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["field_errors"]) == ["desing"]
    assert Study.objects.count() == before


def test_unknown_field_refused_on_update_beside_valid_ones(api, topic_area, review_data):
    """A PATCH with a good field and an unknown one changes nothing."""
    study = review_data["study"]
    response = api["lead"].patch(
        topic_url(topic_area, f"studies/{study.pk}/"),
        {"label": "Changed (2020)", "countyr": "DK", "version": study.version},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field_errors"] == {
        "countyr": ["This field is not known here: check its name in the schema."]
    }
    study.refresh_from_db()
    assert study.label != "Changed (2020)"


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/projects/", {"slug": "new", "title": "New", "titel": "x"}),
        ("/api/projects/secret-review/topic-areas/", {"key": "t", "title": "T", "picos": "x"}),
        (
            "/api/projects/secret-review/comments/",
            {"target_kind": "study", "target_id": 1, "body": "x", "bdy": "x"},
        ),
        (
            "/api/projects/secret-review/topic-areas/caseload/stages/set-up/",
            {"preset": "two", "x": 1},
        ),
    ],
)
def test_unknown_field_refused_everywhere(api, topic_area, review_data, url, body):
    """One mechanism (reviewapp.api.base.validated) for every body: the projects', the
    screening app's and the grading app's."""
    response = api["lead"].post(url, body, format="json")
    assert response.status_code == 400, response.content[:300]
    unknown = set(body) - {"slug", "title", "key", "target_kind", "target_id", "body", "preset"}
    assert unknown <= set(response.json()["field_errors"])


def test_read_only_field_sent_back_is_not_unknown(api, topic_area, review_data):
    """What a client read (with its read-only `id`) may be sent back."""
    study = review_data["study"]
    read = api["lead"].get(topic_url(topic_area, f"studies/{study.pk}/")).json()
    response = api["lead"].patch(
        topic_url(topic_area, f"studies/{study.pk}/"),
        {"id": read["id"], "label": "Changed (2020)", "version": read["version"]},
        format="json",
    )
    assert response.status_code == 200, response.content[:300]
    assert response.json()["label"] == "Changed (2020)"


def test_max_length_huge_title_refused(api, topic_area, review_data):
    """A 200,000-character title is refused naming the field, not stored."""
    from grading.models import Study

    study = review_data["study"]
    response = api["lead"].patch(
        topic_url(topic_area, f"studies/{study.pk}/"),
        {"title": "x" * 200_000, "version": study.version},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field_errors"] == {
        "title": ["Ensure this field has no more than 50000 characters."]
    }
    assert Study.objects.get(pk=study.pk).title == study.title


def test_max_length_from_model_field(api, topic_area):
    """A model CharField's own maximum (a topic area's title: 300) is the API's."""
    response = api["lead"].post(
        f"/api/projects/{topic_area.project.slug}/topic-areas/",
        {"key": "long", "title": "x" * 301},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["field_errors"]) == ["title"]


def _request_strings(schema: dict):
    """(component.property, its schema) for every free string a client may send."""
    for name, component in schema["components"]["schemas"].items():
        if not name.endswith("Request"):
            continue
        stack = [(name, component)]
        while stack:
            path, node = stack.pop()
            if node.get("type") == "string" and "enum" not in node and "format" not in node:
                yield path, node
            stack += [(f"{path}.{key}", sub) for key, sub in node.get("properties", {}).items()]
            if "items" in node:
                stack.append((f"{path}[]", node["items"]))
            if isinstance(node.get("additionalProperties"), dict):
                stack.append((f"{path}{{}}", node["additionalProperties"]))


def test_max_length_in_schema_for_every_request_string(api):
    schema = api["anonymous"].get("/api/schema/?format=json").json()
    strings = dict(_request_strings(schema))
    assert strings["StudyRequest.title"]["maxLength"] == 50_000
    assert strings["TopicAreaRequest.title"]["maxLength"] == 300
    assert [path for path, node in strings.items() if "maxLength" not in node] == []


def _study_with(api, topic_area, records):
    return api["lead"].post(
        topic_url(topic_area, "studies/"),
        {"label": "New (2020)", "title": "New", "design": "other", "records": records},
        format="json",
    )


def test_study_record_pending_refused(api, topic_area, review_data):
    """A record still pending at the first stage is not an included record: 400 naming
    `records`, and no study."""
    from grading.models import Study

    before = Study.objects.count()
    pending = review_data["item"].record_id
    response = _study_with(api, topic_area, [pending])
    assert response.status_code == 400
    assert list(response.json()["field_errors"]) == ["records"]
    assert str(pending) in response.json()["field_errors"]["records"][0]
    assert Study.objects.count() == before


def test_study_record_included_at_last_stage_accepted(api, topic_area, review_data):
    from screening.models import ScreeningItem

    record = review_data["item"].record
    last = topic_area.stages.order_by("-position").first()
    ScreeningItem.objects.update_or_create(
        stage=last, record=record, defaults={"status": ScreeningItem.Status.INCLUDED}
    )
    response = _study_with(api, topic_area, [record.pk])
    assert response.status_code == 201, response.content[:300]
    assert response.json()["records"] == [record.pk]
    # ... and only once: a second study may not take the same record.
    assert _study_with(api, topic_area, [record.pk]).status_code == 400
