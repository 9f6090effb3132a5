"""Importing an export file into a topic area: parse, store, de-duplicate, atomically.

The file is parsed as a stream and written in batches inside one transaction;
a file that cannot be parsed rolls back whole, so nothing of it is kept. The
job row lives outside that transaction and keeps the outcome for the user.
"""

import logging
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from itertools import batched
from pathlib import Path

import orjson
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reviewapp.audit import audit_record
from reviewapp.models import Notification, TopicArea
from reviewapp.notifications import notify
from reviewapp.tasking import enqueue_on_commit
from reviewapp.versioning import StateConflict
from screening.bibrecord import RECORD_FIELDS, ParsedRecord
from screening.models import ImportJob, Record, Source
from screening.parsers import (
    ParseError,
    ParseWarning,
    csv_columns,
    csv_guess_mapping,
    csv_preset,
    detect_format,
    parse_file,
)
from screening.parsers.errors import REPAIRED
from screening.services.duplicates import deduplicate_new_records
from screening.services.import_watch import (
    STALE_AFTER,
    ImportAbandoned,
    import_heartbeat,
    import_job_lock_running,
)
from screening.services.ranking import ranking_features_request
from screening.services.screening import topic_area_enter_new_records

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
MISSING_TITLE_LISTED = 50  # line numbers listed in the summary; the count is always complete


@dataclass
class ImportSummary:
    format: str
    records: int = 0
    imported: int = 0
    duplicates_in_file: int = 0
    duplicates_existing: int = 0
    review_pairs: int = 0
    missing_title: int = 0
    missing_title_lines: list[int] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    # What the parser read with a repair (a line decoded as cp1252, a cut value, a record
    # without its end): {"line", "field", "message"} each; the job's page lists them.
    # An entry repaired or skipped also has "entry", "action" and "key", and is listed in
    # `repairs` too: the user confirms those before anything is stored.
    warnings: list[dict] = field(default_factory=list)
    repairs: list[dict] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def import_progress(job: ImportJob) -> dict:
    """Records read so far and the share of the file, for the progress bar."""
    return cache.get(progress_key(job.pk)) or {"records": 0, "percent": 0}


def import_job_create(
    *,
    topic_area: TopicArea,
    actor,
    upload,
    source_name: str,
    requested_format: str = "auto",
    source_kind: str = Source.Kind.DATABASE,
    run_date=None,
    query: str = "",
    reported_hits: int | None = None,
    parent_record=None,
    enqueue: bool = True,
) -> ImportJob:
    """Store the upload and queue its import (or ask for a CSV column mapping first).

    `enqueue=False` leaves a queued job for the caller to run (the command line
    runs `import_run` in its own process).
    """
    job = ImportJob(
        topic_area=topic_area,
        original_name=Path(upload.name).name,
        requested_format=requested_format,
        source_kind=source_kind,
        source_name=source_name,
        run_date=run_date,
        query=query,
        reported_hits=reported_hits,
        parent_record=parent_record,
        created_by=actor,
    )
    job.upload.save(job.original_name, upload, save=False)
    path = Path(job.upload.path)
    try:
        detected = (
            detect_format(path, filename=job.original_name)
            if requested_format == "auto"
            else requested_format
        )
    except ParseError as error:
        job.status = ImportJob.Status.FAILED
        job.error = str(error)
        job.finished_at = timezone.now()
        # The rejected file is not kept, and the job does not point at it.
        job.upload.delete(save=False)
        job.save()
        return job
    job.detected_format = detected
    if detected == "csv" and _csv_needs_mapping(path):
        job.status = ImportJob.Status.NEEDS_MAPPING
    job.save()
    if job.status == ImportJob.Status.QUEUED and enqueue:
        _enqueue(job)
    return job


def _csv_needs_mapping(path: Path) -> bool:
    columns = csv_columns(path)
    return csv_preset(columns) is None and "title" not in csv_guess_mapping(columns)


