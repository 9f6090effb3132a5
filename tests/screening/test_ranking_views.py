"""The prioritisation pages: the stage dashboard, the lead's order switch, stopping rule and
stop, the relevance band on the screening page."""

import pytest
from django.urls import reverse

from reviewapp.models import AuditEntry, Project
from screening.models import Ranking, ScreeningItem, Stage


@pytest.fixture
def stage(prioritisation_stage):
    return prioritisation_stage


def _url(name, stage, **extra):
    topic_area = stage.topic_area
    kwargs = {"slug": topic_area.project.slug, "topic_key": topic_area.key, "stage_id": stage.pk}
    return reverse(name, kwargs=kwargs | extra)


def _decide(client, stage, title_part, value):
    item = ScreeningItem.objects.get(stage=stage, record__title__contains=title_part)
    response = client.post(_url("screening_decide", stage, item_id=item.pk), {"value": value})
    assert response.status_code == 200


def test_dashboard_shows_found_estimate_and_advice(client, stage, reviewer, lead):
    client.force_login(reviewer)
    _decide(client, stage, "job finding 00", "include")
    for n in range(3):
        _decide(client, stage, f"sandy soil {n:02d}", "exclude")

    response = client.get(_url("stage_prioritisation", stage))

    page = response.content.decode()
    assert "1 relevant among 4 records screened; 16 not screened yet." in page
    assert "About 4.0 (95 % interval" in page
    assert "1 of the latest 4 records screened were relevant" in page
    # A new stage's rule is the knee method at 15: the knee at the first record (pace 1),
    # after it 2 supposed finds in 3 records.
    assert "Pace of finds up to the knee of the curve over their pace since: 1.5" in page
    assert "The rule says: go on screening" in page
    # The simulated figures of every rule, the stage's own marked.
    assert page.count('data-testid="evidence-row"') == 8
    current = page.split('aria-current="true"')[1].split("</tr>")[0]
    assert "finds slowed to 1/15 of their pace before the knee" in current
    assert "50/50" in current and "51.4 %" in current
    assert "6/50" in page and "0/10 on the worst set" in page
    assert "<svg" in page and "Records screened" in page
    assert "Random order" in page
    assert 'data-testid="order-form"' not in page  # a reviewer cannot switch


def test_lead_switches_to_prioritised_order_and_a_ranking_is_made(
    client, stage, reviewer, lead, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    _decide(client, stage, "job finding 00", "include")
    _decide(client, stage, "sandy soil 00", "exclude")
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("stage_order", stage), {"queue_order": "prioritised"})

    assert response.status_code == 302
    assert Stage.objects.get(pk=stage.pk).queue_order == "prioritised"
    assert Ranking.objects.get(stage=stage).status == "done"
    page = client.get(_url("stage_prioritisation", stage)).content.decode()
    assert "Ranking in use: learned from 2 records (1 included)" in page
    screen = client.get(_url("screen", stage)).content.decode()
    assert 'data-testid="relevance-band"' in screen
    # The five other caseworker records tie under the model (they differ only in a number it
    # never saw); the look-ahead orders them, so the first handed out has the top rank.
    assert "Relevance: high" in screen
    assert "Caseworker meetings and job finding" in screen


def test_lead_stops_and_resumes_with_the_rule_named(client, stage, lead, reviewer):
    # The rule is named in the project's language, as its stage names are.
    Project.objects.filter(pk=stage.topic_area.project_id).update(language="en")
    client.force_login(lead)
    client.post(
        _url("stage_stopping", stage),
        {"stopping_rule": "estimate", "stopping_threshold": "2"},
    )

    client.post(_url("stage_stop", stage), {"action": "stop"})

    page = client.get(_url("stage_prioritisation", stage)).content.decode()
    assert "fewer than 2 relevant records estimated left" in page
    assert 'data-testid="stopped"' in page
    overview_url = reverse(
        "screening_overview",
        kwargs={"slug": stage.topic_area.project.slug, "topic_key": stage.topic_area.key},
    )
    # Nobody waits on the records a stop left: they are excluded by the rule.
    overview = client.get(overview_url).content.decode()
    assert "20 excluded by the stopping rule" in overview
    client.force_login(reviewer)
    assert 'data-testid="queue-empty"' in client.get(_url("screen", stage)).content.decode()
    flow = client.get(
        reverse(
            "flow_svg",
            kwargs={"slug": stage.topic_area.project.slug, "topic_key": stage.topic_area.key},
        )
    ).content.decode()
    # The diagram wraps its lines: the rule's name runs over two of them.
    assert "by the stopping rule (fewer than</text>" in flow
    assert "left) (n = 20)</text>" in flow
    client.force_login(lead)
    client.post(_url("stage_stop", stage), {"action": "resume"})
    assert Stage.objects.get(pk=stage.pk).stopped_at is None
    actions = AuditEntry.objects.filter(action__startswith="stage.").order_by("pk")
    assert list(actions.values_list("action", flat=True)) == [
        "stage.stopping_rule",
        "stage.stop",
        "stage.resume",
    ]


def test_bad_threshold_is_refused_with_a_message(client, stage, lead):
    client.force_login(lead)

    response = client.post(
        _url("stage_stopping", stage),
        {"stopping_rule": "recall_test", "stopping_threshold": "95"},
        follow=True,
    )

    assert "A recall target is a share between 0 and 1" in response.content.decode()
    assert Stage.objects.get(pk=stage.pk).stopping_rule == "knee"  # unchanged: the default


def test_random_order_screen_page_shows_no_band(client, stage, reviewer):
    client.force_login(reviewer)

    page = client.get(_url("screen", stage)).content.decode()

    assert 'data-testid="relevance-band"' not in page


def test_prioritised_round_trip_adds_at_most_one_query(
    client, stage, reviewer, lead, django_assert_max_num_queries
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from screening.models import Claim
    from screening.services import ranking as ranking_services

    client.force_login(reviewer)
    _decide(client, stage, "job finding 00", "include")
    _decide(client, stage, "sandy soil 00", "exclude")

    def decide_the_record_handed_out():
        # As a reviewer works: the record the queue handed them (their claim). Deciding
        # another one takes other branches (releasing a claim), by the random order's
        # chance, which made the two counts differ by more than the ranking's one query.
        item_id = Claim.objects.get(stage=stage, reviewer=reviewer).item_id
        response = client.post(
            _url("screening_decide", stage, item_id=item_id), {"value": "exclude"}
        )
        assert response.status_code == 200

    # The stage's figures are cached for seconds: clear them before each measured round
    # trip, so that both recount them.
    cache.clear()
    with CaptureQueriesContext(connection) as random_queries:
        decide_the_record_handed_out()
    ranking_services.stage_order_set(stage=stage, actor=lead, order="prioritised")

    cache.clear()
    with django_assert_max_num_queries(len(random_queries) + 1):
        decide_the_record_handed_out()
