"""Bulk actions through the API: the page's service (bulk_action_apply) on the stage's list as
the same filters narrow it, its undo, under the page's permission (screening.bulk_act)."""

import pytest

from reviewapp.models import AuditEntry
from screening.api.serializers import StageRecordFilterSerializer
from screening.forms import StageRecordFilterForm
from screening.models import BulkAction, RecordLabel, ScreeningItem
from screening.queries import STAGE_ITEM_FILTERS
from tests.api.conftest import SECRETS, topic_url


def _url(topic_area, stage, rest=""):
    return topic_url(topic_area, f"stages/{stage.pk}/bulk/{rest}")


def _items(api, topic_area, stage, query=""):
    response = api["lead"].get(topic_url(topic_area, f"stages/{stage.pk}/items/{query}"))
    assert response.status_code == 200, response.content[:300]
    return sorted(row["record_title"] for row in response.json()["results"])


def test_filters_are_the_pages():
    """The page's filter form and the API's filters are the ones the query reads."""
    assert tuple(StageRecordFilterSerializer().fields) == STAGE_ITEM_FILTERS
    assert set(StageRecordFilterForm.base_fields) == set(STAGE_ITEM_FILTERS)


def test_items_list_takes_the_pages_filters(api, topic_area, review_data):
    stage = review_data["stage"]
    assert _items(api, topic_area, stage) == [
        "Confidential record title 1",
        "Confidential record title 2",
    ]
    assert _items(api, topic_area, stage, "?q=title 2") == ["Confidential record title 2"]
    first = ["Confidential record title 1"]
    assert _items(api, topic_area, stage, "?label=secret BULK label") == first
    assert _items(api, topic_area, stage, "?reviewer=reviewer2&decision=include") == first
    assert _items(api, topic_area, stage, "?decision=exclude") == []
    source = review_data["source"].pk
    assert len(_items(api, topic_area, stage, f"?source={source}")) == 2
    assert _items(api, topic_area, stage, "?year_from=2000") == []  # no year: outside it
    for query, field in [
        ("?reviewer=outsider", "reviewer"),
        ("?label=No such label", "label"),
        ("?reason=Because", "reason"),
        ("?source=999999", "source"),
        ("?status=lost", "status"),
    ]:
        response = api["lead"].get(topic_url(topic_area, f"stages/{stage.pk}/items/{query}"))
        assert response.status_code == 400, query
        assert list(response.json()["field_errors"]) == [field], query


