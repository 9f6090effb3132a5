"""Removing an import and restoring it: the source, its records and everything screening
built on them go to the bin together and come back together (reviewapp.softdelete).

Nothing is deleted: the records' items, decisions and duplicate pairs are marked with the
source's own `deleted_at`, so every queue, stage count, flow count and pair list (which read
the live rows) loses them, the decisions stay for the audit, and a restore takes back
exactly the rows marked with that moment. The report tables notice the change on their next
read (their screening digest changes; `report_tables_refresh`).
"""

from django.db import transaction
from django.db.models import Q

from reviewapp.audit import audit_record
from reviewapp.softdelete import mark_deleted, mark_restored
from screening.models import Claim, Decision, DuplicatePair, Record, ScreeningItem, Source
from screening.services.screening import topic_area_enter_new_records


def _pieces(source: Source, deleted_at) -> dict[str, object]:
    """The rows that go to the bin with the source (or came with it, at `deleted_at`)."""
    return {
        "decisions": Decision.all_objects.filter(
            item__record__source=source, deleted_at=deleted_at
        ),
        "items": ScreeningItem.all_objects.filter(record__source=source, deleted_at=deleted_at),
        "duplicate_pairs": DuplicatePair.all_objects.filter(
            Q(record_a__source=source) | Q(record_b__source=source), deleted_at=deleted_at
        ),
        "records": Record.all_objects.filter(source=source, deleted_at=deleted_at),
    }


def _counts(pieces: dict) -> dict[str, int]:
    return {name: queryset.count() for name, queryset in pieces.items()}


def _audit(source: Source, actor, action: str, counts: dict[str, int]) -> None:
    audit_record(
        actor=actor, project=source.topic_area.project, action=action, obj=source, after=counts
    )


@transaction.atomic
def source_delete(*, source: Source, actor) -> Source:
    """Put an import in the bin with its records; a no-op for one already there."""
    source = Source.all_objects.select_for_update().get(pk=source.pk)
    if source.in_bin:
        return source
    mark_deleted(source, by=actor)
    pieces = _pieces(source, None)
    counts = _counts(pieces)
    who = source.deleted_by
    for queryset in pieces.values():
        queryset.update(deleted_at=source.deleted_at, deleted_by=who)
    # A reservation is for the moment only: a restored record is simply free again.
    Claim.objects.filter(item__record__source=source).delete()
    _audit(source, actor, "source.delete", counts)
    return source


@transaction.atomic
def source_restore(*, source: Source, actor) -> Source:
    """Take an import out of the bin with exactly what went in with it."""
    source = Source.all_objects.select_for_update().get(pk=source.pk)
    if not source.in_bin:
        return source
    pieces = _pieces(source, source.deleted_at)
    counts = _counts(pieces)
    for name in ["records", "duplicate_pairs", "items", "decisions"]:
        pieces[name].update(deleted_at=None, deleted_by=None)
    mark_restored(source)
    # Stages set up while the import was in the bin have not seen its records.
    topic_area_enter_new_records(topic_area=source.topic_area)
    _audit(source, actor, "source.restore", counts)
    return source