def import_job_set_mapping(*, job: ImportJob, mapping: dict[str, str]) -> ImportJob:
    job.csv_mapping = {name: column for name, column in mapping.items() if column}
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["csv_mapping", "status"])
    _enqueue(job)
    return job


class ImportNotWaiting(StateConflict):
    """The import is not waiting for its repairs to be confirmed (any more)."""

    code = "import_not_waiting"


def _waiting_job(job: ImportJob) -> ImportJob:
    job = ImportJob.objects.select_for_update().select_related("topic_area__project").get(pk=job.pk)
    if job.status != ImportJob.Status.NEEDS_CONFIRMATION:
        raise ImportNotWaiting(_("This import is not waiting for its repairs to be confirmed."))
    return job


def _repair_counts(job: ImportJob) -> dict:
    repairs = job.summary.get("repairs", [])
    return {
        "file": job.original_name,
        "records": job.summary.get("records", 0),
        "repaired": sum(1 for repair in repairs if repair.get("action") == REPAIRED),
        "skipped": sum(1 for repair in repairs if repair.get("action") != REPAIRED),
    }


def import_job_confirm(*, job: ImportJob, actor, enqueue: bool = True) -> ImportJob:
    """Accept the entries an import repaired or skipped: the import runs again, as a whole
    and atomically, and stores what it read. `enqueue=False` leaves it queued for the
    caller (the command line runs `import_run` itself)."""
    with transaction.atomic():
        job = _waiting_job(job)
        job.repairs_accepted = True
        job.status = ImportJob.Status.QUEUED
        job.save(update_fields=["repairs_accepted", "status"])
        audit_record(
            actor=actor,
            project=job.topic_area.project,
            action="import.confirm",
            obj=job,
            after=_repair_counts(job),
        )
        if enqueue:
            _enqueue(job)
    return job


def import_job_discard(*, job: ImportJob, actor) -> ImportJob:
    """Refuse an import waiting for its repairs to be confirmed: nothing of it is stored,
    and its file is deleted."""
    with transaction.atomic():
        job = _waiting_job(job)
        job.status = ImportJob.Status.DISCARDED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
        audit_record(
            actor=actor,
            project=job.topic_area.project,
            action="import.discard",
            obj=job,
            after=_repair_counts(job),
        )
        upload = job.upload
        transaction.on_commit(lambda: upload.delete(save=False), robust=True)
    return job


class _RepairsToConfirm(Exception):  # noqa: N818 - a signal to roll back, not an error
    """Raised inside the import's transaction to roll it back: the file was read with
    entries repaired or skipped, and the user has not confirmed them yet."""

    def __init__(self, summary: ImportSummary) -> None:
        super().__init__("repairs to confirm")
        self.summary = summary


def _enqueue(job: ImportJob) -> None:
    enqueue_on_commit("screening.tasks.import_file_task", job_id=job.pk)


def import_run(*, job: ImportJob) -> ImportSummary:
    """Run a queued import; the job ends DONE with a summary or FAILED with the reason."""
    job.status = ImportJob.Status.RUNNING
    job.started_at = job.heartbeat_at = timezone.now()
    job.save(update_fields=["status", "started_at", "heartbeat_at"])
    try:
        with import_heartbeat(job):
            summary = _import(job)
    except _RepairsToConfirm as waiting:
        # Everything read was rolled back; the summary says what would be stored. Only a
        # job still running waits: one the sweep failed meanwhile keeps its verdict.
        job.status = ImportJob.Status.NEEDS_CONFIRMATION
        job.summary = waiting.summary.to_dict()
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            status=job.status, summary=job.summary
        )
        cache.delete(progress_key(job.pk))
        return waiting.summary
    except ImportAbandoned:
        # The sweep took this worker for dead and failed the job: its verdict stands, and
        # the import was rolled back, as the job's message says.
        logger.warning(
            "import job %s was failed meanwhile (by the sweep or an administrator); rolled back",
            job.pk,
        )
        raise
    except ParseError as error:
        _job_failed(job, str(error), line=error.line, field_name=error.field)
        raise
    except Exception as error:
        # Whatever else went wrong, the import's transaction is rolled back and the job must
        # not stay "running": it fails with a message the user can act on, and the error
        # goes to the log for the operator.
        logger.exception("import job %s failed", job.pk)
        _job_failed(
            job,
            _(
                "The import failed unexpectedly (%(error)s); nothing from the file was kept. "
                "The error is in the server's log."
            )
            % {"error": f"{type(error).__name__}: {error}"[:300]},
        )
        raise
    job.status = ImportJob.Status.DONE
    job.summary = summary.to_dict()
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "summary", "finished_at", "source"])
    cache.delete(progress_key(job.pk))
    _notify_ended(job, "done")
    return summary


