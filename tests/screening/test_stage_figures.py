"""The stage's progress figures: kept for a few seconds, then answered as they are while the
worker counts them again, and counted in the request when the worker has not kept up."""

import time

import pytest
from django.core.cache import cache

from screening import queries
from screening.models import ScreeningItem
from screening.services.screening import decision_record, stages_set_up
from tests.factories.screening import RecordFactory, SourceFactory


@pytest.fixture
def stage(topic_area, lead):
    source = SourceFactory(topic_area=topic_area)
    for number in range(4):
        RecordFactory(source=source, title=f"Caseworker meetings {number}")
    return stages_set_up(topic_area=topic_area, actor=lead, preset="two")[0]


def _age(stage, seconds):
    """Make the kept figures `seconds` old."""
    key = f"stage-figures:{stage.pk}"
    kept = cache.get(key)
    kept["counted_at"] = time.time() - seconds
    cache.set(key, kept)


def _decide_one(stage, reviewer):
    item = ScreeningItem.objects.filter(stage=stage).order_by("id").first()
    decision_record(item=item, reviewer=reviewer, value="exclude")


def test_fresh_figures_are_answered_without_counting(stage, django_assert_num_queries):
    counted = queries.stage_figures_count(stage)

    with django_assert_num_queries(0):
        figures = queries.stage_figures(stage)

    assert figures == counted == {"total": 4, "settled": 0, "conflicts": 0, "percent": 0}


def test_old_figures_are_answered_while_the_worker_counts_them_again(
    stage, reviewer, django_capture_on_commit_callbacks
):
    counted = queries.stage_figures_count(stage)
    _decide_one(stage, reviewer)
    _age(stage, queries.STAGE_PROGRESS_SECONDS + 1)

    with django_capture_on_commit_callbacks() as callbacks:
        first = queries.stage_figures(stage)
        second = queries.stage_figures(stage)  # asked already: nothing more is sent

    assert first == second == counted  # the request did not wait for a count
    assert len(callbacks) == 1
    callbacks[0]()  # the task sent on commit (eager here: the worker's count)
    assert queries.stage_figures(stage) == {
        "total": 4,
        "settled": 1,
        "conflicts": 0,
        "percent": 25,
    }


def test_figures_the_worker_has_not_counted_for_a_minute_are_counted_in_the_request(
    stage, reviewer, django_capture_on_commit_callbacks
):
    queries.stage_figures_count(stage)
    _decide_one(stage, reviewer)
    _age(stage, queries.STAGE_FIGURES_REFRESH_SECONDS + 1)

    with django_capture_on_commit_callbacks() as callbacks:
        figures = queries.stage_figures(stage)

    assert figures["settled"] == 1
    assert callbacks == []


def test_nothing_kept_is_counted_at_once(stage, reviewer, django_capture_on_commit_callbacks):
    _decide_one(stage, reviewer)

    with django_capture_on_commit_callbacks() as callbacks:
        figures = queries.stage_figures(stage)

    assert (figures["total"], figures["settled"]) == (4, 1)
    assert callbacks == []
