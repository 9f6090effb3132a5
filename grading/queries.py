"""Reusable querysets for studies, results and verdicts."""

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from grading.frameworks import get_framework
from grading.models import Consensus, InterventionCategory, Result, Study
from grading.services_consensus import REVIEWERS
from reviewapp.models import Project, TopicArea
from screening.models import Decision, Record, ScreeningItem


def level_labels(project: Project, language: str) -> dict[str, str]:
    """Level code -> its name in the page's language, for the project's framework."""
    framework = get_framework(project.evidence_framework)
    return {
        level.code: level.label_da if language == "da" else level.label_en
        for level in framework.levels
    }


def categories_with_verdicts(topic_area: TopicArea) -> QuerySet[InterventionCategory]:
    return topic_area.categories.select_related("verdict").annotate(
        result_count=Count("results", distinct=True),
        study_count=Count("results__study", distinct=True),
    )


def category_results(category: InterventionCategory) -> QuerySet[Result]:
    return category.results.select_related("study").order_by("study__year", "study_id", "id")


def studies_with_counts(topic_area: TopicArea) -> QuerySet[Study]:
    return topic_area.studies.annotate(result_count=Count("results")).prefetch_related(
        Prefetch("results", queryset=Result.objects.select_related("category"))
    )


def records_awaiting_a_study(topic_area: TopicArea) -> QuerySet[Record]:
    """Records included at the last stage that no study holds yet."""
    last = topic_area.stages.order_by("-position").first()
    if last is None:
        return Record.objects.none()
    return (
        Record.objects.filter(
            screening_items__stage=last,
            screening_items__status=ScreeningItem.Status.INCLUDED,
            canonical__isnull=True,
            studies=None,
        )
        .select_related("source")
        .order_by("year", "id")
    )


def inclusion_trail(records) -> QuerySet[ScreeningItem]:
    """How the records were screened: each stage's status and the decisions behind it."""
    return (
        ScreeningItem.objects.filter(record__in=records)
        .select_related("stage", "resolved_by")
        .prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.select_related("reviewer"))
        )
        .order_by("record_id", "stage__position")
    )


# Where a result stands in dual extraction, in the order the work list shows them.
EXTRACTION_STAGES = ("awaiting_consensus", "awaiting_second", "awaiting_first", "agreed")


def results_by_extraction_stage(topic_area: TopicArea) -> dict[str, list[Result]]:
    """The topic area's results by where they stand in dual extraction: both extractions in
    and no consensus yet (a lead's to-do list), one extraction in, none, or agreed. One
    query; each result carries `extractions_made`."""
    results = (
        Result.objects.filter(study__topic_area=topic_area)
        .select_related("study", "category")
        .annotate(
            extractions_made=Count("extractions"),
            agreed=Exists(Consensus.objects.filter(result=OuterRef("pk"))),
        )
        .order_by("study__year", "study__label", "id")
    )
    stages: dict[str, list[Result]] = {stage: [] for stage in EXTRACTION_STAGES}
    for result in results:
        if result.agreed:
            stages["agreed"].append(result)
        elif result.extractions_made >= REVIEWERS:
            stages["awaiting_consensus"].append(result)
        elif result.extractions_made == 1:
            stages["awaiting_second"].append(result)
        else:
            stages["awaiting_first"].append(result)
    return stages
