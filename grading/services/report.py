"""Every write of the report: its stored tables, the lead's report settings, and the
exports built from the tables. (Comments: grading.services.comments.)

The tables of a topic area are rebuilt from the data by `report_tables_rebuild`, which the
verdict recompute calls after every recompute (grading.services.verdicts), so they
are as fresh as the verdicts. Changes the recompute does not see (ungraded categories,
studies without results, final levels, the report settings) ask for a rebuild on commit
(`report_tables_request`); screening decisions and hand-entered flow counts are noticed by
the report page and the exports, which compare the screening digest stored with the tables
(`report_tables_refresh`).
"""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from grading.frameworks import get_framework
from grading.models import Comment, ReportSettings, ReportSnapshot
from grading.queries import report as queries_report
from grading.report import checks, tables, writers
from grading.report.labels import export_text, pick
from reviewapp.audit import audit_record
from reviewapp.models import Project, TopicArea
from reviewapp.spreadsheets import SafeDictWriter
from reviewapp.tasking import enqueue_on_commit
from reviewapp.versioning import check_version
from screening import flow

# A worker picks a rebuild up within a second or two; a request older than this is taken as
# lost (the broker was down).
REQUEST_TIMEOUT = timedelta(seconds=30)

SETTINGS_FIELDS = ["moderate_high_counts_as", "low_moderate_counts_as", "statements"]
FORMATS = {
    "xlsx": (
        writers.write_xlsx,
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "docx": (
        writers.write_docx,
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "csv": (writers.write_csv_zip, "zip", "application/zip"),
    "json": (writers.write_json, "json", "application/json"),
}
EXPORT_FORMATS = (*FORMATS, "ris", "prisma-csv")


# --------------------------------------------------------------------------------------------
# Settings


def report_settings_get(topic_area: TopicArea) -> ReportSettings:
    """The topic area's settings, or the defaults (unsaved) when a lead set none."""
    found = ReportSettings.objects.filter(topic_area=topic_area).first()
    return found or ReportSettings(topic_area=topic_area, version=0)


@transaction.atomic
def report_settings_update(
    *,
    topic_area: TopicArea,
    actor,
    expected_version: int,
    moderate_high_counts_as: str,
    low_moderate_counts_as: str,
    statements: dict[str, str],
) -> ReportSettings:
    """A lead's statements and counting options; audited, and the tables rebuilt."""
    if not actor.has_perm("grading.change_report", topic_area.project):
        raise PermissionDenied
    current, _created = ReportSettings.objects.get_or_create(
        topic_area=topic_area, defaults={"version": 0}
    )
    locked = ReportSettings.objects.select_for_update().get(pk=current.pk)
    check_version(locked, expected_version)
    keys = set(topic_area.categories.values_list("key", flat=True))
    unknown = set(statements) - keys
    if unknown:
        raise ValidationError({"statements": _("Unknown categories: %s") % ", ".join(unknown)})
    before = {name: getattr(locked, name) for name in SETTINGS_FIELDS}
    locked.moderate_high_counts_as = moderate_high_counts_as
    locked.low_moderate_counts_as = low_moderate_counts_as
    locked.statements = {key: text.strip() for key, text in statements.items() if text.strip()}
    locked.full_clean()
    locked.version += 1
    locked.save()
    audit_record(
        actor=actor,
        project=topic_area.project,
        action="report_settings.update",
        obj=locked,
        before=before,
        after={name: getattr(locked, name) for name in SETTINGS_FIELDS},
    )
    report_tables_request(topic_area=topic_area)
    return locked


# --------------------------------------------------------------------------------------------
# Stored tables


def report_topic_input(topic_area: TopicArea, *, agreement_rows=None) -> tables.TopicInput:
    settings = report_settings_get(topic_area)
    framework = get_framework(topic_area.project.evidence_framework)
    counts = queries_report.topic_flow(topic_area)
    return tables.TopicInput(
        key=topic_area.key,
        title=topic_area.title,
        framework_labels=(framework.label_da, framework.label_en),
        categories=queries_report.category_rows(topic_area, settings.statements),
        studies=queries_report.study_rows(topic_area),
        flow=counts,
        agreement_rows=tuple(
            agreement_rows
            if agreement_rows is not None
            else queries_report.agreement_rows(topic_area)
        ),
        moderate_high_as=settings.moderate_high_counts_as,
        low_moderate_as=settings.low_moderate_counts_as,
    )


def report_tables_rebuild(*, topic_area: TopicArea) -> ReportSnapshot:
    """Rebuild and store the topic area's tables and problems (idempotent).

    The agreement statistics read every screening decision, so they are recomputed only when
    the decisions changed since the last rebuild; everything else is rebuilt every time.
    """
    # Only what the rebuild needs of the previous tables, not their megabytes of JSON.
    previous = (
        ReportSnapshot.objects.filter(topic_area=topic_area)
        .values_list("stale_since", "tables__facts__decisions", "tables__facts__agreement_rows")
        .first()
    )
    seen_stale, seen_decisions, seen_agreement = previous or (None, None, None)
    decisions = queries_report.decisions_digest(topic_area)
    reuse = seen_decisions == decisions and seen_agreement is not None
    topic = report_topic_input(topic_area, agreement_rows=seen_agreement if reuse else None)
    built = tables.build(topic)
    built["facts"].update(
        decisions=decisions,
        agreement_rows=list(topic.agreement_rows),
        screening=queries_report.screening_digest(topic.flow, decisions),
    )
    problems = checks.check(topic, built["facts"]["counts"])
    with transaction.atomic():
        snapshot, _created = (
            ReportSnapshot.objects.select_for_update()
            .only("id", "topic_area", "stale_since")
            .get_or_create(topic_area=topic_area)
        )
        snapshot.tables = built
        snapshot.problems = problems
        snapshot.computed_at = timezone.now()
        settled = snapshot.stale_since == seen_stale
        if settled:
            snapshot.stale_since = None
        snapshot.save(update_fields=["tables", "problems", "computed_at", "stale_since"])
    if not settled:
        # A request came in while this ran, and its change may not have been read.
        _enqueue_rebuild(topic_area.pk)
    return snapshot


def report_tables_request(*, topic_area: TopicArea) -> None:
    """Mark the tables stale and rebuild them after commit (on a worker when there is one).

    Requests coalesce: while a rebuild is already asked for (and not older than
    REQUEST_TIMEOUT, after which it is taken as lost), a request only moves the stale mark,
    so a transaction that saves twenty studies asks for one rebuild, and a rebuild that sees
    the mark move while it ran asks again.
    """
    now = timezone.now()
    prior = (
        ReportSnapshot.objects.filter(topic_area=topic_area)
        .values_list("stale_since", flat=True)
        .first()
    )
    ReportSnapshot.objects.filter(topic_area=topic_area).update(stale_since=now)
    if prior is not None and now - prior < REQUEST_TIMEOUT:
        return
    _enqueue_rebuild(topic_area.pk)


def _enqueue_rebuild(topic_area_id: int) -> None:
    # A broker that is down is logged by enqueue_on_commit; the report page's refresh rebuilds.
    enqueue_on_commit("grading.tasks.rebuild_report_task", topic_area_id=topic_area_id)


def report_tables_refresh(*, project: Project) -> list[TopicArea]:
    """Rebuild the tables of every topic area whose tables are missing or no longer match
    the screening data (decisions or hand-entered flow counts changed); the rebuilt ones.

    Synchronous: the report page and the exports call it, and their reader should see the
    numbers the flow page shows now, not after a worker's round trip. Screening does not
    tell grading about its changes, so this comparison is how the tables learn of them. A
    rebuild asked for longer than REQUEST_TIMEOUT ago (the broker lost it) is done here too.
    """
    rebuilt = []
    # Only the digest: the stored tables of a large project are megabytes of JSON.
    stored = {
        topic_area_id: (computed_at, stale_since, digest)
        for topic_area_id, computed_at, stale_since, digest in ReportSnapshot.objects.filter(
            topic_area__project=project
        ).values_list("topic_area_id", "computed_at", "stale_since", "tables__facts__screening")
    }
    for topic_area in project.topic_areas.order_by("position", "id"):
        topic_area.project = project
        computed_at, stale_since, digest = stored.get(topic_area.pk, (None, None, None))
        lost = stale_since is not None and timezone.now() - stale_since > REQUEST_TIMEOUT
        if computed_at is not None and not lost:
            counts = queries_report.topic_flow(topic_area)
            decisions = queries_report.decisions_digest(topic_area)
            if digest == queries_report.screening_digest(counts, decisions):
                continue
        report_tables_rebuild(topic_area=topic_area)
        rebuilt.append(topic_area)
    return rebuilt


def report_tables_for(project: Project) -> list[dict]:
    """Every topic area's stored tables: ``{"topic_area", "computed_at", "stale", "tables",
    "problems"}`` with tables as stored (``{"facts", "da", "en"}``), building missing ones."""
    found = []
    for topic_area in project.topic_areas.select_related("report_snapshot").order_by(
        "position", "id"
    ):
        topic_area.project = project
        snapshot = getattr(topic_area, "report_snapshot", None)
        if snapshot is None or snapshot.computed_at is None:
            snapshot = report_tables_rebuild(topic_area=topic_area)
        found.append(
            {
                "topic_area": topic_area,
                "computed_at": snapshot.computed_at,
                "stale": snapshot.stale_since is not None,
                "tables": snapshot.tables,
                "problems": snapshot.problems,
            }
        )
    return found


# --------------------------------------------------------------------------------------------
# Exports


def _when(value) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i") if value else ""


def comment_entries(project: Project, language: str) -> list[dict]:
    kinds = dict(Comment.Target.choices)
    entries = []
    for comment in queries_report.comments_for(project):
        entries.append(
            {
                "id": comment.pk,
                "reply_to": comment.parent_id,
                "topic": comment.topic_area.title if comment.topic_area else "",
                "on": f"{kinds[comment.target_kind]}: {comment.target_label}",
                "target_kind": comment.target_kind,
                "target_id": comment.target_id,
                "author": comment.author.get_username() if comment.author else "",
                "created_at": _when(comment.created_at),
                "body": comment.body,
                "resolved": _when(comment.resolved_at)
                or (export_text("no", language) if comment.parent_id is None else ""),
            }
        )
    return entries


def report_document(project: Project, language: str) -> dict:
    """The plain document every writer takes (see `grading.report.writers`)."""
    report_tables_refresh(project=project)
    topics = []
    for entry in report_tables_for(project):
        stored = entry["tables"][language]
        topics.append(
            {
                "key": entry["topic_area"].key,
                "title": stored["title"],
                "computed_at": _when(entry["computed_at"]),
                "tables": stored["tables"],
                "verdicts": stored["verdicts"],
                "problems": [pick(tuple(p["message"]), language) for p in entry["problems"]],
            }
        )
    return {
        "project": project.title,
        "language": language,
        "generated_at": _when(timezone.now()),
        "topics": topics,
        "comments": comment_entries(project, language),
    }


def ris_entries(project: Project) -> list[dict]:
    entries = []
    for record in queries_report.included_records(project):
        entry = {
            "type_of_reference": "JOUR" if record.journal else "GEN",
            "title": record.title,
            "authors": list(record.authors),
            "year": str(record.year) if record.year else "",
            "secondary_title": record.journal,
            "volume": record.volume,
            "number": record.issue,
            "doi": record.doi,
            "abstract": record.abstract,
            "keywords": list(record.keywords),
            "urls": [record.url] if record.url else [],
            "language": record.language,
            "notes": [f"{record.topic_area.title}; reviewapp record {record.pk}"],
        }
        if record.pages:
            start, _sep, end = record.pages.partition("-")
            entry["start_page"] = start.strip()
            if end.strip():
                entry["end_page"] = end.strip()
        if record.pmid:
            entry["accession_number"] = record.pmid
        entries.append({key: value for key, value in entry.items() if value not in ("", [])})
    return entries


def prisma_csv_export(project: Project) -> tuple[bytes, str, str]:
    """The PRISMA2020 package's CSV: one file for one topic area, else a zip of them."""
    files = {}
    for topic_area in project.topic_areas.order_by("position", "id"):
        topic_area.project = project
        counts = queries_report.topic_flow(topic_area)
        if counts is None:
            continue
        buffer = io.StringIO()
        writer = SafeDictWriter(buffer, fieldnames=flow.PRISMA_CSV_FIELDS)
        writer.writeheader()
        writer.writerows(flow.flow_prisma_csv(counts))
        files[f"prisma-{topic_area.key}.csv"] = buffer.getvalue().encode("utf-8")
    if len(files) == 1:
        name, data = next(iter(files.items()))
        return data, name, "text/csv; charset=utf-8"
    archive_buffer = io.BytesIO()
    with zipfile.ZipFile(archive_buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return archive_buffer.getvalue(), f"prisma-{project.slug}.zip", "application/zip"


def report_export(project: Project, fmt: str, language: str) -> tuple[bytes, str, str]:
    """One export of the report: (content, file name, content type). Reads stored tables."""
    if fmt == "ris":
        return (
            writers.write_ris(ris_entries(project)),
            f"{project.slug}-included.ris",
            "application/x-research-info-systems",
        )
    if fmt == "prisma-csv":
        return prisma_csv_export(project)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(EXPORT_FORMATS)}")
    writer, extension, content_type = FORMATS[fmt]
    content = writer(report_document(project, language))
    return content, f"{project.slug}-report-{language}.{extension}", content_type
