"""Grading services: studies, results, verdict recomputation on commit, final levels."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grading.models import Result, Verdict, VerdictEvent
from grading.services import studies as study_services
from grading.services import verdicts as verdict_services
from reviewapp.models import AuditEntry
from reviewapp.versioning import EditConflict
from tests.factories.grading import StudyFactory


def _result(study, actor, category, **fields):
    values = {
        "category": category,
        "intervention": "Fewer job seekers per caseworker",
        "effect": "Shorter unemployment",
        "direction": "positive",
        "risk_of_bias": "low",
        **fields,
    }
    return study_services.result_save(study=study, actor=actor, **values)


def test_saving_a_result_enqueues_one_recompute_on_commit_and_it_grades(
    topic_area, lead, reviewer, category, django_capture_on_commit_callbacks
):
    study = StudyFactory(topic_area=topic_area, label="Hainmueller et al. (2016)")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _result(study, reviewer, category)
    assert len(callbacks) == 1

    verdict = Verdict.objects.get(category=category)
    assert verdict.computed_level == "indication"  # one high-quality result
    assert verdict.stale_since is None
    assert verdict.trace["rule"]["code"]
    assert AuditEntry.objects.filter(action="result.create").count() == 1


def test_a_burst_of_saves_asks_for_one_recompute(
    topic_area, lead, reviewer, category, django_capture_on_commit_callbacks
):
    study = StudyFactory(topic_area=topic_area, label="Koning (2009)")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for _ in range(20):
            _result(study, reviewer, category)
    assert len(callbacks) == 1
    assert Verdict.objects.get(category=category).stale_since is not None


def test_a_rolled_back_save_enqueues_nothing(
    topic_area, lead, reviewer, category, django_capture_on_commit_callbacks
):
    from django.db import transaction

    study = StudyFactory(topic_area=topic_area, label="Koning (2009)")
    Verdict.objects.filter(category=category).update(recompute_requested_at=None)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _result(study, reviewer, category)
        raise RuntimeError("the request failed later")
    assert callbacks == []
    assert not Result.objects.exists()


def test_recompute_is_idempotent_and_skips_unchanged_inputs(
    topic_area, lead, reviewer, category, django_capture_on_commit_callbacks
):
    study = StudyFactory(topic_area=topic_area, label="Hainmueller et al. (2016)")
    with django_capture_on_commit_callbacks(execute=True):
        _result(study, reviewer, category)
    first = Verdict.objects.get(category=category)

    again = verdict_services.verdict_recompute(category=category)

    assert (again.computed_level, again.inputs_hash, again.computed_at) == (
        first.computed_level,
        first.inputs_hash,
        first.computed_at,
    )
    # "No knowledge" when the category was made, then the indication: nothing new now.
    assert list(VerdictEvent.objects.values_list("level", flat=True)) == [
        "indication",
        "no_knowledge",
    ]


def test_the_verdict_follows_the_evidence(
    topic_area, lead, reviewer, category, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for label in ("A (2010)", "B (2012)"):
            _result(StudyFactory(topic_area=topic_area, label=label), reviewer, category)
    assert Verdict.objects.get(category=category).computed_level == "moderate"

    with django_capture_on_commit_callbacks(execute=True):
        _result(StudyFactory(topic_area=topic_area, label="C (2014)"), reviewer, category)
    assert Verdict.objects.get(category=category).computed_level == "strong"

    with django_capture_on_commit_callbacks(execute=True):
        for label in ("D (2015)", "E (2016)", "F (2017)"):
            _result(
                StudyFactory(topic_area=topic_area, label=label),
                reviewer,
                category,
                direction="negative",
            )
    assert Verdict.objects.get(category=category).computed_level == "conflicting"


def test_a_quality_other_than_the_default_needs_a_reason(topic_area, lead, reviewer, category):
    study = StudyFactory(topic_area=topic_area, label="Cheung et al. (2017)")
    with pytest.raises(ValidationError, match="needs a reason"):
        _result(study, reviewer, category, risk_of_bias="moderate", quality_override="high")
    result = _result(
        study,
        reviewer,
        category,
        risk_of_bias="moderate",
        quality_override="high",
        quality_reason="A randomised experiment of high overall quality.",
    )
    assert result.quality == "high" and result.default_quality == "limited"


def test_concurrent_result_edits_do_not_overwrite_each_other(topic_area, lead, reviewer, category):
    result = _result(StudyFactory(topic_area=topic_area, label="A (2010)"), reviewer, category)
    study_services.result_save(
        study=result.study, actor=reviewer, result=result, expected_version=1, effect="Longer"
    )
    with pytest.raises(EditConflict):
        study_services.result_save(
            study=result.study, actor=lead, result=result, expected_version=1, effect="Lost?"
        )
    result.refresh_from_db()
    assert result.effect == "Longer"


def test_final_level_needs_a_rationale_and_a_lead_and_keeps_history(
    topic_area, lead, reviewer, category, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for label in ("A (2010)", "B (2012)", "C (2014)"):
            _result(StudyFactory(topic_area=topic_area, label=label), reviewer, category)
    verdict = Verdict.objects.get(category=category)
    assert verdict.computed_level == "strong"

    with pytest.raises(PermissionDenied):
        verdict_services.verdict_set_final(
            verdict=verdict, actor=reviewer, level="moderate", rationale="x", expected_version=1
        )
    with pytest.raises(ValidationError, match="needs a rationale"):
        verdict_services.verdict_set_final(
            verdict=verdict, actor=lead, level="moderate", rationale="", expected_version=1
        )
    verdict = verdict_services.verdict_set_final(
        verdict=verdict,
        actor=lead,
        level="moderate",
        rationale="Only two studies are of high quality and the interventions differ.",
        expected_version=1,
    )
    assert (verdict.level, verdict.computed_level, verdict.decided_by) == (
        "moderate",
        "strong",
        lead,
    )
    assert [(event.kind, event.level) for event in verdict.events.all()] == [
        ("final", "moderate"),
        ("computed", "strong"),  # three saves in one transaction: one recompute
        ("computed", "no_knowledge"),
    ]
    with pytest.raises(EditConflict):
        verdict_services.verdict_set_final(
            verdict=verdict, actor=lead, level="strong", rationale="", expected_version=1
        )


def test_broker_down_keeps_the_save_and_the_sweep_catches_up(
    topic_area, lead, reviewer, category, django_capture_on_commit_callbacks, settings
):
    from reviewapp.celery import app

    study = StudyFactory(topic_area=topic_area, label="A (2010)")
    # A broker nobody listens on: publishing fails at once (no retries in the request path).
    app.conf.task_always_eager = False
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = _result(study, reviewer, category)
    finally:
        app.conf.broker_url = original
        app.conf.task_always_eager = True
    assert Result.objects.filter(pk=result.pk).exists()
    verdict = Verdict.objects.get(category=category)
    assert verdict.stale_since is not None and verdict.computed_level == "no_knowledge"

    from datetime import timedelta

    assert verdict_services.verdicts_sweep(older_than=timedelta(0)) == 1
    verdict.refresh_from_db()
    assert verdict.stale_since is None and verdict.computed_level == "indication"


def test_ungraded_categories_get_no_verdict(topic_area, lead, reviewer):
    other = verdict_services.category_create(
        topic_area=topic_area, actor=lead, key="other", title="Other studies", graded=False
    )
    _result(StudyFactory(topic_area=topic_area, label="A (2010)"), reviewer, other)
    assert not Verdict.objects.filter(category=other).exists()


def test_a_recompute_waits_while_saves_keep_coming_then_runs(
    topic_area, lead, reviewer, category, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from reviewapp.celery import app

    study = StudyFactory(topic_area=topic_area, label="A (2010)")
    with django_capture_on_commit_callbacks(execute=False):
        _result(study, reviewer, category)
    now = timezone.now()
    app.conf.task_always_eager = False  # as on a worker: deferring is possible
    try:
        # The save that asked is alone: recompute at once, nothing to wait for.
        asked = now - timedelta(seconds=0.05)
        Verdict.objects.filter(category=category).update(
            stale_since=asked, recompute_requested_at=asked, inputs_hash=""
        )
        verdict = verdict_services.verdict_recompute_when_quiet(category=category)
        assert verdict is not None and verdict.stale_since is None

        # More saves came after the one that asked: wait until they are quiet.
        Verdict.objects.filter(category=category).update(
            stale_since=now, recompute_requested_at=asked, computed_level="no_knowledge",
            inputs_hash="",
        )  # fmt: skip
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert verdict_services.verdict_recompute_when_quiet(category=category) is None
        assert len(callbacks) == 1  # asked again, for when the saves are quiet
        assert Verdict.objects.get(category=category).computed_level == "no_knowledge"

        quiet = now - timedelta(seconds=verdict_services.QUIET_SECONDS + 0.1)
        Verdict.objects.filter(category=category).update(
            stale_since=quiet, recompute_requested_at=quiet - timedelta(seconds=0.1)
        )
        verdict = verdict_services.verdict_recompute_when_quiet(category=category)
        assert verdict.computed_level == "indication" and verdict.stale_since is None

        # A stream of saves that never pauses still gets its recompute after MAX_WAIT.
        study_services.result_save(
            study=study, actor=reviewer, category=category, intervention="x", effect="y",
            direction="positive", risk_of_bias="low",
        )  # fmt: skip
        long_ago = now - timedelta(seconds=verdict_services.MAX_WAIT_SECONDS + 1)
        Verdict.objects.filter(category=category).update(
            stale_since=timezone.now(), recompute_requested_at=long_ago
        )
        verdict = verdict_services.verdict_recompute_when_quiet(category=category)
        assert verdict is not None and verdict.computed_level == "moderate"
    finally:
        app.conf.task_always_eager = True


def test_the_first_save_after_a_quiet_spell_is_recomputed_at_once():
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert verdict_services.recompute_countdown(None, now) == 0
    assert verdict_services.recompute_countdown(now - timedelta(seconds=5), now) == 0
    assert verdict_services.recompute_countdown(now - timedelta(seconds=0.1), now) == (
        verdict_services.QUIET_SECONDS
    )


def test_choosing_another_framework_grades_every_verdict_again(
    topic_area, lead, reviewer, category, django_capture_on_commit_callbacks
):
    from reviewapp.services import project_update

    with django_capture_on_commit_callbacks(execute=True):
        _result(StudyFactory(topic_area=topic_area, label="A (2010)"), reviewer, category)
    assert Verdict.objects.get(category=category).computed_level == "indication"

    project = topic_area.project
    with django_capture_on_commit_callbacks(execute=True):
        project_update(
            project=project,
            actor=lead,
            expected_version=project.version,
            evidence_framework="grade",
        )

    verdict = Verdict.objects.get(category=category)
    assert (verdict.framework, verdict.computed_level) == ("grade", "high")
