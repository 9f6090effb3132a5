"""Every write in grading: studies, results, categories, verdicts.

Recomputation (DESIGN.md section 5): a save that changes a category's inputs marks its
verdict stale inside the save's transaction and, on commit, asks a Celery worker to
recompute it. Bursts coalesce: while a recompute is already asked for (and not older than
REQUEST_TIMEOUT, after which the broker is presumed to have lost it), later saves only keep
the stale mark. The recompute rebuilds from the result rows, skips the framework when its
inputs hash is unchanged, and clears the stale mark only if no save came in meanwhile.
If the broker is down the save still succeeds; the stale mark stays until the periodic sweep
(`verdicts_sweep`) or the next save.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.frameworks import ResultInput, get_framework
from grading.models import InterventionCategory, Result, Study, Verdict, VerdictEvent
from grading.services_report import report_tables_rebuild, report_tables_request
from reviewapp.audit import audit_record, snapshot
from reviewapp.versioning import EditConflict, apply_fields, versioned_save

logger = logging.getLogger(__name__)

# A worker picks a recompute up within a second or two; a request older than this is
# taken as lost (the broker was down) and the next save asks again.
REQUEST_TIMEOUT = timedelta(seconds=30)
# Coalescing a burst: the first save after a quiet spell is recomputed at once; a save
# within QUIET_SECONDS of the last recompute waits until the saves have been quiet for that
# long (at most MAX_WAIT_SECONDS after it asked), so twenty saves in a second cost two
# recomputes, while saves a second apart are each recomputed at once.
QUIET_SECONDS = 0.3
MAX_WAIT_SECONDS = 2.0

STUDY_FIELDS = [
    "label",
    "authors",
    "year",
    "title",
    "country",
    "peer_reviewed",
    "publication_type",
    "design",
    "sample_size",
    "data_period",
    "notes",
]
RESULT_FIELDS = [
    "category",
    "intervention",
    "target_group",
    "participants",
    "effect",
    "direction",
    "effect_size",
    "ci_low",
    "ci_high",
    "effect_unit",
    "risk_of_bias",
    "risk_of_bias_justification",
    "transferability",
    "transferability_justification",
    "quality_override",
    "quality_reason",
    # The weighted framework's per-result factors (grading.frameworks.danish_weighted).
    "quality_assessment",
    "combination",
    "target_share",
    "extra",
]


@transaction.atomic
def category_create(*, topic_area, actor, key: str, title: str, graded: bool = True):
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


@transaction.atomic
def study_create(*, topic_area, actor, records=(), **fields) -> Study:
    study = Study(topic_area=topic_area)
    apply_fields(study, fields, STUDY_FIELDS)
    study.full_clean()
    study.save()
    if records:
        study.records.set(records)
    audit_record(
        actor=actor,
        project=topic_area.project,
        action="study.create",
        obj=study,
        after=snapshot(study, STUDY_FIELDS),
    )
    report_tables_request(topic_area=topic_area)
    return study


@transaction.atomic
def study_update(*, study: Study, actor, expected_version: int, **fields) -> Study:
    locked, _before = versioned_save(
        instance=study,
        actor=actor,
        project=study.topic_area.project,
        action="study.update",
        expected_version=expected_version,
        fields=fields,
        allowed=STUDY_FIELDS,
    )
    # Design, country and the peer-review flag feed the frameworks.
    verdicts_mark_stale(
        categories=InterventionCategory.objects.filter(results__study=locked).distinct()
    )
    report_tables_request(topic_area=locked.topic_area)
    return locked


@transaction.atomic
def result_save(
    *,
    study: Study,
    actor,
    result: Result | None = None,
    expected_version: int | None = None,
    **fields,
) -> Result:
    """Create a result (result=None) or update one; either way the verdicts of the
    categories it was and is in are marked stale and recomputed after commit."""
    if result is None:
        locked = Result(study=study)
        before = None
        old_category_id = None
    else:
        locked = Result.objects.select_for_update().get(pk=result.pk, study=study)
        if expected_version is not None and locked.version != expected_version:
            raise EditConflict(locked)
        before = snapshot(locked, RESULT_FIELDS)
        old_category_id = locked.category_id
        locked.version += 1
    if "extra" in fields:
        # Values of fields not on the form (switched off since) are kept, never dropped.
        fields = {**fields, "extra": {**locked.extra, **fields["extra"]}}
    apply_fields(locked, fields, RESULT_FIELDS)
    if locked.category.topic_area_id != study.topic_area_id:
        raise ValidationError({"category": _("The category belongs to another topic area.")})
    overridden = locked.quality_override and locked.quality_override != locked.default_quality
    if overridden and not locked.quality_reason.strip():
        raise ValidationError(
            {"quality_reason": _("A quality other than the default needs a reason.")}
        )
    locked.full_clean()
    locked.save()
    audit_record(
        actor=actor,
        project=study.topic_area.project,
        action="result.create" if before is None else "result.update",
        obj=locked,
        before=before,
        after=snapshot(locked, RESULT_FIELDS),
    )
    touched = {locked.category_id, old_category_id} - {None}
    verdicts_mark_stale(categories=InterventionCategory.objects.filter(pk__in=touched))
    return locked


EXTRACTION_FIELD_FIELDS = ["key", "label", "kind", "choices", "help_text", "required", "active"]


@transaction.atomic
def extraction_field_create(*, project, actor, **fields):
    from grading.models import ExtractionField

    field = ExtractionField(project=project, position=project.extraction_fields.count() + 1)
    apply_fields(field, fields, EXTRACTION_FIELD_FIELDS)
    if field.kind in (ExtractionField.Kind.CHOICE, ExtractionField.Kind.MULTIPLE_CHOICE):
        if not field.choices:
            raise ValidationError({"choices": _("A choice field needs its choices.")})
    else:
        field.choices = []
    field.full_clean()
    field.save()
    audit_record(
        actor=actor,
        project=project,
        action="extraction_field.create",
        obj=field,
        after=snapshot(field, EXTRACTION_FIELD_FIELDS),
    )
    return field


@transaction.atomic
def extraction_field_set_active(*, field, actor, active: bool):
    """Switch a field on or off; its values stay on the results either way."""
    before = {"active": field.active}
    field.active = active
    field.save(update_fields=["active"])
    audit_record(
        actor=actor,
        project=field.project,
        action="extraction_field.update",
        obj=field,
        before=before,
        after={"active": active},
    )
    return field


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
            _enqueue(category.pk, countdown=recompute_countdown(verdict.computed_at, now))


def recompute_countdown(computed_at, now) -> float:
    """Seconds a new recompute waits: none after a quiet spell, QUIET_SECONDS when the
    last recompute was moments ago (a burst is under way)."""
    recent = computed_at is not None and (now - computed_at).total_seconds() < QUIET_SECONDS
    return QUIET_SECONDS if recent else 0


def _enqueue(category_id: int, countdown: float = 0) -> None:
    from grading.tasks import recompute_category_task

    def send():
        try:
            recompute_category_task.apply_async(
                kwargs={"category_id": category_id}, countdown=countdown
            )
        except Exception:  # broker down: the stale mark stays for the sweep
            logger.warning("could not enqueue the recompute of category %s", category_id)

    transaction.on_commit(send, robust=True)


def verdict_recompute_when_quiet(*, category: InterventionCategory) -> Verdict | None:
    """The task's entry: recompute, unless saves are still coming in, in which case ask
    again once they have been quiet for QUIET_SECONDS (never beyond MAX_WAIT_SECONDS)."""
    from reviewapp.celery import app

    verdict = Verdict.objects.filter(category=category).first()
    burst = (
        verdict is not None
        and verdict.stale_since is not None
        and verdict.recompute_requested_at is not None
        # A save after the one that asked: saves are still coming in.
        and verdict.stale_since > verdict.recompute_requested_at
    )
    if burst and not app.conf.task_always_eager:
        now = timezone.now()
        since_save = (now - verdict.stale_since).total_seconds()
        waited = (now - (verdict.recompute_requested_at or now)).total_seconds()
        if since_save < QUIET_SECONDS and waited < MAX_WAIT_SECONDS:
            _enqueue(category.pk, countdown=QUIET_SECONDS - since_save)
            return None
    return verdict_recompute(category=category)


def category_inputs(category: InterventionCategory) -> list[ResultInput]:
    """The framework's input: the category's results with their study's facts. With dual
    extraction on, only results with a consensus count, with the agreed direction and quality
    (whatever was saved on the result since)."""
    from grading.services_consensus import agreed_values, dual_extraction_on

    results = category.results.select_related("study").order_by("study__year", "study_id", "id")
    dual = dual_extraction_on(category.topic_area.project_id)
    if dual:
        results = results.filter(consensus__isnull=False).select_related("consensus")
    return [
        ResultInput(
            id=result.pk,
            label=result.study.label,
            direction=agreed_values(result)["direction"] if dual else result.direction,
            quality=agreed_values(result)["quality"] if dual else result.quality,
            design=result.study.design,
            is_review=result.study.design == "review",
            peer_reviewed=result.study.peer_reviewed,
            country=result.study.country,
            quality_assessment=result.quality_assessment or None,
            combination=result.combination,
            target_share=result.target_share,
        )
        for result in results
    ]


def framework_options(
    category: InterventionCategory, framework: str, inputs: list[ResultInput]
) -> dict:
    """What the framework needs beyond the results: GRADE, the lead's judgements."""
    if framework == "grade":
        from grading.services_grade import grade_options

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
    Verdict.objects.filter(pk=verdict.pk).update(recompute_requested_at=timezone.now())
    _enqueue(category.pk)
    return locked


def verdicts_sweep(*, older_than: timedelta = REQUEST_TIMEOUT) -> int:
    """Recompute every verdict left stale (its recompute was lost, e.g. a broker outage)."""
    cutoff = timezone.now() - older_than
    stale = InterventionCategory.objects.filter(
        verdict__stale_since__isnull=False, verdict__stale_since__lte=cutoff
    ).select_related("topic_area__project")
    count = 0
    for category in stale:
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
    if locked.version != expected_version:
        raise EditConflict(locked)
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
