"""De-duplication decisions: automatic merges after an import, the review list,
confirming and rejecting pairs, and undoing a merge.

Merges only ever point a record at its canonical record (never deleting), and
the canonical record of a group is always one that was already there: a record
imported after screening started merges into the record being screened, which
keeps its decisions.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from reviewapp.audit import audit_record
from screening.bibrecord import DEDUP_COMPARED_FIELDS
from screening.dedup import DedupRecord, deduplicate
from screening.models import DuplicatePair, Record, ScreeningItem
from screening.services.screening import records_left_screening, topic_area_enter_new_records

# The columns de-duplication reads, in DedupRecord's field order.
DEDUP_FIELDS = ["id", *DEDUP_COMPARED_FIELDS]
# Rows fetched per round trip (a server-side cursor on PostgreSQL).
READ_CHUNK = 5000
# Columns a merge sets, written through a temporary table on PostgreSQL.
MERGE_COLUMNS = ["id", "canonical_id", "duplicate_score", "duplicate_reason"]


@dataclass
class DedupOutcome:
    duplicates_in_file: int = 0
    duplicates_existing: int = 0
    review_pairs: int = 0


def _canonical_records(topic_area) -> Iterator[DedupRecord]:
    """The topic area's canonical records, streamed in id order.

    Streamed so that only de-duplication's own compact form of each record is
    held, not the rows and a list of records beside it (for 100,000 records,
    most of the import's peak memory); in a fixed order, so every run reads alike.
    """
    rows = (
        Record.objects.filter(topic_area=topic_area, canonical__isnull=True)
        .order_by("id")
        .values_list(*DEDUP_FIELDS)
        .iterator(chunk_size=READ_CHUNK)
    )
    for record_id, title, authors, *rest in rows:
        yield DedupRecord(record_id, title, tuple(authors or ()), *rest)


class _Groups:
    """Union-find over record ids where an existing record always stays the root."""

    def __init__(self, new_ids: set[int]):
        self.new_ids = new_ids
        self.parent: dict[int, int] = {}

    def root(self, record_id: int) -> int:
        path = []
        while self.parent.get(record_id, record_id) != record_id:
            path.append(record_id)
            record_id = self.parent[record_id]
        for node in path:
            self.parent[node] = record_id
        return record_id

    def join(self, a: int, b: int) -> bool:
        """Join two groups; refuse to join two existing records (a person decides that)."""
        root_a, root_b = self.root(a), self.root(b)
        if root_a == root_b:
            return True
        a_existing, b_existing = root_a not in self.new_ids, root_b not in self.new_ids
        if a_existing and b_existing:
            return False
        if b_existing or (not a_existing and root_b < root_a):
            root_a, root_b = root_b, root_a
        self.parent[root_b] = root_a
        return True


def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def deduplicate_new_records(*, topic_area, source) -> DedupOutcome:
    """Compare a new source's records with each other and with the topic area's
    canonical records; merge the clear pairs, list the borderline ones."""
    new_ids = set(Record.objects.filter(source=source).values_list("id", flat=True))
    result = deduplicate(_canonical_records(topic_area), new_ids=new_ids)
    # Every pair a person has seen or will see: decided ones, and those already waiting.
    known = set(
        DuplicatePair.objects.filter(topic_area=topic_area).values_list(
            "record_a_id", "record_b_id"
        )
    )
    rejected = set(
        DuplicatePair.objects.filter(
            topic_area=topic_area, status=DuplicatePair.Status.REJECTED
        ).values_list("record_a_id", "record_b_id")
    )

    groups = _Groups(new_ids)
    best_pair: dict[int, tuple[float, str]] = {}
    review = []
    for pair in sorted(result.auto_pairs, key=lambda p: -p.score):
        key = _ordered(pair.a, pair.b)
        if key in rejected:
            continue
        if groups.join(pair.a, pair.b):
            for record_id in key:
                best_pair.setdefault(record_id, (pair.score, pair.reason))
        else:
            review.append(pair)
    review.extend(result.review_pairs)

    outcome = DedupOutcome()
    merged = []
    for record_id in sorted(new_ids):
        root = groups.root(record_id)
        if root == record_id:
            continue
        if root in new_ids:
            outcome.duplicates_in_file += 1
        else:
            outcome.duplicates_existing += 1
        score, reason = best_pair.get(record_id, (1.0, ""))
        merged.append((record_id, root, score, reason[:200]))
    _merge_records(merged, merged_at=timezone.now())

    # A person is asked about two works, not two copies: each borderline pair is
    # reduced to the records its two sides were merged into, and asked once.
    pending = []
    seen = set()
    for pair in sorted(review, key=lambda p: -p.score):
        key = _ordered(groups.root(pair.a), groups.root(pair.b))
        if key[0] == key[1] or key in known or key in seen:
            continue
        seen.add(key)
        pending.append(
            DuplicatePair(
                topic_area=topic_area,
                record_a_id=key[0],
                record_b_id=key[1],
                score=pair.score,
                reason=pair.reason[:200],
            )
        )
    DuplicatePair.objects.bulk_create(pending, ignore_conflicts=True, batch_size=2000)
    outcome.review_pairs = len(pending)
    return outcome


def _merge_records(merged: list[tuple[int, int, float, str]], *, merged_at) -> None:
    """Point each (id, canonical id, score, reason) record at its canonical record."""
    if not merged:
        return
    if connection.vendor == "postgresql":
        _merge_records_by_copy(merged, merged_at=merged_at)
    else:
        _merge_records_by_bulk_update(merged, merged_at=merged_at)


def _merge_records_by_bulk_update(merged: list[tuple[int, int, float, str]], *, merged_at) -> None:
    """The portable way (SQLite, the embedded default): CASE WHEN per row, in batches."""
    Record.objects.bulk_update(
        [
            Record(
                pk=record_id,
                canonical_id=root,
                duplicate_score=score,
                duplicate_reason=reason,
                merged_at=merged_at,
            )
            for record_id, root, score, reason in merged
        ],
        ["canonical", "duplicate_score", "duplicate_reason", "merged_at"],
        batch_size=2000,
    )


def _merge_records_by_copy(merged: list[tuple[int, int, float, str]], *, merged_at) -> None:
    """PostgreSQL: COPY the merges into a temporary table, then one UPDATE ... FROM.

    bulk_update costs more in Django, building a CASE WHEN of every row, than in
    the database: most of the 13 s that bench/import_100k.py's 12,757 merges
    took, where this takes about one.
    """
    table = connection.ops.quote_name(Record._meta.db_table)
    columns = ", ".join(MERGE_COLUMNS)
    # In a savepoint of its own, so that a failure takes the temporary table with it.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE dedup_merge (id bigint PRIMARY KEY, canonical_id bigint,"
            " duplicate_score double precision, duplicate_reason varchar(200))"
        )
        with cursor.cursor.copy(f"COPY dedup_merge ({columns}) FROM STDIN") as copy:  # noqa: S608
            for row in merged:
                copy.write_row(row)
        cursor.execute(
            f"UPDATE {table} AS record SET canonical_id = merge.canonical_id,"  # noqa: S608
            " duplicate_score = merge.duplicate_score,"
            " duplicate_reason = merge.duplicate_reason, merged_at = %s"
            " FROM dedup_merge AS merge WHERE record.id = merge.id",
            [merged_at],
        )
        cursor.execute("DROP TABLE dedup_merge")


def _root(record: Record) -> Record:
    return record.canonical if record.canonical_id else record


def _preferred_canonical(a: Record, b: Record) -> tuple[Record, Record]:
    """(keep, merge away): a record already screened stays canonical, so no decision
    is stranded; otherwise the record that has been there longest."""
    screened = set(
        ScreeningItem.objects.filter(record__in=[a, b], decisions_made__gt=0).values_list(
            "record_id", flat=True
        )
    )
    if (b.pk in screened) and (a.pk not in screened):
        return b, a
    if (a.pk in screened) and (b.pk not in screened):
        return a, b
    return (a, b) if a.pk < b.pk else (b, a)


def _merge(*, keep: Record, drop: Record, actor, score: float, reason: str) -> None:
    now = timezone.now()
    # The dropped record's own duplicates follow it, so every record points at a root.
    Record.objects.filter(canonical=drop).update(canonical=keep)
    records_left_screening(record_ids=[drop.pk])
    Record.objects.filter(pk=drop.pk).update(
        canonical=keep,
        duplicate_score=score,
        duplicate_reason=reason[:200],
        merged_by=actor,
        merged_at=now,
    )


@transaction.atomic
def duplicate_pair_confirm(*, pair: DuplicatePair, actor) -> DuplicatePair:
    pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    if pair.status != DuplicatePair.Status.PENDING:
        return pair
    record_a = Record.objects.select_related("canonical").get(pk=pair.record_a_id)
    record_b = Record.objects.select_related("canonical").get(pk=pair.record_b_id)
    root_a, root_b = _root(record_a), _root(record_b)
    keep, drop = _preferred_canonical(root_a, root_b)
    if keep.pk != drop.pk:
        _merge(keep=keep, drop=drop, actor=actor, score=pair.score, reason=pair.reason)
    pair.status = DuplicatePair.Status.CONFIRMED
    pair.decided_by = actor
    pair.decided_at = timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        project=pair.topic_area.project,
        action="duplicate.confirm",
        obj=drop,
        after={"kept": keep.pk, "merged": drop.pk, "score": pair.score},
    )
    return pair


@transaction.atomic
def duplicate_pair_reject(*, pair: DuplicatePair, actor) -> DuplicatePair:
    pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    if pair.status != DuplicatePair.Status.PENDING:
        return pair
    pair.status = DuplicatePair.Status.REJECTED
    pair.decided_by = actor
    pair.decided_at = timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        project=pair.topic_area.project,
        action="duplicate.reject",
        obj=pair,
        after={"record_a": pair.record_a_id, "record_b": pair.record_b_id},
    )
    return pair


@transaction.atomic
def record_unmerge(*, record: Record, actor) -> Record:
    """Undo a merge: the record becomes canonical again and the pair is remembered
    as 'not a duplicate', so no later import merges it back."""
    record = Record.objects.select_for_update().get(pk=record.pk)
    if record.canonical_id is None:
        return record
    former = record.canonical_id
    before = {"canonical": former, "reason": record.duplicate_reason}
    key = _ordered(record.pk, former)
    DuplicatePair.objects.update_or_create(
        record_a_id=key[0],
        record_b_id=key[1],
        defaults={
            "topic_area_id": record.topic_area_id,
            "score": record.duplicate_score or 0.0,
            "reason": record.duplicate_reason,
            "status": DuplicatePair.Status.REJECTED,
            "decided_by": actor,
            "decided_at": timezone.now(),
        },
    )
    Record.objects.filter(pk=record.pk).update(
        canonical=None, duplicate_score=None, duplicate_reason="", merged_by=None, merged_at=None
    )
    record.refresh_from_db()
    topic_area_enter_new_records(topic_area=record.topic_area)
    audit_record(
        actor=actor,
        project=record.topic_area.project,
        action="duplicate.undo",
        obj=record,
        before=before,
        after={"canonical": None},
    )
    return record
