"""Risk-of-bias assessments with RoB 2 or ROBINS-I: the one write, and what it needs to know.

The tools (grading.rob) propose domain and overall judgements from the signalling answers;
the reviewer confirms them or departs from them with a note. The confirmed overall judgement
becomes the result's `risk_of_bias` on the report's five-step scale (see
`RISK_OF_BIAS_SCALE`), through `result_save`, so the category's verdict is recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.frameworks import Design
from grading.models import Rating, Result, RobAssessment
from grading.rob import rob2, rob2_cluster, robins_i
from grading.rob.base import RobDomain
from grading.rob.base import not_asked as not_asked_questions
from grading.services.studies import result_save
from reviewapp.audit import audit_record, snapshot
from reviewapp.versioning import check_version

TOOLS = {
    RobAssessment.Tool.ROB2: rob2,
    RobAssessment.Tool.ROB2_CLUSTER: rob2_cluster,
    RobAssessment.Tool.ROBINS_I: robins_i,
}
OVERALL = "overall"
ASSESSMENT_FIELDS = [
    "tool",
    "tool_version",
    "effect",
    "answers",
    "domain_judgements",
    "overall",
    "notes",
]

RISK_OF_BIAS_SCALE: dict[str, dict[str, str]] = {
    # RoB 2 has three levels: its ends are the scale's ends, "some concerns" the middle.
    RobAssessment.Tool.ROB2: {
        rob2.Judgement.LOW: Rating.LOW,
        rob2.Judgement.SOME_CONCERNS: Rating.MODERATE,
        rob2.Judgement.HIGH: Rating.HIGH,
    },
    RobAssessment.Tool.ROB2_CLUSTER: {
        rob2.Judgement.LOW: Rating.LOW,
        rob2.Judgement.SOME_CONCERNS: Rating.MODERATE,
        rob2.Judgement.HIGH: Rating.HIGH,
    },
    # ROBINS-I's Low means "comparable to a well-performed randomised trial", so it is the
    # scale's Low too; Moderate (sound for a non-randomised study) the middle; Serious
    # (important problems) one step short of Critical (too problematic to be useful), which is
    # High. No information gives no grounds to rate a study better than one with important
    # problems, nor shows it unusable: it sits with Serious.
    RobAssessment.Tool.ROBINS_I: {
        robins_i.Judgement.LOW: Rating.LOW,
        robins_i.Judgement.MODERATE: Rating.MODERATE,
        robins_i.Judgement.SERIOUS: Rating.MODERATE_HIGH,
        robins_i.Judgement.CRITICAL: Rating.HIGH,
        robins_i.Judgement.NO_INFORMATION: Rating.MODERATE_HIGH,
    },
}


def tool_domains(tool: str, effect: str = RobAssessment.Effect.ASSIGNMENT) -> tuple[RobDomain, ...]:
    """The tool's domains, with the questions for the effect of interest."""
    if tool == RobAssessment.Tool.ROBINS_I:
        return robins_i.DOMAINS
    if tool in TOOLS:
        return TOOLS[tool].domains(effect)
    raise ValueError(f"unknown risk-of-bias tool {tool!r}")


def judgement_labels(tool: str, language: str) -> dict[str, str]:
    """Judgement code -> the tool's own word for it, in the language."""
    index = 0 if language == "da" else 1
    return {code.value: labels[index] for code, labels in TOOLS[tool].JUDGEMENT_LABELS.items()}


def propose(tool: str, effect: str, answers: Mapping[str, str]):
    """The tool's proposals from the answers (ValueError on an answer the tool does not allow)."""
    return TOOLS[tool].propose(answers, effect=effect)


def settle(tool: str, effect: str, answers: Mapping[str, str]) -> dict[str, str]:
    """The answers as stored: conditional questions whose condition is not met become NA."""
    return TOOLS[tool].settle(answers, effect=effect)


def not_asked(tool: str, effect: str, answers: Mapping[str, str]) -> set[str]:
    """The conditional questions the answers so far leave unasked (ValueError on a bad one)."""
    return not_asked_questions(answers, tool_domains(tool, effect))


def default_tool(result: Result) -> str:
    """RoB 2 for randomised trials (its cluster variant for cluster-randomised ones), ROBINS-I
    for the others (quasi-randomised included, as Cochrane assesses them: their allocation is
    not random)."""
    if result.study.design == Design.RANDOMISED_CLUSTER:
        return RobAssessment.Tool.ROB2_CLUSTER
    if result.study.design == Design.RANDOMISED_INDIVIDUAL:
        return RobAssessment.Tool.ROB2
    return RobAssessment.Tool.ROBINS_I


def _clean_notes(notes: Mapping[str, str], domain_ids: list[str]) -> dict[str, str]:
    unknown = set(notes) - set(domain_ids) - {OVERALL}
    if unknown:
        raise ValidationError(
            _("Notes for domains the tool does not have: %(domains)s."),
            params={"domains": ", ".join(sorted(unknown))},
        )
    return {key: value.strip() for key, value in notes.items() if value and value.strip()}


