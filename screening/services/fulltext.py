"""Full-text writes: attach a PDF, attach many from a zip, mark a record not retrievable, remove.

Every file is checked before anything is stored: its size against `FULLTEXT_MAX_BYTES` and its
first bytes (`screening.fulltext.pdf_problem`), so an HTML error page saved as ".pdf" is refused
with its name. Files are stored under our own name ("record-<id>.pdf"), never the uploader's.

Zip archives are read member by member from the upload, never unpacked to disk under their own
names: a member's declared size and the archive's declared total are checked before a byte is
inflated, and the copy counts what it inflates, so neither a zip bomb nor a member that lies about
its size gets further than the limit. Members in folders or with absolute names are refused.

A replaced or removed file is deleted from storage once the transaction commits, so a rollback
never leaves a record pointing at a deleted file.
"""

from __future__ import annotations

import hashlib
import posixpath
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from reviewapp.audit import audit_record, snapshot
from reviewapp.models import TopicArea
from screening import fulltext, queries
from screening.models import Claim, Decision, FullText, Record, ScreeningItem, Stage

CHUNK_BYTES = 64 * 1024
AUDIT_FIELDS = ["original_name", "size", "sha256", "not_retrievable", "note"]
ENCRYPTED = 0x1  # zip general purpose flag bit 0
MAX_MEMBERS = 5000


class TooLarge(Exception):
    """A file grew past the limit while it was copied."""


@dataclass(frozen=True)
class ZipMatch:
    name: str
    record: Record
    rule: fulltext.Rule
    replaced: bool


@dataclass(frozen=True)
class ZipAmbiguous:
    name: str
    records: list[Record]
    reason: fulltext.Ambiguity


@dataclass(frozen=True)
class ZipProblem:
    name: str
    message: str


@dataclass
class ZipReport:
    """What became of each file in an uploaded zip; nothing is left out silently except folders
    and the operating system's metadata files."""

    archive: str
    matched: list[ZipMatch] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    ambiguous: list[ZipAmbiguous] = field(default_factory=list)
    not_pdf: list[ZipProblem] = field(default_factory=list)
    refused: list[ZipProblem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "matched": len(self.matched),
            "unmatched": len(self.unmatched),
            "ambiguous": len(self.ambiguous),
            "not_pdf": len(self.not_pdf),
            "refused": len(self.refused),
        }


def _too_large_message(name: str, size: int, limit: int) -> str:
    return _("%(name)s is %(size)s; the largest PDF accepted is %(limit)s.") % {
        "name": name,
        "size": filesizeformat(size),
        "limit": filesizeformat(limit),
    }


def _pdf_message(problem: fulltext.PdfProblem, name: str) -> str:
    messages = {
        fulltext.PdfProblem.EMPTY: _("%(name)s is empty."),
        fulltext.PdfProblem.HTML: _(
            "%(name)s is a web page, not a PDF: it was probably saved from an error or login "
            "page. Download the PDF itself and upload that."
        ),
        fulltext.PdfProblem.NOT_PDF: _("%(name)s is not a PDF."),
    }
    return messages[problem] % {"name": name}


def _name_message(problem: fulltext.NameProblem, name: str) -> str:
    if problem == fulltext.NameProblem.EMPTY:
        return _("A file without a name was skipped.")
    return _(
        "%(name)s is in a folder or has an absolute path; put the PDFs at the top of the zip."
    ) % {"name": name}


def _display_name(name: str) -> str:
    return posixpath.basename((name or "").replace("\\", "/"))[:255] or "upload.pdf"


def _spool(chunks: Iterable[bytes], limit: int):
    """Copy to a temporary file, hashing; (file, size, sha256). Raises TooLarge past `limit`."""
    # Handed to the caller, which closes it (or the `with` in `_store` does).
    spooled = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
    digest = hashlib.sha256()
    size = 0
    try:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise TooLarge
            digest.update(chunk)
            spooled.write(chunk)
    except BaseException:
        spooled.close()
        raise
    spooled.seek(0)
    return spooled, size, digest.hexdigest()


def _checked_pdf(chunks: Iterable[bytes], *, name: str, declared_size: int):
    """The spooled copy of a PDF, or a ValidationError that names the file."""
    limit = settings.FULLTEXT_MAX_BYTES
    if declared_size > limit:
        raise ValidationError(_too_large_message(name, declared_size, limit))
    try:
        spooled, size, sha256 = _spool(chunks, limit)
    except TooLarge:
        message = _too_large_message(name, max(declared_size, limit + 1), limit)
        raise ValidationError(message) from None
    problem = fulltext.pdf_problem(spooled.read(fulltext.HEAD_BYTES))
    spooled.seek(0)
    if problem is not None:
        spooled.close()
        raise ValidationError(_pdf_message(problem, name))
    return spooled, size, sha256


