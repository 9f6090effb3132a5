"""A study's history through the API: the page's timeline (`study_timeline`), every member
(grading.view_grading), the activity log's blind-work rule on its entries."""

import pytest

from grading.models import Verdict
from grading.services import verdicts as verdict_services
from grading.services.consensus import extraction_settings_update
from reviewapp.services import topic_area_create
from tests.api.conftest import SECRETS, topic_url


@pytest.fixture
def history(cast, review_data):
    verdict = Verdict.objects.get(category=review_data["category"])
    verdict_services.verdict_set_final(
        verdict=verdict,
        actor=cast["lead"],
        level=verdict.computed_level,
        rationale="Secret final rationale",
        expected_version=verdict.version,
    )
    return review_data["study"]


def _url(topic_area, study):
    return topic_url(topic_area, f"studies/{study.pk}/history/")


def test_history_lists_entries_and_verdict_changes_newest_first(api, topic_area, history):
    response = api["peer_reviewer"].get(_url(topic_area, history))

    assert response.status_code == 200, response.content[:300]
    rows = response.json()["results"]
    entries = [row["entry"] for row in rows if row["entry"]]
    events = [row["verdict_event"] for row in rows if row["verdict_event"]]
    assert [(e["action"], e["target"]["type"], e["actor"]) for e in reversed(entries)] == [
        ("study.create", "study", "lead"),
        ("result.create", "result", "lead"),
    ]
    assert entries[-1]["action_label"] == "created the study"
    assert {"field": "label", "before": None, "after": "Secret et al. (2016)"} in entries[-1][
        "changes"
    ]
    assert rows[0]["verdict_event"]["kind"] == "final"  # newest first
    assert (events[0]["category"], events[0]["rationale"], events[0]["actor"]) == (
        "hidden-category",
        "Secret final rationale",
        "lead",
    )
    assert {e["kind"] for e in events} == {"final", "computed"}
    ats = [row["at"] for row in rows]
    assert ats == sorted(ats, reverse=True)


def test_history_is_paginated(api, topic_area, history):
    response = api["lead"].get(_url(topic_area, history) + "?page_size=1")
    body = response.json()
    assert body["count"] >= 3
    assert len(body["results"]) == 1
    assert body["next"]


@pytest.mark.parametrize(("role", "expected"), [("outsider", 404), ("anonymous", 401)])
def test_history_denied_to_non_members(api, topic_area, history, role, expected):
    response = api[role].get(_url(topic_area, history))
    assert response.status_code == expected
    for secret in [*SECRETS, "Secret final rationale"]:
        assert secret not in response.content.decode(), secret


def test_history_of_another_topic_areas_study_is_404(api, cast, topic_area, history):
    other = topic_area_create(
        project=topic_area.project, actor=cast["lead"], key="other", title="O"
    )
    response = api["lead"].get(topic_url(other, f"studies/{history.pk}/history/"))
    assert response.status_code == 404
    assert "Secret" not in response.content.decode()


def test_history_hides_the_other_reviewers_extraction_values(api, cast, topic_area, history):
    result = history.results.get()
    extraction_settings_update(project=topic_area.project, actor=cast["lead"], dual_extraction=True)
    values = {"direction": "positive", "risk_of_bias": "low", "quality": "high"}
    for role, effect in [("reviewer", "Own effect A"), ("reviewer2", "Blind effect B")]:
        saved = api[role].post(
            topic_url(topic_area, f"results/{result.pk}/extractions/"),
            {**values, "effect": effect, "version": 0},
        )
        assert saved.status_code == 200, saved.content[:300]

    mine = api["reviewer"].get(_url(topic_area, history))
    leads = api["lead"].get(_url(topic_area, history))

    extractions = [
        row["entry"]
        for row in mine.json()["results"]
        if row["entry"] and row["entry"]["action"].startswith("extraction.")
    ]
    assert sorted((e["actor"], e["values_hidden"]) for e in extractions) == [
        ("reviewer", False),
        ("reviewer2", True),
    ]
    assert [e["changes"] for e in extractions if e["values_hidden"]] == [[]]
    assert "Blind effect B" not in mine.content.decode()
    assert "Own effect A" in mine.content.decode()
    assert "Blind effect B" in leads.content.decode()