def test_bulk_exclude_and_undo(api, topic_area, review_data):
    stage = review_data["stage"]
    reason = stage.exclusion_reasons[0]
    response = api["lead"].post(
        _url(topic_area, stage),
        {"action": "exclude", "reason": reason, "filters": {"q": "title 2"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    bulk = BulkAction.objects.get(pk=body["id"])
    assert body == {
        "id": bulk.pk,
        "action": "exclude",
        "reason": reason,
        "label": None,
        "assignee": None,
        "count": 1,
        "actor": "lead",
        "created_at": body["created_at"],
        "undone_at": None,
        "undone_by": None,
        "undo": f"http://testserver{_url(topic_area, stage, f'{bulk.pk}/undo/')}",
    }
    item = review_data["item"]
    item.refresh_from_db()
    assert (item.status, item.exclusion_reason) == (ScreeningItem.Status.EXCLUDED, reason)
    first = stage.items.get(record=review_data["record_first"])
    assert first.status != ScreeningItem.Status.EXCLUDED
    assert AuditEntry.objects.filter(action="records.bulk_exclude").count() == 1

    listed = api["lead"].get(_url(topic_area, stage)).json()
    assert [row["id"] for row in listed["results"]] == [bulk.pk, review_data["bulk"].pk]
    assert listed["results"][1]["label"] == "Secret bulk label"

    undone = api["lead"].post(body["undo"])
    assert undone.status_code == 200, undone.content
    assert (undone.json()["undone_by"], undone.json()["undo"]) == ("lead", None)
    item.refresh_from_db()
    assert item.status == ScreeningItem.Status.PENDING
    again = api["lead"].post(body["undo"])
    assert (again.status_code, again.json()["code"]) == (409, "bulk_changed")
    detail = api["lead"].get(_url(topic_area, stage, f"{bulk.pk}/")).json()
    assert detail["undone_at"] is not None


def test_bulk_label_on_the_filtered_list(api, topic_area, review_data):
    stage = review_data["stage"]
    response = api["lead"].post(
        _url(topic_area, stage),
        {"action": "label", "name": "Check again", "filters": {"label": "Secret bulk label"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["label"], response.json()["count"]) == ("Check again", 1)
    labelled = RecordLabel.objects.filter(label__name="Check again")
    assert [link.record_id for link in labelled] == [review_data["record_first"].pk]
    everything = api["lead"].post(
        _url(topic_area, stage), {"action": "label", "name": "All", "filters": {}}, format="json"
    )
    assert everything.json()["count"] == 2


def test_bulk_assign_to_a_reviewer_and_undo(api, topic_area, review_data, cast):
    stage = review_data["stage"]
    waiting = set(
        stage.items.filter(status=ScreeningItem.Status.PENDING)
        .exclude(decisions__reviewer=cast["reviewer"])
        .values_list("pk", flat=True)
    )
    assert waiting
    response = api["lead"].post(
        _url(topic_area, stage),
        {"action": "assign", "assignee": "reviewer", "filters": {}},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["action"], body["assignee"], body["count"]) == ("assign", "reviewer", len(waiting))
    assigned = stage.items.filter(assigned_to=cast["reviewer"])
    assert set(assigned.values_list("pk", flat=True)) == waiting
    undone = api["lead"].post(body["undo"], format="json")
    assert undone.status_code == 200, undone.content
    assert not stage.items.filter(assigned_to__isnull=False).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "exclude", "reason": "x", "filters": {"stauts": "conflict"}}, "filters.stauts"),
        ({"action": "label", "name": "x", "filters": {"reviewer": "nobody"}}, "filters.reviewer"),
        ({"action": "label", "name": "x", "filters": {"year_from": "soon"}}, "filters.year_from"),
        ({"action": "label", "name": "x"}, "filters"),
        ({"action": "exclude", "filters": {}}, "reason"),
        ({"action": "exclude", "reason": "Because", "filters": {}}, "reason"),
        ({"action": "label", "name": "", "filters": {}}, "name"),
        ({"action": "delete", "filters": {}}, "action"),
        ({"action": "assign", "filters": {}}, "assignee"),
        ({"action": "assign", "assignee": "outsider", "filters": {}}, "assignee"),
        ({"action": "assign", "assignee": "peer", "filters": {}}, "assignee"),
    ],
)
def test_bulk_refuses_bad_bodies(api, topic_area, review_data, body, field):
    """A misspelt filter would widen the action to every record: refused, nothing done."""
    stage = review_data["stage"]
    before = (BulkAction.objects.count(), RecordLabel.objects.count())
    statuses = list(stage.items.order_by("pk").values_list("status", flat=True))
    response = api["lead"].post(_url(topic_area, stage), body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["field_errors"]) == [field], response.json()
    assert (BulkAction.objects.count(), RecordLabel.objects.count()) == before
    assert list(stage.items.order_by("pk").values_list("status", flat=True)) == statuses


@pytest.mark.parametrize(("role", "status"), [("reviewer", 403), ("peer_reviewer", 403)])
def test_bulk_denied_to_members_not_leads(api, topic_area, review_data, role, status):
    stage = review_data["stage"]
    bulk = review_data["bulk"]
    responses = [
        api[role].get(_url(topic_area, stage)),
        api[role].get(_url(topic_area, stage, f"{bulk.pk}/")),
        api[role].post(
            _url(topic_area, stage),
            {"action": "label", "name": "Nope", "filters": {}},
            format="json",
        ),
        api[role].post(_url(topic_area, stage, f"{bulk.pk}/undo/")),
    ]
    for response in responses:
        assert (response.status_code, response.json()["code"]) == (status, "permission_denied")
        for secret in SECRETS:
            assert secret not in response.content.decode(), secret
    assert BulkAction.objects.count() == 1
    assert BulkAction.objects.get().undone_at is None


def test_bulk_not_found_for_outsiders_and_other_stages(api, topic_area, review_data):
    stage = review_data["stage"]
    bulk = review_data["bulk"]
    response = api["outsider"].get(_url(topic_area, stage))
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert "Secret bulk label" not in response.content.decode()
    other = review_data["fulltext_stage"]
    elsewhere = api["lead"].post(_url(topic_area, other, f"{bulk.pk}/undo/"))
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (404, "not_found")
    assert BulkAction.objects.get().undone_at is None


def test_bulk_list_queries_do_not_grow(
    api, cast, topic_area, review_data, django_assert_max_num_queries
):
    from screening.services.bulk import records_bulk_label

    stage = review_data["stage"]
    with django_assert_max_num_queries(20) as one:
        assert api["lead"].get(_url(topic_area, stage)).json()["count"] == 1
    for name in ("Two", "Three"):
        records_bulk_label(stage=stage, actor=cast["reviewer"], items=stage.items.all(), name=name)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert api["lead"].get(_url(topic_area, stage)).json()["count"] == 3