def _at_fulltext_stage(record: Record) -> bool:
    return ScreeningItem.objects.filter(record=record, stage__kind=Stage.Kind.FULLTEXT).exists()


def _lock(record: Record) -> Record:
    locked = (
        Record.objects.select_for_update().select_related("topic_area__project").get(pk=record.pk)
    )
    if locked.canonical_id is not None or not _at_fulltext_stage(locked):
        raise ValidationError(_("This record is not at a full-text stage."))
    return locked


def _existing(record: Record) -> FullText | None:
    return FullText.objects.filter(record=record).first()


def _audit(actor, record: Record, action: str, before: dict | None, after: dict | None = None):
    audit_record(
        actor=actor,
        project=record.topic_area.project,
        action=action,
        obj=record,
        before=before,
        after=after,
    )


def _delete_file_on_commit(name: str) -> None:
    if name:
        storage = FullText._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(name), robust=True)


def _store(*, record: Record, actor, spooled, original_name: str, size: int, sha256: str):
    """Attach the checked PDF to the locked record; returns (full text, whether one was there)."""
    existing = _existing(record)
    if existing and existing.file and existing.sha256 == sha256:
        spooled.close()
        return existing, True  # the same file again: nothing changes
    before = snapshot(existing, AUDIT_FIELDS) if existing else None
    old_file = existing.file.name if existing else ""
    text = existing or FullText(record=record)
    text.not_retrievable = False
    text.note = ""
    text.original_name = original_name
    text.size = size
    text.sha256 = sha256
    text.uploaded_by = actor
    with spooled:
        text.file.save(f"{fulltext.RECORD_KEY_PREFIX}-{record.pk}.pdf", File(spooled), save=False)
    text.save()
    _delete_file_on_commit(old_file)
    _audit(actor, record, "fulltext.attach", before, snapshot(text, AUDIT_FIELDS))
    return text, existing is not None


@transaction.atomic
def fulltext_attach(*, record: Record, actor, upload) -> FullText:
    """Attach an uploaded PDF to a record at a full-text stage, replacing what it had."""
    record = _lock(record)
    name = _display_name(upload.name)
    spooled, size, sha256 = _checked_pdf(upload.chunks(), name=name, declared_size=upload.size)
    text, _replaced = _store(
        record=record,
        actor=actor,
        spooled=spooled,
        original_name=name,
        size=size,
        sha256=sha256,
    )
    return text


def _member_chunks(member) -> Iterator[bytes]:
    while chunk := member.read(CHUNK_BYTES):
        yield chunk


# What a damaged or unsupported member raises while it is read.
MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


def _open_archive(upload, name: str) -> zipfile.ZipFile:
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("%(name)s is %(size)s; the largest archive accepted is %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
            }
        )
    try:
        upload.seek(0)
        return zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, EOFError):
        raise ValidationError(_("%(name)s is not a zip archive.") % {"name": name}) from None


def _screen_members(archive: zipfile.ZipFile, report: ZipReport, archive_name: str):
    """The members worth reading; refused and non-PDF members go into the report."""
    if len(archive.infolist()) > MAX_MEMBERS:
        # Many tiny members cost a read each: a zip bomb by count rather than by size.
        raise ValidationError(
            _("%(name)s holds more than %(limit)s files; split it into smaller zips.")
            % {"name": archive_name, "limit": MAX_MEMBERS}
        )
    members = [info for info in archive.infolist() if not fulltext.is_archive_noise(info.filename)]
    total = sum(info.file_size for info in members)
    if total > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("%(name)s unpacks to %(size)s; the most accepted is %(limit)s.")
            % {
                "name": archive_name,
                "size": filesizeformat(total),
                "limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
            }
        )
    readable = []
    for info in members:
        name = info.filename
        problem = fulltext.member_name_problem(name)
        if problem is not None:
            report.refused.append(ZipProblem(name, _name_message(problem, name)))
        elif info.flag_bits & ENCRYPTED:
            report.refused.append(
                ZipProblem(name, _("%(name)s is encrypted; add it unencrypted.") % {"name": name})
            )
        elif info.file_size > settings.FULLTEXT_MAX_BYTES:
            report.refused.append(
                ZipProblem(
                    name, _too_large_message(name, info.file_size, settings.FULLTEXT_MAX_BYTES)
                )
            )
        else:
            try:
                with archive.open(info) as member:
                    head = member.read(fulltext.HEAD_BYTES)
            except MEMBER_ERRORS:
                report.refused.append(ZipProblem(name, _damaged_message(name)))
                continue
            pdf = fulltext.pdf_problem(head)
            if pdf is None:
                readable.append(info)
            else:
                report.not_pdf.append(ZipProblem(name, _pdf_message(pdf, name)))
    return readable


