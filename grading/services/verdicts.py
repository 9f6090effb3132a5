"""The writes of categories and their verdicts, and the verdicts' recomputation.

Recomputation (DESIGN.md section 5): a save that changes a category's inputs marks its
verdict stale inside the save's transaction and, on commit, asks a Celery worker to
recompute it. Bursts coalesce: while a recompute is already asked for (and not older than
REQUEST_TIMEOUT, after which the broker is presumed to have lost it), later saves only keep
the stale mark. The recompute rebuilds from the result rows, skips the framework when its
inputs hash is unchanged, and clears the stale mark only if no save came in meanwhile.
If the broker is down the save still succeeds: the failed send clears the request mark, so
nothing takes a recompute as under way, and the verdict is taken up as soon as the broker is
back, without waiting for REQUEST_TIMEOUT: a worker that (re)connects sweeps every stale
verdict (`verdicts_recover(everything=True)`, from the bootstep in reviewapp/celery.py), and
beat asks every few seconds for the cheap sweep of stale verdicts with no live request
(`verdicts_recover`). `verdicts_sweep` (every minute) is the last backstop.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from celery import current_app
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.frameworks import ResultInput, get_framework
from grading.models import InterventionCategory, Verdict, VerdictEvent
from grading.queries.grade import grade_options
from grading.queries.verdicts import category_inputs
from grading.services.report import report_tables_rebuild, report_tables_request
from reviewapp.audit import audit_record, snapshot
from reviewapp.tasking import enqueue_on_commit
from reviewapp.versioning import check_version

# A worker picks a recompute up within a second or two; a request older than this is
# taken as lost (the broker was down) and the next save asks again.
REQUEST_TIMEOUT = timedelta(seconds=30)
# Coalescing a burst: the first save after a quiet spell is recomputed at once; a save
# within QUIET_SECONDS of the last recompute waits until the saves have been quiet for that
# long (at most MAX_WAIT_SECONDS after it asked), so twenty saves in a second cost two
# recomputes, while saves a second apart are each recomputed at once.
QUIET_SECONDS = 0.3
MAX_WAIT_SECONDS = 2.0


@transaction.atomic
def category_create(*, topic_area, actor, key: str, title: str, graded: bool = True):
    # The key stays taken while a deleted category with it is in the bin (full_clean's
    # unique check reads the default manager, which hides the bin).
    if InterventionCategory.all_objects.in_bin().filter(topic_area=topic_area, key=key).exists():
        raise ValidationError(
            {"key": _("A category with this key is in the bin: restore it or choose another key.")}
        )
    category = InterventionCategory(
        topic_area=topic_area,
        key=key,
        title=title,
        graded=graded,
        position=topic_area.categories.count() + 1,
    )
    category.full_clean()
    category.save()
    audit_record(
        actor=actor,
        project=topic_area.project,
        action="category.create",
        obj=category,
        after=snapshot(category, ["key", "title", "graded"]),
    )
    if graded:
        # No results yet: computing "no knowledge" here costs less than a round trip.
        verdict_recompute(category=category)
    return category


# What a lead may change after creating a category (the key names it in URLs and in the
# report settings' statements, so it stays); the API's serializer takes this list.
CATEGORY_UPDATE_FIELDS = ["title"]


@transaction.atomic
def category_update(*, category: InterventionCategory, actor, title: str) -> InterventionCategory:
    """Correct a category's title; audited, and the report tables (which show it) rebuilt."""
    locked = InterventionCategory.objects.select_for_update().get(pk=category.pk)
    before = snapshot(locked, CATEGORY_UPDATE_FIELDS)
    locked.title = title
    locked.full_clean()
    locked.save(update_fields=CATEGORY_UPDATE_FIELDS)
    audit_record(
        actor=actor,
        project=locked.topic_area.project,
        action="category.update",
        obj=locked,
        before=before,
        after=snapshot(locked, CATEGORY_UPDATE_FIELDS),
    )
    report_tables_request(topic_area=locked.topic_area)
    return locked