@transaction.atomic
def rob_assessment_save(
    *,
    result: Result,
    actor,
    tool: str,
    answers: Mapping[str, str],
    domain_judgements: Mapping[str, str],
    overall: str,
    notes: Mapping[str, str],
    expected_version: int,
    effect: str = RobAssessment.Effect.ASSIGNMENT,
) -> RobAssessment:
    """Save a result's assessment: answers, confirmed judgements, the reviewer's notes.

    A confirmed judgement that differs from the tool's proposal (or is made where the answers
    are too incomplete to propose one) needs a note: the reviewer's reason. The overall
    proposal is computed from the confirmed domain judgements. `expected_version` is the
    version the reviewer loaded, 0 for a result not yet assessed.
    """
    locked = Result.objects.select_for_update().select_related("study__topic_area__project")
    locked = locked.get(pk=result.pk)
    project = locked.study.topic_area.project
    if not actor.has_perm("grading.assess_risk_of_bias", project):
        raise PermissionDenied
    assessment = RobAssessment.objects.filter(result=locked).first()
    check_version(assessment, expected_version)
    if tool not in TOOLS:
        raise ValidationError({"tool": _("Choose RoB 2 or ROBINS-I.")})
    if effect not in RobAssessment.Effect.values:
        raise ValidationError({"effect": _("Choose the effect of interest.")})

    answers = {key: value for key, value in answers.items() if value}
    try:
        # Stored settled: an answer to a question its condition leaves unasked is NA.
        answers = settle(tool, effect, answers)
        proposal = propose(tool, effect, answers)
    except ValueError as error:
        raise ValidationError({"answers": str(error)}) from error
    domain_ids = [domain.id for domain in tool_domains(tool, effect)]
    notes = _clean_notes(notes, domain_ids)
    judgements = {judgement.value for judgement in TOOLS[tool].Judgement}
    errors: dict[str, list[str]] = {}
    for domain in proposal.domains:
        confirmed = domain_judgements.get(domain.domain)
        if confirmed not in judgements:
            errors[domain.domain] = [_("Confirm a judgement for this domain.")]
        elif confirmed != domain.judgement and domain.domain not in notes:
            errors[domain.domain] = [_("A judgement other than the proposed one needs a note.")]
    unknown = set(domain_judgements) - set(domain_ids)
    if unknown:
        errors["domain_judgements"] = [_("The tool has no such domain.")]
    if overall not in judgements:
        errors[OVERALL] = [_("Confirm an overall judgement.")]
    elif not errors:
        overall_proposal = TOOLS[tool].propose_overall([domain_judgements[d] for d in domain_ids])
        if overall != overall_proposal.judgement and OVERALL not in notes:
            errors[OVERALL] = [_("An overall judgement other than the proposed one needs a note.")]
    if errors:
        raise ValidationError(errors)

    before = snapshot(assessment, ASSESSMENT_FIELDS) if assessment else None
    assessment = assessment or RobAssessment(result=locked, version=0)
    assessment.tool = tool
    assessment.tool_version = TOOLS[tool].TOOL_VERSION
    assessment.effect = effect
    assessment.answers = answers
    assessment.domain_judgements = {d: domain_judgements[d] for d in domain_ids}
    assessment.overall = overall
    assessment.notes = notes
    assessment.assessed_by = actor
    assessment.assessed_at = timezone.now()
    assessment.version += 1
    assessment.save()
    after = snapshot(assessment, ASSESSMENT_FIELDS)
    after["proposed"] = {d.domain: d.judgement and d.judgement.value for d in proposal.domains}
    audit_record(
        actor=actor,
        project=project,
        action="rob_assessment.create" if before is None else "rob_assessment.update",
        obj=assessment,
        before=before,
        after=after,
    )
    rating = RISK_OF_BIAS_SCALE[tool][overall]
    justification = _justification(assessment, project.language)
    if (locked.risk_of_bias, locked.risk_of_bias_justification) != (rating, justification):
        # Through result_save, so the category's verdict is marked stale and recomputed.
        result_save(
            study=locked.study,
            actor=actor,
            result=locked,
            risk_of_bias=rating,
            risk_of_bias_justification=justification,
        )
    return assessment


def _justification(assessment: RobAssessment, language: str) -> str:
    """The result's risk-of-bias justification: the tool, its judgements and the reason."""
    labels = judgement_labels(assessment.tool, language)
    domains = "; ".join(
        f"{domain} {labels[judgement]}"
        for domain, judgement in assessment.domain_judgements.items()
    )
    text = f"{assessment.tool_version}: {labels[assessment.overall]} ({domains})."
    reason = assessment.notes.get(OVERALL)
    return f"{text} {reason}" if reason else text
