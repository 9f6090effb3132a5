"""GRADE per category (GRADE's outcome): saving a lead's judgements. What the framework
reads from them and the Summary of Findings are reads (grading.queries.grade).

The judgements are steps (0 to the domain's maximum) with a reason each; the framework
(grading.frameworks.grade) adds them up. Saving them marks the category's verdict stale, so
the worker recomputes it, as for any other input.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.frameworks import grade
from grading.models import GradeAssessment, InterventionCategory
from grading.queries.grade import DOMAIN_IDS
from grading.queries.verdicts import category_inputs
from grading.services.verdicts import verdicts_mark_stale
from reviewapp.audit import audit_record, snapshot
from reviewapp.versioning import check_version

# What a lead's assessment holds beside the steps: the Summary of Findings' figures, the
# keyword arguments of grade_assessment_save. The form takes this list
# (tests/grading/test_field_lists.py holds the two together).
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


def _check(category, steps: Mapping[str, int], reasons: Mapping[str, str], fields) -> None:
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
    check_version(assessment, expected_version)
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
    verdicts_mark_stale(categories=[category])
    return assessment