def verdicts_mark_stale(*, categories) -> None:
    """Mark the graded categories' verdicts stale and ask for a recompute on commit,
    unless one is already asked for (bursts of saves share it)."""
    now = timezone.now()
    for category in categories:
        if not category.graded:
            # No verdict to recompute, but its study table changes.
            report_tables_request(topic_area=category.topic_area)
            continue
        verdict, _created = Verdict.objects.select_for_update().get_or_create(category=category)
        verdict.stale_since = now
        request = verdict.recompute_requested_at is None or (
            now - verdict.recompute_requested_at > REQUEST_TIMEOUT
        )
        if request:
            verdict.recompute_requested_at = now
        verdict.save(update_fields=["stale_since", "recompute_requested_at"])
        if request:
            _enqueue(
                category.pk, countdown=recompute_countdown(verdict.computed_at, now), asked_at=now
            )


def recompute_countdown(computed_at, now) -> float:
    """Seconds a new recompute waits: none after a quiet spell, QUIET_SECONDS when the
    last recompute was moments ago (a burst is under way)."""
    recent = computed_at is not None and (now - computed_at).total_seconds() < QUIET_SECONDS
    return QUIET_SECONDS if recent else 0


def _enqueue(category_id: int, countdown: float = 0, *, asked_at) -> None:
    """Ask a worker to recompute; if the broker is down (logged by enqueue_on_commit), clear
    the request mark `asked_at` set, so the verdict counts as stale with nobody on it and the
    recovery sweeps take it at once instead of after REQUEST_TIMEOUT."""

    def forget_request():
        Verdict.objects.filter(category_id=category_id, recompute_requested_at=asked_at).update(
            recompute_requested_at=None
        )

    enqueue_on_commit(
        "grading.tasks.recompute_category_task",
        countdown=countdown,
        on_failure=forget_request,
        category_id=category_id,
    )


def verdict_recompute_when_quiet(*, category: InterventionCategory) -> Verdict | None:
    """The task's entry: recompute, unless saves are still coming in, in which case ask
    again once they have been quiet for QUIET_SECONDS (never beyond MAX_WAIT_SECONDS)."""
    verdict = Verdict.objects.filter(category=category).first()
    burst = (
        verdict is not None
        and verdict.stale_since is not None
        and verdict.recompute_requested_at is not None
        # A save after the one that asked: saves are still coming in.
        and verdict.stale_since > verdict.recompute_requested_at
    )
    if burst and not current_app.conf.task_always_eager:
        now = timezone.now()
        since_save = (now - verdict.stale_since).total_seconds()
        waited = (now - (verdict.recompute_requested_at or now)).total_seconds()
        if since_save < QUIET_SECONDS and waited < MAX_WAIT_SECONDS:
            _enqueue(
                category.pk,
                countdown=QUIET_SECONDS - since_save,
                asked_at=verdict.recompute_requested_at,
            )
            return None
    return verdict_recompute(category=category)


def framework_options(
    category: InterventionCategory, framework: str, inputs: list[ResultInput]
) -> dict:
    """What the framework needs beyond the results: GRADE, the lead's judgements."""
    if framework == "grade":
        return grade_options(category, inputs)
    return {}


def _inputs_hash(framework: str, inputs: list[ResultInput], options: dict | None = None) -> str:
    data = [framework, repr(sorted((options or {}).items()))] + [
        [
            str(i.id),
            i.direction,
            i.quality,
            i.design,
            i.is_review,
            i.peer_reviewed,
            i.country,
            i.quality_assessment,
            i.combination,
            i.target_share,
        ]
        for i in inputs
    ]
    return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()


