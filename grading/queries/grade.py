"""Reading GRADE: what the framework reads from a lead's judgements, and the Summary of
Findings table of a topic area."""

from __future__ import annotations

import dataclasses

from django.utils.translation import gettext as _

from grading.frameworks import grade
from grading.models import GradeAssessment, InterventionCategory, Verdict

DOMAIN_IDS = [domain.id for domain in grade.DOMAINS]


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
