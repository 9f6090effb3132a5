"""Reusable querysets for sources, records and duplicates."""

from django.db.models import Count, F, Prefetch, Q, QuerySet

from reviewapp.models import TopicArea
from screening.models import (
    Decision,
    DuplicatePair,
    ImportJob,
    Record,
    ScreeningItem,
    Source,
    Stage,
)


def sources_with_counts(topic_area: TopicArea) -> QuerySet[Source]:
    """Each source with records imported, duplicates within its file and of earlier records.

    Derived from the records rather than stored, so merges and undos show at once.
    """
    duplicate = Q(records__canonical__isnull=False)
    return topic_area.sources.annotate(
        records_stored=Count("records"),
        unique_records=Count("records", filter=Q(records__canonical__isnull=True)),
        duplicates_in_file=Count(
            "records", filter=duplicate & Q(records__canonical__source=F("pk"))
        ),
        duplicates_existing=Count(
            "records", filter=duplicate & ~Q(records__canonical__source=F("pk"))
        ),
    ).order_by("created_at", "id")


def record_counts(topic_area: TopicArea) -> dict[str, int]:
    return topic_area.records.aggregate(
        total=Count("id"),
        unique=Count("id", filter=Q(canonical__isnull=True)),
        duplicates=Count("id", filter=Q(canonical__isnull=False)),
        missing_title=Count("id", filter=Q(title="")),
    )


def pending_pairs(topic_area: TopicArea) -> QuerySet[DuplicatePair]:
    return topic_area.duplicate_pairs.filter(status=DuplicatePair.Status.PENDING).select_related(
        "record_a__source", "record_b__source"
    )


def merged_records(topic_area: TopicArea) -> QuerySet[Record]:
    return (
        topic_area.records.filter(canonical__isnull=False)
        .select_related("source", "canonical__source", "merged_by")
        .order_by("-merged_at", "-id")
    )


def recent_imports(topic_area: TopicArea, limit: int = 10) -> QuerySet[ImportJob]:
    return topic_area.import_jobs.select_related("created_by")[:limit]


def stages_with_progress(topic_area: TopicArea) -> QuerySet[Stage]:
    """The topic area's stages with their items counted by status, in one query."""
    status = ScreeningItem.Status
    counts = {
        name: Count("items", filter=Q(items__status=value, items__record__canonical__isnull=True))
        for name, value in [
            ("pending", status.PENDING),
            ("maybe", status.MAYBE),
            ("conflicts", status.CONFLICT),
            ("included", status.INCLUDED),
            ("excluded", status.EXCLUDED),
        ]
    }
    return topic_area.stages.annotate(
        total=Count("items", filter=Q(items__record__canonical__isnull=True)), **counts
    ).order_by("position")


def stage_progress(stage: Stage, reviewer) -> dict[str, int]:
    """Figures for the progress bars: the stage's settled share and the reviewer's own."""
    status = ScreeningItem.Status
    figures = stage.items.filter(record__canonical__isnull=True).aggregate(
        total=Count("id"),
        settled=Count("id", filter=Q(status__in=[status.INCLUDED, status.EXCLUDED])),
        conflicts=Count("id", filter=Q(status=status.CONFLICT)),
        mine=Count("id", filter=Q(decisions__reviewer=reviewer)),
    )
    figures["percent"] = (
        round(100 * figures["settled"] / figures["total"]) if figures["total"] else 0
    )
    return figures


def stage_items(stage: Stage, *, status: str = "", reviewer=None) -> QuerySet[ScreeningItem]:
    """Items of a stage with their record and decisions, for the read-only list."""
    items = (
        stage.items.filter(record__canonical__isnull=True)
        .select_related("record__source", "resolved_by")
        .prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.select_related("reviewer"))
        )
        .order_by("order_key", "id")
    )
    if status:
        items = items.filter(status=status)
    if reviewer is not None:
        items = items.filter(decisions__reviewer=reviewer)
    return items


def my_decisions(stage: Stage, reviewer) -> QuerySet[Decision]:
    return Decision.objects.filter(item__stage=stage, reviewer=reviewer).order_by(
        "-decided_at", "-id"
    )


def decision_pairs(stage: Stage) -> list[tuple[int, int, str]]:
    """(record, reviewer, decision) for every decision at the stage, for agreement."""
    return list(
        Decision.objects.filter(item__stage=stage).values_list(
            "item__record_id", "reviewer_id", "value"
        )
    )