def _damaged_message(name: str) -> str:
    return _(
        "%(name)s could not be read from the zip (damaged or compressed in an unusual way)."
    ) % {"name": name}


def _record_keys(record: Record) -> fulltext.RecordKeys:
    return fulltext.RecordKeys(
        record_id=record.pk,
        doi=record.doi,
        first_author=record.first_author,
        year=record.year,
        title=record.title,
    )


def _check_fulltext_stage(stage: Stage, topic_area: TopicArea) -> None:
    if stage.topic_area_id != topic_area.pk or stage.kind != Stage.Kind.FULLTEXT:
        raise ValidationError(_("Full texts belong to a full-text stage."))


@transaction.atomic
def fulltext_attach_zip(*, topic_area: TopicArea, stage: Stage, actor, upload) -> ZipReport:
    """Attach every PDF in a zip to the record of the stage its file name names.

    Names are matched by `screening.fulltext.Matcher`; a name that fits no record, or several,
    or a record that several files fit, is reported and nothing is attached for it.
    """
    _check_fulltext_stage(stage, topic_area)
    archive_name = _display_name(upload.name)
    report = ZipReport(archive=archive_name)
    with _open_archive(upload, archive_name) as archive:
        readable = _screen_members(archive, report, archive_name)
        records = {record.pk: record for record in queries.fulltext_records(stage)}
        result = fulltext.Matcher(_record_keys(r) for r in records.values()).match(
            info.filename for info in readable
        )
        report.unmatched = result.unmatched
        report.ambiguous = [
            ZipAmbiguous(a.name, [records[pk] for pk in a.record_ids], a.reason)
            for a in result.ambiguous
        ]
        by_name = {info.filename: info for info in readable}
        for match in result.matched:
            info = by_name[match.name]
            record = _lock(records[match.record_id])
            try:
                with archive.open(info) as member:
                    spooled, size, sha256 = _checked_pdf(
                        _member_chunks(member), name=match.name, declared_size=info.file_size
                    )
            except MEMBER_ERRORS:
                report.refused.append(ZipProblem(match.name, _damaged_message(match.name)))
                continue
            except ValidationError as error:
                report.refused.append(ZipProblem(match.name, " ".join(error.messages)))
                continue
            _text, replaced = _store(
                record=record,
                actor=actor,
                spooled=spooled,
                original_name=_display_name(match.name),
                size=size,
                sha256=sha256,
            )
            report.matched.append(
                ZipMatch(match.name, records[match.record_id], match.rule, replaced)
            )
    audit_record(
        actor=actor,
        project=topic_area.project,
        action="fulltext.attach_zip",
        obj=stage,
        after={"file": archive_name, **report.counts()},
    )
    return report


@transaction.atomic
def fulltext_mark_not_retrievable(*, record: Record, actor, note: str = "") -> FullText:
    """Record that no full text could be had. The record counts as "reports not retrieved"
    and leaves the full-text queue. Refused while a PDF is attached (remove it first) and once
    a reviewer has decided the record at a full-text stage (it was assessed, so retrieved)."""
    record = _lock(record)
    existing = _existing(record)
    if existing and existing.file:
        raise ValidationError(
            _("A PDF is attached to this record; remove it before marking it not retrievable.")
        )
    if Decision.objects.filter(item__record=record, item__stage__kind=Stage.Kind.FULLTEXT).exists():
        raise ValidationError(
            _("Reviewers have decided this record's full text; it cannot be not retrievable.")
        )
    before = snapshot(existing, AUDIT_FIELDS) if existing else None
    text = existing or FullText(record=record)
    text.not_retrievable = True
    text.note = note
    text.original_name = ""
    text.size = 0
    text.sha256 = ""
    text.uploaded_by = actor
    text.save()
    # A reviewer holding it in their queue would be handed it again on a reload.
    Claim.objects.filter(item__record=record, item__stage__kind=Stage.Kind.FULLTEXT).delete()
    _audit(actor, record, "fulltext.not_retrievable", before, snapshot(text, AUDIT_FIELDS))
    return text


@transaction.atomic
def fulltext_remove(*, record: Record, actor) -> bool:
    """Take a record's PDF or its "not retrievable" mark away; False when it had neither."""
    record = _lock(record)
    existing = _existing(record)
    if existing is None:
        return False
    before = snapshot(existing, AUDIT_FIELDS)
    _delete_file_on_commit(existing.file.name)
    existing.delete()
    _audit(actor, record, "fulltext.remove", before)
    return True
