"""Reading categories and their verdicts, and what a framework is given to grade."""

from django.db.models import Count, Q, QuerySet

from grading.frameworks import ResultInput, get_framework
from grading.models import InterventionCategory, Result
from grading.queries.consensus import agreed_values, dual_extraction_on
from reviewapp.models import Project, TopicArea


def level_labels(project: Project, language: str) -> dict[str, str]:
    """Level code -> its name in the page's language, for the project's framework."""
    framework = get_framework(project.evidence_framework)
    return {
        level.code: level.label_da if language == "da" else level.label_en
        for level in framework.levels
    }


def categories_with_verdicts(topic_area: TopicArea) -> QuerySet[InterventionCategory]:
    return topic_area.categories.select_related("verdict").annotate(
        # Joins, which the managers do not filter: the bin left out here (a study's results
        # go to the bin with it).
        result_count=Count("results", distinct=True, filter=Q(results__deleted_at__isnull=True)),
        study_count=Count(
            "results__study", distinct=True, filter=Q(results__deleted_at__isnull=True)
        ),
    )


def category_results(category: InterventionCategory) -> QuerySet[Result]:
    return category.results.select_related("study").order_by("study__year", "study_id", "id")


def category_inputs(category: InterventionCategory) -> list[ResultInput]:
    """The framework's input: the category's results with their study's facts. With dual
    extraction on, only results with a consensus count, with the agreed direction and quality
    (whatever was saved on the result since)."""
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
