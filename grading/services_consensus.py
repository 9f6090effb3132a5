"""Dual extraction: two reviewers extract a result's key fields independently, the lead (or
the two) agree a value per field, and only the agreed values feed the verdict.

Blinding: an extraction is shown to no one but its author until the result has two; the
consensus page then shows both side by side. Agreement (Cohen's kappa and the other
coefficients of screening.agreement) on risk of bias, direction and quality is computed over
the results that two reviewers extracted, reviewer A being the first to save.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grading.models import (
    DIRECTION_CHOICES,
    QUALITY_CHOICES,
    Consensus,
    Extraction,
    ExtractionSettings,
    InterventionCategory,
    Rating,
    Result,
)
from reviewapp.audit import audit_record, snapshot
from reviewapp.versioning import EditConflict
from screening.agreement import Agreement, agreement

# The key fields two reviewers extract, with their choices (None: free text), in form order.
CONSENSUS_FIELDS: dict[str, tuple[object, list[tuple[str, str]] | None]] = {
    "direction": (gettext_lazy("Direction"), DIRECTION_CHOICES),
    "risk_of_bias": (gettext_lazy("Risk of bias"), Rating.choices),
    "quality": (gettext_lazy("Quality"), QUALITY_CHOICES),
    "transferability": (gettext_lazy("Transferability"), Rating.choices),
    "effect": (gettext_lazy("Effect"), None),
}
# The fields agreement is reported on (the "risk of bias, direction and quality").
AGREEMENT_FIELDS = ("risk_of_bias", "direction", "quality")
REVIEWERS = 2


def dual_extraction_on(project) -> bool:
    """Whether the project (or project id) uses dual extraction."""
    return ExtractionSettings.objects.filter(project=project, dual_extraction=True).exists()


def agreed_values(result: Result) -> dict[str, str]:
    """The values agreed for the result (it must have a consensus)."""
    return result.consensus.values


def _mark_project_stale(project) -> None:
    from grading.services import verdicts_mark_stale

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
    if expected_version != (extraction.version if extraction else 0):
        raise EditConflict(extraction or result)
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
    return extraction


def extractions_of(result: Result) -> list[Extraction]:
    """The result's extractions, A (the first saved) before B."""
    return list(result.extractions.select_related("reviewer").order_by("id"))


def may_see_extractions(result: Result, extractions: list[Extraction]) -> bool:
    """Blinding: nobody sees an extraction before the result has both."""
    return len(extractions) >= REVIEWERS


@transaction.atomic
def consensus_record(
    *, result: Result, actor, values: Mapping[str, object], expected_version: int
) -> Consensus:
    """Record the agreed values (by the lead or one of the two extractors) and write them onto
    the result through `result_save`, which recomputes the verdict."""
    from grading.services import result_save

    project = _project(result)
    locked = Result.objects.select_for_update().select_related("study").get(pk=result.pk)
    extractions = extractions_of(locked)
    extractors = {extraction.reviewer_id for extraction in extractions}
    is_lead = actor.has_perm("grading.set_final_verdict", project)
    if not (is_lead or (actor.pk in extractors and actor.has_perm("grading.extract", project))):
        raise PermissionDenied
    if len(extractions) < REVIEWERS:
        raise ValidationError(_("A consensus needs two extractions."))
    consensus = Consensus.objects.filter(result=locked).first()
    if expected_version != (consensus.version if consensus else 0):
        raise EditConflict(consensus or locked)
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


@dataclass(frozen=True)
class ComparedField:
    name: str
    label: str
    value_a: str
    value_b: str
    agreed: str

    @property
    def differs(self) -> bool:
        return self.value_a != self.value_b


def compare(extractions: list[Extraction], consensus: Consensus | None) -> list[ComparedField]:
    """The two extractions field by field, with the agreed value where one is recorded."""
    a, b = extractions[0].values, extractions[1].values
    agreed = consensus.values if consensus else {}
    return [
        ComparedField(name, str(label), a.get(name, ""), b.get(name, ""), agreed.get(name, ""))
        for name, (label, _choices) in CONSENSUS_FIELDS.items()
    ]


def extraction_agreement(topic_area) -> dict[str, Agreement]:
    """Agreement per field over the topic area's results that two reviewers extracted."""
    extractions = (
        Extraction.objects.filter(result__study__topic_area=topic_area)
        .order_by("result_id", "id")
        .values_list("result_id", "values")
    )
    by_result: dict[int, list[dict]] = {}
    for result_id, values in extractions:
        by_result.setdefault(result_id, []).append(values)
    pairs = [values[:REVIEWERS] for values in by_result.values() if len(values) >= REVIEWERS]
    return {
        name: agreement(
            [(a[name], b[name]) for a, b in pairs],
            categories=[code for code, _label in CONSENSUS_FIELDS[name][1]],
        )
        for name in AGREEMENT_FIELDS
    }