def _notify_ended(job: ImportJob, what: str) -> None:
    topic_area = job.topic_area
    notify(
        users=[job.created_by],
        kind=Notification.Kind.IMPORT,
        project=topic_area.project,
        params={"file": job.original_name, "what": what},
        path=reverse(
            "import_job",
            kwargs={
                "slug": topic_area.project.slug,
                "topic_key": topic_area.key,
                "job_id": job.pk,
            },
        ),
    )


def _job_failed(job: ImportJob, message: str, *, line=None, field_name=None) -> None:
    job.status = ImportJob.Status.FAILED
    job.error = message
    job.summary = {
        "format": job.detected_format,
        "errors": [{"line": line, "field": field_name, "message": message}],
    }
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "summary", "finished_at"])
    cache.delete(progress_key(job.pk))
    _notify_ended(job, "failed")


def _import(job: ImportJob) -> ImportSummary:
    path = Path(job.upload.path)
    summary = ImportSummary(format=job.detected_format)
    with transaction.atomic():
        started = time.perf_counter()
        source = Source.objects.create(
            topic_area=job.topic_area,
            kind=job.source_kind,
            parent_record=job.parent_record,
            name=job.source_name,
            run_date=job.run_date,
            query=job.query,
            reported_hits=job.reported_hits,
            file_name=job.original_name,
            file_format=job.detected_format,
            created_by=job.created_by,
        )
        warnings: list[ParseWarning] = []
        records = parse_file(
            path,
            job.detected_format,
            filename=job.original_name,
            csv_mapping=job.csv_mapping or None,
            warnings=warnings,
        )
        total_lines = _count_lines(path)
        summary.seconds.update(
            _write_records(
                source,
                records,
                summary,
                lambda done, line: _report_progress(job, done, line, total_lines),
            )
        )
        # Complete now that the records have run out.
        summary.warnings = [_warning_row(warning) for warning in warnings]
        summary.repairs = [_warning_row(warning) for warning in warnings if warning.changes_entries]
        if summary.repairs and not job.repairs_accepted:
            raise _RepairsToConfirm(summary)
        dedup_started = time.perf_counter()
        outcome = deduplicate_new_records(topic_area=job.topic_area, source=source)
        summary.duplicates_in_file = outcome.duplicates_in_file
        summary.duplicates_existing = outcome.duplicates_existing
        summary.review_pairs = outcome.review_pairs
        summary.imported = (
            summary.records - outcome.duplicates_in_file - outcome.duplicates_existing
        )
        summary.seconds["deduplicate"] = round(time.perf_counter() - dedup_started, 3)
        # Once screening is set up, the new unique records join the first stage's queue.
        if topic_area_enter_new_records(topic_area=job.topic_area):
            # A new record set: have a prioritised first stage's features ready for its
            # next retrain. Only after imports: undoing a merge or restoring a source from
            # the bin changes the set too, but several in a row would each compute them
            # again; the next retrain does it once.
            ranking_features_request(stage=job.topic_area.stages.order_by("position").first())
        source.records_read = summary.records
        source.records_missing_title = summary.missing_title
        source.save(update_fields=["records_read", "records_missing_title"])
        import_job_lock_running(job)
        job.source = source
        audit_record(
            actor=job.created_by,
            project=job.topic_area.project,
            action="source.import",
            obj=source,
            after={
                "file": job.original_name,
                "format": summary.format,
                "records": summary.records,
                "imported": summary.imported,
                "duplicates_in_file": summary.duplicates_in_file,
                "duplicates_existing": summary.duplicates_existing,
            },
        )
        summary.seconds["total"] = round(time.perf_counter() - started, 3)
    return summary