def verdict_recompute(*, category: InterventionCategory) -> Verdict | None:
    """Rebuild the category's verdict from its result rows (idempotent).

    Reads the stale mark first and clears it only if it is unchanged at the end, so a save
    that arrives while this runs leaves the verdict stale and asks again.
    """
    if not category.graded:
        return None
    verdict, _created = Verdict.objects.get_or_create(category=category)
    seen_stale = verdict.stale_since
    framework_name = category.topic_area.project.evidence_framework
    inputs = category_inputs(category)
    options = framework_options(category, framework_name, inputs)
    digest = _inputs_hash(framework_name, inputs, options)
    with transaction.atomic():
        locked = Verdict.objects.select_for_update().get(pk=verdict.pk)
        if digest != locked.inputs_hash:
            result = get_framework(framework_name).evaluate(inputs, **options)
            changed = result.level_code != locked.computed_level
            locked.framework = framework_name
            locked.computed_level = result.level_code
            locked.computed_direction = result.direction.value if result.direction else ""
            locked.trace = result.to_dict()
            locked.inputs_hash = digest
            locked.computed_at = timezone.now()
            locked.save()
            if changed:
                VerdictEvent.objects.create(
                    verdict=locked, kind=VerdictEvent.Kind.COMPUTED, level=result.level_code
                )
        settled = locked.stale_since == seen_stale
        if settled:
            locked.stale_since = None
            locked.recompute_requested_at = None
            locked.save(update_fields=["stale_since", "recompute_requested_at"])
    if settled:
        # The report tables show the verdicts: rebuild them from the same rows.
        report_tables_rebuild(topic_area=category.topic_area)
        return locked
    # A save came in while this ran: its inputs were not all seen, so go again.
    asked_at = timezone.now()
    Verdict.objects.filter(pk=verdict.pk).update(recompute_requested_at=asked_at)
    _enqueue(category.pk, asked_at=asked_at)
    return locked


def verdicts_recover(*, everything: bool = False) -> int:
    """Recompute the stale verdicts no live request covers: none was asked for, its send
    failed (the broker was down), or it is older than REQUEST_TIMEOUT. Cheap when nothing
    is stale (one query over the verdicts, a row per graded category), so beat runs it
    every few seconds.

    `everything`: every stale verdict, asked for or not. A worker that has just
    (re)connected runs it: requests sent before the outage may have died with the broker."""
    stale = Verdict.objects.filter(stale_since__isnull=False)
    if not everything:
        stale = stale.filter(
            Q(recompute_requested_at__isnull=True)
            | Q(recompute_requested_at__lt=timezone.now() - REQUEST_TIMEOUT)
        )
    return _recompute_all(stale)


def verdicts_sweep(*, older_than: timedelta = REQUEST_TIMEOUT) -> int:
    """Recompute every verdict left stale (its recompute was lost, e.g. a broker outage)."""
    cutoff = timezone.now() - older_than
    return _recompute_all(Verdict.objects.filter(stale_since__lte=cutoff))


def _recompute_all(verdicts) -> int:
    categories = InterventionCategory.objects.filter(
        pk__in=verdicts.values("category_id")
    ).select_related("topic_area__project")
    count = 0
    for category in categories:
        verdict_recompute(category=category)
        count += 1
    return count


@transaction.atomic
def verdict_set_final(
    *, verdict: Verdict, actor, level: str, rationale: str, expected_version: int
) -> Verdict:
    """A lead's final level; one that differs from the computed level needs a rationale."""
    locked = (
        Verdict.objects.select_for_update()
        .select_related("category__topic_area__project")
        .get(pk=verdict.pk)
    )
    project = locked.category.topic_area.project
    if not actor.has_perm("grading.set_final_verdict", project):
        raise PermissionDenied
    check_version(locked, expected_version)
    levels = {lvl.code for lvl in get_framework(project.evidence_framework).levels}
    if level and level not in levels:
        raise ValidationError({"level": _("Not a level of this framework.")})
    if level and level != locked.computed_level and not rationale.strip():
        raise ValidationError(
            {"rationale": _("A level other than the computed one needs a rationale.")}
        )
    before = {"final_level": locked.final_level, "rationale": locked.rationale}
    locked.final_level = "" if level == locked.computed_level else level
    locked.rationale = rationale.strip()
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.version += 1
    locked.save()
    VerdictEvent.objects.create(
        verdict=locked,
        kind=VerdictEvent.Kind.FINAL,
        level=locked.level,
        rationale=locked.rationale,
        actor=actor,
    )
    audit_record(
        actor=actor,
        project=project,
        action="verdict.final",
        obj=locked.category,
        before=before,
        after={"final_level": locked.final_level, "rationale": locked.rationale},
    )
    report_tables_request(topic_area=locked.category.topic_area)
    return locked
