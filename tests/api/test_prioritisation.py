"""A stage's prioritisation through the API: the page's figures, services and permission."""

import pytest

from reviewapp.models import AuditEntry
from screening.models import Ranking, ScreeningItem, Stage
from screening.services.screening import decision_record
from tests.api.conftest import SECRETS, topic_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def stage(prioritisation_stage):
    return prioritisation_stage


def _url(stage, rest=""):
    return topic_url(stage.topic_area, f"stages/{stage.pk}/prioritisation/{rest}")


def _decide(stage, reviewer, title_part, value):
    item = ScreeningItem.objects.get(stage=stage, record__title__contains=title_part)
    decision_record(item=item, reviewer=reviewer, value=value)


def test_prioritisation_shows_the_pages_figures_and_advice(api, stage, reviewer):
    _decide(stage, reviewer, "job finding 00", "include")
    for n in range(3):
        _decide(stage, reviewer, f"sandy soil {n:02d}", "exclude")

    response = api["reviewer"].get(_url(stage), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200, response.content
    body = response.json()
    # As the page: 1 relevant among 4 screened, 16 left, about 4.0 of them relevant; the
    # knee method at 15 says go on (pace 1.5, see tests/screening/test_ranking_views.py).
    assert body == {
        "queue_order": "random",
        "stopping_rule": "knee",
        "stopping_threshold": 15.0,
        "stopping_rule_label": body["stopping_rule_label"],
        "stopped_at": None,
        "stopped_by": None,
        "screened": 4,
        "found": 1,
        "unscreened": 16,
        "estimate": {
            "remaining": 4.0,
            "low": body["estimate"]["low"],
            "high": body["estimate"]["high"],
            "window": 4,
            "recent_relevant": 1,
        },
        "advice": {"rule": "knee", "stop": False, "value": 1.5, "threshold": 15.0},
        "ranking": None,
        "last_run": None,
    }
    assert "1/15" in body["stopping_rule_label"]
    assert body["estimate"]["low"] < 4.0 < body["estimate"]["high"]


def test_lead_patches_order_and_rule_and_a_ranking_is_made(
    api, stage, reviewer, django_capture_on_commit_callbacks
):
    _decide(stage, reviewer, "job finding 00", "include")
    _decide(stage, reviewer, "sandy soil 00", "exclude")

    with django_capture_on_commit_callbacks(execute=True):
        response = api["lead"].patch(
            _url(stage),
            {"queue_order": "prioritised", "stopping_rule": "estimate", "stopping_threshold": 2},
        )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["queue_order"], body["stopping_rule"], body["stopping_threshold"]) == (
        "prioritised",
        "estimate",
        2.0,
    )
    # The ranking is made on commit, after the answer: the next read shows it.
    assert body["ranking"] is None
    body = api["lead"].get(_url(stage)).json()
    assert body["ranking"]["status"] == "done"
    assert (body["ranking"]["labels"], body["ranking"]["included"]) == (2, 1)
    assert body["last_run"]["status"] == "done"
    assert Ranking.objects.get(stage=stage).status == "done"
    assert list(
        AuditEntry.objects.filter(action__startswith="stage.")
        .exclude(action="stages.set_up")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["stage.stopping_rule", "stage.order"]


def test_bad_threshold_is_400_and_changes_nothing(api, stage):
    response = api["lead"].patch(
        _url(stage),
        {"queue_order": "prioritised", "stopping_rule": "recall_test", "stopping_threshold": 95},
    )
    assert response.status_code == 400
    assert "stopping_threshold" in response.json()["field_errors"]
    stage.refresh_from_db()
    assert (stage.queue_order, stage.stopping_rule) == ("random", "knee")


def test_lead_stops_and_resumes(api, stage, reviewer):
    _decide(stage, reviewer, "job finding 00", "include")

    stopped = api["lead"].post(_url(stage, "stop/"))

    assert stopped.status_code == 200, stopped.content
    assert stopped.json()["stopped_by"] == "lead"
    assert stopped.json()["stopped_at"]
    entry = AuditEntry.objects.get(action="stage.stop")
    assert entry.after["unscreened"] == 19
    assert entry.after["advice"]["stop"] is False
    assert api["lead"].post(_url(stage, "stop/")).status_code == 400  # already stopped
    # While stopped, the rule the flow names stays.
    refused = api["lead"].patch(_url(stage), {"stopping_rule": "estimate"})
    assert refused.status_code == 400

    resumed = api["lead"].post(_url(stage, "resume/"))

    assert resumed.status_code == 200, resumed.content
    assert resumed.json()["stopped_at"] is None
    assert Stage.objects.get(pk=stage.pk).stopped_at is None
    assert api["lead"].post(_url(stage, "resume/")).status_code == 400


@pytest.mark.parametrize("role", ["reviewer", "peer_reviewer"])
def test_a_non_lead_may_read_but_not_change(api, stage, role):
    assert api[role].get(_url(stage)).status_code == 200
    for response in (
        api[role].patch(_url(stage), {"queue_order": "prioritised"}),
        api[role].post(_url(stage, "stop/")),
        api[role].post(_url(stage, "resume/")),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    stage.refresh_from_db()
    assert (stage.queue_order, stage.stopped_at) == ("random", None)


def test_a_non_member_gets_404(api, stage):
    for response in (
        api["outsider"].get(_url(stage)),
        api["outsider"].patch(_url(stage), {"queue_order": "prioritised"}),
        api["outsider"].post(_url(stage, "stop/")),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        for secret in SECRETS:
            assert secret not in response.content.decode()
    assert Stage.objects.get(pk=stage.pk).stopped_at is None
