"""Dual extraction's writes: the project's switch, a reviewer's own extraction of a
result, and the consensus (by the lead or one of the two extractors), whose agreed values
alone feed the verdict. The reads (the key fields, blinding, agreement) are in
grading.queries.consensus.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.models import (
    Consensus,
    Extraction,
    ExtractionSettings,
    InterventionCategory,
    Rating,
    Result,
)
from grading.queries.consensus import (
    CONSENSUS_FIELDS,
    REVIEWERS,
    dual_extraction_on,
    extractions_of,
)
from grading.rules import can_settle_consensus
from grading.services.studies import result_save
from grading.services.verdicts import verdicts_mark_stale
from reviewapp.audit import audit_record, snapshot
from reviewapp.models import Notification
from reviewapp.notifications import notify
from reviewapp.versioning import check_version

# The result's fields a consensus sets (dual extraction): the result form disables them
# once a consensus is recorded.
CONSENSUS_RESULT_FIELDS = [
    "direction",
    "risk_of_bias",
    "transferability",
    "effect",
    "quality_override",
    "quality_reason",
]


def _mark_project_stale(project) -> None:
    verdicts_mark_stale(
        categories=InterventionCategory.objects.filter(topic_area__project=project, graded=True)
    )


@transaction.atomic
def extraction_settings_update(*, project, actor, dual_extraction: bool) -> ExtractionSettings:
    """Turn dual extraction on or off; every verdict of the project is recomputed, as the
    results that count change (with it on, only results with a consensus count)."""
    if not actor.has_perm("grading.manage_extraction_form", project):
        raise PermissionDenied
    settings_, _created = ExtractionSettings.objects.select_for_update().get_or_create(
        project=project
    )
    if settings_.dual_extraction == dual_extraction:
        return settings_
    before = snapshot(settings_, ["dual_extraction"])
    settings_.dual_extraction = dual_extraction
    settings_.version += 1
    settings_.save()
    audit_record(
        actor=actor,
        project=project,
        action="extraction_settings.update",
        obj=settings_,
        before=before,
        after=snapshot(settings_, ["dual_extraction"]),
    )
    _mark_project_stale(project)
    return settings_


def clean_values(values: Mapping[str, object], *, complete: bool) -> dict[str, str]:
    """The key fields' values, checked against their choices; `complete` needs every one
    but transferability (which the report leaves empty for some results)."""
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for name, (_label, choices) in CONSENSUS_FIELDS.items():
        value = str(values.get(name) or "").strip()
        if choices is not None and value and value not in {code for code, _x in choices}:
            errors[name] = [_("Not one of the choices.")]
        elif not value and (complete and name != "transferability"):
            errors[name] = [_("This field is required.")]
        cleaned[name] = value
    unknown = set(values) - set(CONSENSUS_FIELDS)
    if unknown:
        raise ValueError(f"not key fields: {sorted(unknown)}")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _project(result: Result):
    return result.study.topic_area.project


@transaction.atomic
def extraction_save(
    *, result: Result, reviewer, values: Mapping[str, object], expected_version: int
) -> Extraction:
    """Save the reviewer's own extraction of the result (`expected_version` 0 for a first)."""
    project = _project(result)
    if not reviewer.has_perm("grading.extract", project):
        raise PermissionDenied
    if not dual_extraction_on(project):
        raise ValidationError(_("This project does not use dual extraction."))
    Result.objects.select_for_update().get(pk=result.pk)
    extraction = Extraction.objects.filter(result=result, reviewer=reviewer).first()
    if extraction is None and result.extractions.count() >= REVIEWERS:
        raise ValidationError(_("Two reviewers have extracted this result already."))
    check_version(extraction, expected_version)
    cleaned = clean_values(values, complete=True)
    before = snapshot(extraction, ["values"]) if extraction else None
    extraction = extraction or Extraction(result=result, reviewer=reviewer, version=0)
    extraction.values = cleaned
    extraction.version += 1
    extraction.save()
    audit_record(
        actor=reviewer,
        project=project,
        action="extraction.create" if before is None else "extraction.update",
        obj=extraction,
        before=before,
        after=snapshot(extraction, ["values"]),
    )
    if before is None:
        _notify_consensus_waiting(result, project, second=extraction)
    return extraction


def _notify_consensus_waiting(result: Result, project, *, second: Extraction) -> None:
    """The second extraction is in and no consensus yet: the first extractor is told."""
    first = result.extractions.exclude(pk=second.pk).select_related("reviewer").first()
    if first is None or Consensus.objects.filter(result=result).exists():
        return
    study = result.study
    notify(
        users=[first.reviewer],
        kind=Notification.Kind.CONSENSUS,
        project=project,
        params={"target": f"{study.label}: {result.intervention}"[:200]},
        path=reverse(
            "result_consensus",
            kwargs={
                "slug": project.slug,
                "topic_key": study.topic_area.key,
                "study_id": study.pk,
                "result_id": result.pk,
            },
        ),
        actor=second.reviewer,
    )


@transaction.atomic
def consensus_record(
    *, result: Result, actor, values: Mapping[str, object], expected_version: int
) -> Consensus:
    """Record the agreed values (by the lead or one of the two extractors) and write them onto
    the result through `result_save`, which recomputes the verdict."""
    project = _project(result)
    locked = Result.objects.select_for_update().select_related("study").get(pk=result.pk)
    extractions = extractions_of(locked)
    if not can_settle_consensus(actor, result):
        raise PermissionDenied
    if len(extractions) < REVIEWERS:
        raise ValidationError(_("A consensus needs two extractions."))
    consensus = Consensus.objects.filter(result=locked).first()
    check_version(consensus, expected_version)
    agreed = clean_values(values, complete=True)
    before = snapshot(consensus, ["values"]) if consensus else None
    consensus = consensus or Consensus(result=locked, version=0)
    consensus.values = agreed
    consensus.decided_by = actor
    consensus.decided_at = timezone.now()
    consensus.version += 1
    consensus.save()
    audit_record(
        actor=actor,
        project=project,
        action="consensus.create" if before is None else "consensus.update",
        obj=consensus,
        before=before,
        after=snapshot(consensus, ["values"]),
    )
    default_quality = "high" if agreed["risk_of_bias"] == Rating.LOW else "limited"
    overridden = agreed["quality"] != default_quality
    result_save(
        study=locked.study,
        actor=actor,
        result=locked,
        direction=agreed["direction"],
        risk_of_bias=agreed["risk_of_bias"],
        transferability=agreed["transferability"],
        effect=agreed["effect"],
        quality_override=agreed["quality"] if overridden else "",
        quality_reason=_("Agreed at consensus.") if overridden else "",
    )
    return consensus