def _warning_row(warning: ParseWarning) -> dict:
    return {
        "line": warning.line,
        "field": warning.field,
        "entry": warning.entry,
        "action": warning.action,
        "key": warning.key,
        "message": str(warning),
    }


def _count_lines(path: Path) -> int:
    """Line ends in the file (LF, or CR for CR-only files); cheap next to parsing."""
    lf = cr = 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            lf += chunk.count(b"\n")
            cr += chunk.count(b"\r")
    return max(lf, cr)


def _report_progress(job, done: int, line: int, total_lines: int) -> None:
    # The share of the file is read off the line the last record started on;
    # single-line files (some XML exports) only report the record count.
    percent = min(99, round(100 * line / total_lines)) if total_lines > 1 and line else None
    cache.set(progress_key(job.pk), {"records": done, "percent": percent}, timeout=3600)


def _record_row(source: Source, position: int, parsed: ParsedRecord) -> Record:
    return Record(
        topic_area_id=source.topic_area_id,
        source=source,
        position=position,
        source_line=parsed.line,
        title=parsed.title,
        abstract=parsed.abstract,
        authors=parsed.authors,
        year=parsed.year,
        journal=parsed.journal,
        volume=parsed.volume[:100],
        issue=parsed.issue[:100],
        pages=parsed.pages[:100],
        doi=parsed.doi[:255],
        pmid=parsed.pmid[:20],
        url=parsed.url,
        keywords=parsed.keywords,
        language=parsed.language[:100],
        publication_type=parsed.publication_type[:200],
        raw=parsed.raw,
    )


# The order of _copy_row's values: the record's fields (screening.bibrecord) among the
# row's own columns.
COPY_COLUMNS = [
    "topic_area_id",
    "source_id",
    "position",
    "source_line",
    *RECORD_FIELDS,
    "raw",
    "duplicate_reason",
    "version",
]


def _write_records(source, records, summary: ImportSummary, on_progress) -> dict[str, float]:
    """Write parsed records in batches; PostgreSQL's COPY where available.

    Returns the seconds spent reading the file ("parse": waiting for the next
    batch of the parser's stream) and storing it ("write"), and both together.
    """
    parse = write = 0.0
    position = 0
    batches = batched(records, BATCH_SIZE)
    with _record_writer(source) as write_batch:
        while True:
            started = time.perf_counter()
            batch = next(batches, None)
            parsed_at = time.perf_counter()
            parse += parsed_at - started
            if batch is None:
                break
            for parsed in batch:
                if not parsed.title.strip():
                    summary.missing_title += 1
                    if len(summary.missing_title_lines) < MISSING_TITLE_LISTED:
                        summary.missing_title_lines.append(parsed.line)
                position += 1
            write_batch(position - len(batch) + 1, batch)
            summary.records = position
            on_progress(position, batch[-1].line)
            write += time.perf_counter() - parsed_at
        finishing = time.perf_counter()
    write += time.perf_counter() - finishing  # the server storing what is still queued
    return {
        "parse_and_write": round(parse + write, 3),
        "parse": round(parse, 3),
        "write": round(write, 3),
    }


