"""Reusable querysets for studies, their results and the records they come from."""

from django.db.models import Count, Prefetch, Q, QuerySet

from grading.models import Result, Study
from reviewapp.models import TopicArea
from screening.models import Decision, Record, ScreeningItem


def count_live_results() -> Count:
    """For an annotation on studies: their results not in the bin (a join, which the
    results' manager does not filter; reviewapp.softdelete)."""
    return Count("results", filter=Q(results__deleted_at__isnull=True))


def studies_with_counts(topic_area: TopicArea) -> QuerySet[Study]:
    return topic_area.studies.annotate(result_count=count_live_results()).prefetch_related(
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
