"""Verdicts after a broker outage: fresh within 10 s of the broker's return (issue 15).

The real test stops the test's own Redis under a real worker and beat, saves during the
outage, restarts Redis and times the verdict. The others check the parts on SQLite: a failed
send clears the request mark, and the recovery sweep takes exactly the verdicts no live
request covers.
"""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from grading.models import Verdict
from grading.services import studies as study_services
from grading.services import verdicts as verdict_services
from tests.factories.grading import StudyFactory
from tests.worker import using_broker, wait_for


def _result(study, actor, category):
    return study_services.result_save(
        study=study,
        actor=actor,
        category=category,
        intervention="Fewer job seekers per caseworker",
        effect="Shorter unemployment",
        direction="positive",
        risk_of_bias="low",
    )


def test_a_failed_send_clears_the_request_mark(
    topic_area, reviewer, category, django_capture_on_commit_callbacks
):
    from reviewapp.celery import app

    study = StudyFactory(topic_area=topic_area, label="A (2010)")
    # A broker nobody listens on: the send fails at once.
    with (
        using_broker(app, "redis://127.0.0.1:1/0"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _result(study, reviewer, category)
    verdict = Verdict.objects.get(category=category)
    assert verdict.stale_since is not None
    # Nothing is asked for: the recovery sweep must not wait REQUEST_TIMEOUT for it.
    assert verdict.recompute_requested_at is None
    assert verdict_services.verdicts_recover() == 1
    verdict.refresh_from_db()
    assert verdict.stale_since is None and verdict.computed_level == "indication"


def test_the_recovery_sweep_takes_only_verdicts_no_live_request_covers(topic_area, lead, category):
    others = [
        verdict_services.category_create(
            topic_area=topic_area, actor=lead, key=f"c{n}", title=f"Category {n}"
        )
        for n in range(3)
    ]
    now = timezone.now()
    live, lost, unasked = (Verdict.objects.get(category=c) for c in others)
    Verdict.objects.filter(pk=live.pk).update(stale_since=now, recompute_requested_at=now)
    Verdict.objects.filter(pk=lost.pk).update(
        stale_since=now, recompute_requested_at=now - timedelta(seconds=31)
    )
    Verdict.objects.filter(pk=unasked.pk).update(stale_since=now, recompute_requested_at=None)

    assert verdict_services.verdicts_recover() == 2
    stale = set(Verdict.objects.filter(stale_since__isnull=False).values_list("pk", flat=True))
    assert stale == {live.pk}
    # After a (re)connect the worker takes the live one too: it may have died with the broker.
    assert verdict_services.verdicts_recover(everything=True) == 1
    assert not Verdict.objects.filter(stale_since__isnull=False).exists()


def test_beat_runs_the_recovery_sweeps_every_few_seconds(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["verdicts-recover"]["task"] == "grading.tasks.verdicts_recover_task"
    assert schedule["verdicts-recover"]["schedule"] <= 5
    assert schedule["imports-sweep"]["task"] == "screening.tasks.imports_sweep_task"


@pytest.mark.worker
@pytest.mark.postgres
def test_a_verdict_saved_during_an_outage_is_fresh_within_10_s_of_the_brokers_return(
    own_celery, topic_area, reviewer, category
):
    study = StudyFactory(topic_area=topic_area, label="Before the outage (2010)")
    _result(study, reviewer, category)
    wait_for(lambda: Verdict.objects.get(category=category).stale_since is None, timeout=30)
    assert Verdict.objects.get(category=category).computed_level == "indication"

    own_celery.redis.stop()
    time.sleep(1)  # the worker sees the connection go
    # Two more high-quality results: the level moves up, so freshness is visible.
    for label in ("During the outage (2011)", "During the outage (2012)"):
        _result(StudyFactory(topic_area=topic_area, label=label), reviewer, category)
    during = Verdict.objects.get(category=category)
    assert during.stale_since is not None
    time.sleep(4)
    own_celery.redis.start()
    back = time.monotonic()

    def fresh():
        verdict = Verdict.objects.get(category=category)
        return verdict.stale_since is None and verdict.computed_at > during.stale_since

    try:
        wait_for(fresh, timeout=10, interval=0.1)
    except AssertionError:
        pytest.fail(f"verdict still stale 10 s after the broker's return\n{own_celery.logs()}")
    elapsed = time.monotonic() - back
    verdict = Verdict.objects.get(category=category)
    assert verdict.computed_level != "indication", verdict.trace
    print(f"fresh {elapsed:.1f} s after the broker's return")
