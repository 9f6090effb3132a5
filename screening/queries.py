"""Reusable querysets for sources, records and duplicates."""

from django.db.models import Count, F, Q, QuerySet

from reviewapp.models import TopicArea
from screening.models import DuplicatePair, ImportJob, Record, Source


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
