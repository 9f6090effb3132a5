"""GRADE per category (GRADE's outcome): a lead's judgements, what the framework reads from
them, and the Summary of Findings table of a topic area.

The judgements are steps (0 to the domain's maximum) with a reason each; the framework
(grading.frameworks.grade) adds them up. Saving them marks the category's verdict stale, so
the worker recomputes it, as for any other input.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.frameworks import grade
from grading.models import GradeAssessment, InterventionCategory, Verdict
from reviewapp.audit import audit_record, snapshot
from reviewapp.versioning import EditConflict

DOMAIN_IDS = [domain.id for domain in grade.DOMAINS]
FIGURE_FIELDS = [
    "evidence",
    "robins_i",
    "outcome",
    "relative_effect",
    "risk_with_comparison",
    "risk_with_intervention",
    "comments",
]
ASSESSMENT_FIELDS = [*DOMAIN_IDS, "reasons", *FIGURE_FIELDS]


def framework_assessment(assessment: GradeAssessment | None) -> grade.GradeAssessment:
    """The framework's view of the lead's judgements (all zero without an assessment)."""
    if assessment is None:
        return grade.GradeAssessment()
    return grade.GradeAssessment(
        **{domain: getattr(assessment, domain) for domain in DOMAIN_IDS},
        evidence=assessment.evidence or None,
        robins_i=assessment.robins_i,
        footnotes={key: value for key, value in assessment.reasons.items() if value},
    )


def grade_options(category: InterventionCategory, inputs) -> dict:
    """The keyword arguments `grade.evaluate` takes for the category's results `inputs`.

    Ratings up were checked against observational evidence when the lead saved them; if the
    body of evidence has become randomised since (a study's design changed), they no longer
    apply and are left out rather than failing every recompute.
    """
    assessment = framework_assessment(GradeAssessment.objects.filter(category=category).first())
    try:
        grade.evaluate(inputs, assessment=assessment)
    except ValueError:
        ups = {domain.id: 0 for domain in grade.DOMAINS if domain.rates_up}
        footnotes = {k: v for k, v in assessment.footnotes.items() if k not in ups}
        assessment = dataclasses.replace(assessment, **ups, footnotes=footnotes)
    return {"assessment": assessment}


def _check(category, steps: Mapping[str, int], reasons: Mapping[str, str], fields) -> None:
    from grading.services import category_inputs

    errors: dict[str, list[str]] = {}
    for domain in grade.DOMAINS:
        value = steps.get(domain.id, 0)
        if not isinstance(value, int) or not 0 <= value <= domain.maximum:
            errors[domain.id] = [
                _("Choose from 0 to %(maximum)s steps.") % {"maximum": domain.maximum}
            ]
        elif value and not reasons.get(domain.id, "").strip():
            # GRADE: every rating down or up carries its explanation (the SoF footnote).
            errors[f"reason_{domain.id}"] = [_("A rating down or up needs its reason.")]
    if errors:
        raise ValidationError(errors)
    try:
        grade.evaluate(
            category_inputs(category),
            assessment=grade.GradeAssessment(
                **steps, evidence=fields.get("evidence") or None, robins_i=fields["robins_i"]
            ),
        )
    except ValueError as error:
        raise ValidationError(
            {"large_effect": _("GRADE rates up observational evidence only.")}
        ) from error


@transaction.atomic
def grade_assessment_save(
    *,
    category: InterventionCategory,
    actor,
    expected_version: int,
    steps: Mapping[str, int],
    reasons: Mapping[str, str],
    evidence: str = "",
    robins_i: bool = False,
    outcome: str = "",
    relative_effect: str = "",
    risk_with_comparison: str = "",
    risk_with_intervention: str = "",
    comments: str = "",
) -> GradeAssessment:
    """Save a lead's GRADE judgements for a graded category; `expected_version` is the
    version the lead loaded (0 for a category not assessed yet)."""
    project = category.topic_area.project
    if not actor.has_perm("grading.set_final_verdict", project):
        raise PermissionDenied
    if not category.graded:
        raise ValidationError(_("This category is not graded."))
    InterventionCategory.objects.select_for_update().get(pk=category.pk)
    assessment = GradeAssessment.objects.filter(category=category).first()
    if expected_version != (assessment.version if assessment else 0):
        raise EditConflict(assessment or category)
    if evidence not in ("", *GradeAssessment.Evidence.values):
        raise ValidationError({"evidence": _("Choose randomised or observational evidence.")})
    unknown = (set(steps) | set(reasons)) - set(DOMAIN_IDS)
    if unknown:
        raise ValueError(f"unknown GRADE domains: {sorted(unknown)}")
    steps = {domain: steps.get(domain, 0) for domain in DOMAIN_IDS}
    fields = {
        "evidence": evidence,
        "robins_i": robins_i,
        "outcome": outcome.strip(),
        "relative_effect": relative_effect.strip(),
        "risk_with_comparison": risk_with_comparison.strip(),
        "risk_with_intervention": risk_with_intervention.strip(),
        "comments": comments.strip(),
    }
    _check(category, steps, reasons, fields)

    before = snapshot(assessment, ASSESSMENT_FIELDS) if assessment else None
    assessment = assessment or GradeAssessment(category=category, version=0)
    for domain, value in steps.items():
        setattr(assessment, domain, value)
    # A reason is kept only where its domain moves the level: it is that step's footnote.
    assessment.reasons = {domain: reasons[domain].strip() for domain in DOMAIN_IDS if steps[domain]}
    for name, value in fields.items():
        setattr(assessment, name, value)
    assessment.assessed_by = actor
    assessment.assessed_at = timezone.now()
    assessment.version += 1
    assessment.full_clean()
    assessment.save()
    audit_record(
        actor=actor,
        project=project,
        action="grade_assessment.create" if before is None else "grade_assessment.update",
        obj=assessment,
        before=before,
        after=snapshot(assessment, ASSESSMENT_FIELDS),
    )
    from grading.services import verdicts_mark_stale

    verdicts_mark_stale(categories=[category])
    return assessment


def summary_of_findings(topic_area, language: str) -> dict:
    """The topic area's Summary of Findings: one row per graded category, its certainty the
    verdict's level (a lead's final level where one is set), with lettered footnotes that
    give the reasons for every rating down or up."""
    categories = (
        topic_area.categories.filter(graded=True)
        .select_related("verdict", "grade_assessment")
        .prefetch_related("results__study")
        .order_by("position", "id")
    )
    rows = []
    for category in categories:
        assessment = getattr(category, "grade_assessment", None)
        verdict: Verdict | None = getattr(category, "verdict", None)
        results = list(category.results.all())
        studies = {result.study_id: result.study for result in results}
        participants = [result.participants or result.study.sample_size for result in results]
        total = sum(participants) if participants and None not in participants else None
        level = _level(verdict)
        footnotes = [
            f"{_domain_label(domain, language)}: {assessment.reasons[domain]}"
            for domain in DOMAIN_IDS
            if assessment and assessment.reasons.get(domain)
        ]
        if verdict and verdict.final_level and verdict.rationale:
            footnotes.append(_("Certainty set by a lead: %(why)s") % {"why": verdict.rationale})
        rows.append(
            grade.SofRow(
                outcome=(assessment.outcome if assessment and assessment.outcome else "")
                or category.title,
                risk_with_comparison=assessment.risk_with_comparison if assessment else "",
                risk_with_intervention=assessment.risk_with_intervention if assessment else "",
                relative_effect=assessment.relative_effect if assessment else "",
                participants=total,
                studies=len(studies),
                certainty=level,
                footnotes=tuple(footnotes),
                comments=assessment.comments if assessment else "",
            )
        )
    header, body, footnotes = grade.sof_table(rows, language)
    return {
        "header": header,
        "rows": [
            {"cells": cells, "category": category, "stale": _stale(category)}
            for cells, category in zip(body, categories, strict=True)
        ],
        "footnotes": footnotes,
    }


def _level(verdict: Verdict | None) -> grade.Level:
    code = verdict.level if verdict else ""
    try:
        return grade.FRAMEWORK.level(code)
    except KeyError:  # not computed yet, or by another framework
        return grade.NO_STUDIES


def _stale(category) -> bool:
    verdict = getattr(category, "verdict", None)
    return verdict is None or verdict.stale_since is not None


def _domain_label(domain_id: str, language: str) -> str:
    domain = next(d for d in grade.DOMAINS if d.id == domain_id)
    return domain.label_da if language == "da" else domain.label_en
