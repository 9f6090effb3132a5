"""The writes of extraction: studies, their results, and the project's extraction form;
putting studies, results and categories in the bin and taking them out.

A save that changes a category's inputs marks its verdict stale (grading.services.verdicts),
which recomputes it after commit; the report tables are asked to rebuild.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grading.models import ExtractionField, InterventionCategory, Result, Study, Verdict
from grading.services.report import report_tables_request
from grading.services.verdicts import verdicts_mark_stale
from reviewapp.audit import audit_binned, audit_record, snapshot
from reviewapp.softdelete import mark_deleted, mark_restored
from reviewapp.versioning import apply_fields, check_version, versioned_save

# What a study, a result and an extraction field hold: the one list per model that the
# services accept and the forms and the API's serializers are built from.
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
        check_version(locked, expected_version)
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


def _binned_changed(*, topic_area, actor, action: str, obj, categories) -> None:
    """After a study or result went to the bin or came back: audited, the verdicts of the
    categories it counted in recomputed, the report tables rebuilt."""
    audit_binned(actor=actor, project=topic_area.project, action=action, obj=obj)
    verdicts_mark_stale(categories=InterventionCategory.objects.filter(pk__in=categories))
    report_tables_request(topic_area=topic_area)


@transaction.atomic
def study_delete(*, study: Study, actor) -> Study:
    """Put a study in the bin with its results (marked at the same moment)."""
    locked = Study.all_objects.select_for_update().select_related("topic_area__project")
    locked = locked.get(pk=study.pk)
    if locked.in_bin:
        return locked
    results = Result.objects.filter(study=locked)
    categories = set(results.values_list("category_id", flat=True))
    mark_deleted(locked, by=actor)
    results.update(deleted_at=locked.deleted_at, deleted_by=locked.deleted_by)
    _binned_changed(
        topic_area=locked.topic_area,
        actor=actor,
        action="study.delete",
        obj=locked,
        categories=categories,
    )
    return locked


@transaction.atomic
def study_restore(*, study: Study, actor) -> Study:
    """Take a study out of the bin with the results that went in with it."""
    locked = Study.all_objects.select_for_update().select_related("topic_area__project")
    locked = locked.get(pk=study.pk)
    if not locked.in_bin:
        return locked
    results = Result.all_objects.filter(study=locked, deleted_at=locked.deleted_at)
    categories = set(results.values_list("category_id", flat=True))
    mark_restored(locked)
    _results_restore(results)
    _binned_changed(
        topic_area=locked.topic_area,
        actor=actor,
        action="study.restore",
        obj=locked,
        categories=categories,
    )
    return locked


@transaction.atomic
def result_delete(*, result: Result, actor) -> Result:
    locked = Result.all_objects.select_for_update().select_related("study__topic_area__project")
    locked = locked.get(pk=result.pk)
    if locked.in_bin:
        return locked
    mark_deleted(locked, by=actor)
    _binned_changed(
        topic_area=locked.study.topic_area,
        actor=actor,
        action="result.delete",
        obj=locked,
        categories={locked.category_id},
    )
    return locked


@transaction.atomic
def result_restore(*, result: Result, actor) -> Result:
    """Take a result out of the bin; one whose study is in the bin comes back with it."""
    locked = Result.all_objects.select_for_update().select_related("study__topic_area__project")
    locked = locked.get(pk=result.pk)
    if not locked.in_bin:
        return locked
    if locked.study.in_bin:
        raise ValidationError(_("The result's study is in the bin: restore the study."))
    if locked.category.in_bin:
        raise ValidationError(_("The result's category is in the bin: restore the category."))
    mark_restored(locked)
    _binned_changed(
        topic_area=locked.study.topic_area,
        actor=actor,
        action="result.restore",
        obj=locked,
        categories={locked.category_id},
    )
    return locked


def _results_restore(results) -> None:
    """Take results that went to the bin with a study or a category out of it; those whose
    other parent is in the bin meanwhile go over to it, so its restore brings them back."""
    for result in results.select_related("study", "category"):
        other = next((parent for parent in (result.study, result.category) if parent.in_bin), None)
        Result.all_objects.filter(pk=result.pk).update(
            deleted_at=other.deleted_at if other else None,
            deleted_by=other.deleted_by if other else None,
        )


@transaction.atomic
def category_delete(*, category: InterventionCategory, actor) -> InterventionCategory:
    """Put an intervention category in the bin with its live results (marked at the same
    moment): its verdict and results leave the evidence pages, the report and the exports,
    and the report tables are rebuilt."""
    locked = InterventionCategory.all_objects.select_for_update()
    locked = locked.select_related("topic_area__project").get(pk=category.pk)
    if locked.in_bin:
        return locked
    mark_deleted(locked, by=actor)
    Result.objects.filter(category=locked).update(
        deleted_at=locked.deleted_at, deleted_by=locked.deleted_by
    )
    _binned_changed(
        topic_area=locked.topic_area,
        actor=actor,
        action="category.delete",
        obj=locked,
        categories=set(),
    )
    return locked


@transaction.atomic
def category_restore(*, category: InterventionCategory, actor) -> InterventionCategory:
    """Take a category out of the bin with the results that went in with it; its verdict
    is recomputed."""
    locked = InterventionCategory.all_objects.select_for_update()
    locked = locked.select_related("topic_area__project").get(pk=category.pk)
    if not locked.in_bin:
        return locked
    results = Result.all_objects.filter(category=locked, deleted_at=locked.deleted_at)
    mark_restored(locked)
    _results_restore(results)
    # A recompute asked for while the category was in the bin found no category and was
    # dropped: forget it, so the one asked for below is sent now, not after REQUEST_TIMEOUT.
    Verdict.objects.filter(category=locked).update(recompute_requested_at=None)
    _binned_changed(
        topic_area=locked.topic_area,
        actor=actor,
        action="category.restore",
        obj=locked,
        categories={locked.pk},
    )
    return locked


EXTRACTION_FIELD_FIELDS = ["key", "label", "kind", "choices", "help_text", "required", "active"]


@transaction.atomic
def extraction_field_create(*, project, actor, **fields):
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