@contextmanager
def _record_writer(source: Source):
    """A function that stores a batch of parsed records (numbered from `first`).

    On PostgreSQL every batch goes into one COPY, sent by psycopg's queued writer
    from a thread of its own, so the server stores rows while the next batch is
    parsed; nothing else may use the connection until the block ends. Other
    databases get one bulk_create per batch.
    """
    if connection.vendor != "postgresql":
        yield lambda first, batch: Record.objects.bulk_create(
            [_record_row(source, first + offset, parsed) for offset, parsed in enumerate(batch)]
        )
        return
    from psycopg.copy import QueuedLibpqWriter  # noqa: PLC0415 -- PostgreSQL only: SQLite never loads psycopg

    columns = ", ".join(COPY_COLUMNS)
    statement = f"COPY screening_record ({columns}) FROM STDIN"  # noqa: S608 - fixed columns
    with connection.cursor() as cursor:
        raw_cursor = cursor.cursor
        with raw_cursor.copy(statement, writer=QueuedLibpqWriter(raw_cursor)) as copy:
            write_row = copy.write_row
            topic_area_id, source_id = source.topic_area_id, source.pk

            def write_batch(first: int, batch) -> None:
                for position, parsed in enumerate(batch, start=first):
                    write_row(_copy_row(topic_area_id, source_id, position, parsed))

            yield write_batch


def _copy_row(topic_area_id: int, source_id: int, position: int, parsed: ParsedRecord) -> tuple:
    """A COPY row for COPY_COLUMNS: the fields of _record_row, without NUL characters."""
    return (
        topic_area_id,
        source_id,
        position,
        parsed.line,
        _clean(parsed.title),
        _clean(parsed.abstract),
        _json(parsed.authors),
        parsed.year,
        _clean(parsed.journal),
        _clean(parsed.volume[:100]),
        _clean(parsed.issue[:100]),
        _clean(parsed.pages[:100]),
        _clean(parsed.doi[:255]),
        _clean(parsed.pmid[:20]),
        _clean(parsed.url),
        _json(parsed.keywords),
        _clean(parsed.language[:100]),
        _clean(parsed.publication_type[:200]),
        _json(parsed.raw),
        "",
        1,  # the record as imported is its first version
    )


def _clean(text: str) -> str:
    # PostgreSQL text cannot hold NUL; exports occasionally carry one.
    return text.replace("\x00", "")


def _json(value) -> str:
    """JSON for a jsonb column, which cannot hold NUL (written \\u0000) either.

    orjson rather than the standard library: three JSON values per record were an
    eighth of a 100,000-record import, and orjson writes them five times faster."""
    text = orjson.dumps(value).decode()
    if "\\u0000" in text:  # rarely: re-encode with the NULs taken out of the strings
        text = orjson.dumps(_without_nul(value)).decode()
    return text


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def import_job_fail_stuck(*, job: ImportJob) -> bool:
    """An installation admin's way out for a job left queued or running (a worker killed
    mid-import): it fails with a message and can be uploaded again. False if it had ended."""
    locked = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    ).first()
    if locked is None:
        return False
    _job_failed(
        locked,
        _("The import was stopped by an administrator; upload the file again to retry."),
    )
    return True


def import_jobs_sweep(*, stale_after: timedelta = STALE_AFTER) -> int:
    """Fail every running import whose heartbeat stopped (its worker died); returns how many.

    A job a live worker is finishing holds its row lock and is skipped."""
    cutoff = timezone.now() - stale_after
    message = _(
        "The worker stopped while importing this file; nothing from it was stored. "
        "Import the file again."
    )
    count = 0
    with transaction.atomic():
        abandoned = (
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(status=ImportJob.Status.RUNNING)
            .filter(
                Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
            )
        )
        for job in abandoned:
            logger.warning("import job %s: no heartbeat since %s, failed", job.pk, job.heartbeat_at)
            _job_failed(job, message)
            count += 1
    return count
