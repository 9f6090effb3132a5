"""A record's history through the API: its page's stages, decisions and audit entries (the
same queries), every member, with the page's blinding."""

import pytest

from screening.services.screening import decision_record, stage_enter_records, stage_update
from tests.api.conftest import SECRETS, topic_url

BLIND_NOTE = "Blind note of reviewer2"


@pytest.fixture
def blind_item(cast, review_data):
    """The second record at a dual stage (the second) that never shows the others'
    decisions, decided (and changed) by reviewer2 alone."""
    stage = review_data["stage"].topic_area.stages.get(position=2)
    stage = stage_update(
        stage=stage,
        actor=cast["lead"],
        expected_version=stage.version,
        reviewers_required=2,
        show_decisions_after=False,
    )
    record = review_data["item"].record
    stage_enter_records(stage=stage, record_ids=[record.pk])
    item = stage.items.get(record=record)
    decision_record(item=item, reviewer=cast["reviewer2"], value="include", note="Earlier")
    decision_record(item=item, reviewer=cast["reviewer2"], value="exclude", note=BLIND_NOTE)
    return item


def _stage_row(body, stage):
    [row] = [row for row in body["stages"] if row["stage"] == stage.pk]
    return row


def _url(topic_area, record):
    return topic_url(topic_area, f"records/{record.pk}/history/")


def test_history_shows_stages_decisions_and_entries(api, topic_area, review_data, blind_item):
    response = api["lead"].get(_url(topic_area, blind_item.record))

    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert (body["record"], body["title"], body["canonical"]) == (
        blind_item.record_id,
        "Confidential record title 2",
        None,
    )
    assert [row["stage_name"] for row in body["stages"]] == [
        s.name for s in topic_area.stages.order_by("position")[:2]
    ]
    stage = _stage_row(body, blind_item.stage)
    assert (stage["status"], stage["others_hidden"]) == ("pending", False)
    assert [(d["reviewer"], d["value"], d["note"]) for d in stage["decisions"]] == [
        ("reviewer2", "exclude", BLIND_NOTE)
    ]
    [change] = [e for e in body["entries"] if e["action"] == "decision.change"]
    assert change["actor"] == "reviewer2"
    assert ("Earlier", BLIND_NOTE) in [(c["before"], c["after"]) for c in change["changes"]]


def test_history_blinds_the_other_reviewers_decisions(api, topic_area, blind_item):
    response = api["reviewer"].get(_url(topic_area, blind_item.record))

    assert response.status_code == 200
    body = response.json()
    stage = _stage_row(body, blind_item.stage)
    assert (stage["others_hidden"], stage["decisions"]) == (True, [])
    assert not [e for e in body["entries"] if e["action"].startswith("decision.")]
    assert BLIND_NOTE not in response.content.decode()
    assert "Earlier" not in response.content.decode()


def test_history_of_a_merged_record(api, topic_area, review_data):
    merged = review_data["record"]  # merged into the first
    body = api["peer_reviewer"].get(_url(topic_area, merged)).json()
    assert (body["record"], body["canonical"]) == (merged.pk, review_data["record_first"].pk)


@pytest.mark.parametrize(("role", "expected"), [("outsider", 404), ("anonymous", 401)])
def test_history_denied_to_non_members(api, topic_area, blind_item, role, expected):
    response = api[role].get(_url(topic_area, blind_item.record))
    assert response.status_code == expected
    for secret in [*SECRETS, BLIND_NOTE]:
        assert secret not in response.content.decode(), secret
    missing = api["lead"].get(topic_url(topic_area, "records/999999/history/"))
    assert missing.status_code == 404
