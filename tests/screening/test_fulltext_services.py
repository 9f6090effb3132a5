"""Full-text services: attaching one PDF or a zip of many, "not retrievable", removal, the
checks on what is uploaded, the audit trail and the full-text queue."""

import hashlib
import io
import os
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from reviewapp.models import AuditEntry
from screening import queries
from screening.fulltext import Ambiguity, Rule
from screening.models import Claim, FullText, ScreeningItem, Source, Stage
from screening.services import fulltext as services
from screening.services.screening import (
    decision_record,
    screening_next,
    stage_enter_records,
    stages_set_up,
)
from tests.factories.screening import RecordFactory, SourceFactory


def tiny_pdf(text: str = "A study of caseloads") -> bytes:
    """A one-page PDF that readers open: five objects and a correct cross-reference table."""
    stream = f"BT /F1 18 Tf 20 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


HTML_PAGE = b"<!DOCTYPE html><html><body>Please log in to read this article</body></html>"


def pdf_upload(name: str = "hainmueller.pdf", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_pdf() if data is None else data, "application/pdf")


def zip_upload(members: dict[str, bytes], name: str = "fulltexts.zip") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return SimpleUploadedFile(name, buffer.getvalue(), "application/zip")


STUDIES = [
    (
        "Caseworker caseloads and the duration of unemployment",
        "Hainmueller, Jens",
        2016,
        "10.1016/j.jpubeco.2016.07.001",
    ),
    ("Do meetings at a distance help job seekers?", "Cheung, Maria", 2017, ""),
    (
        "Caseworker-client matching by gender",
        "Behncke, Stefanie",
        2010,
        "10.1111/j.1468-0297.2010.02382.x",
    ),
]


@pytest.fixture
def stages(topic_area, lead):
    return stages_set_up(topic_area=topic_area, actor=lead, preset="three")


@pytest.fixture
def fulltext_stage(stages):
    return stages[2]


@pytest.fixture
def records(topic_area, fulltext_stage):
    """Three records at the full-text stage, named so each matching rule has one."""
    source = SourceFactory(topic_area=topic_area)
    made = [
        RecordFactory(source=source, title=title, authors=[author], year=year, doi=doi)
        for title, author, year, doi in STUDIES
    ]
    stage_enter_records(stage=fulltext_stage, record_ids=[record.pk for record in made])
    return made


def _stored_files(media_root) -> list[str]:
    folder = media_root / "fulltexts"
    return sorted(path.read_bytes().decode("latin-1") for path in folder.rglob("*.pdf"))


def test_attach_stores_the_pdf_with_its_name_size_and_hash(records, reviewer):
    data = tiny_pdf("Hainmueller full text")

    text = services.fulltext_attach(
        record=records[0], actor=reviewer, upload=pdf_upload("Hainmueller 2016.pdf", data)
    )

    text.refresh_from_db()
    assert (text.original_name, text.size, text.sha256, text.not_retrievable) == (
        "Hainmueller 2016.pdf",
        len(data),
        hashlib.sha256(data).hexdigest(),
        False,
    )
    assert text.uploaded_by == reviewer
    assert text.file.name.startswith("fulltexts/") and text.file.name.endswith(".pdf")
    assert f"record-{records[0].pk}" in text.file.name  # our name, not the uploader's
    with text.file.open("rb") as stored:
        assert stored.read() == data
    entry = AuditEntry.objects.get(action="fulltext.attach")
    assert (entry.actor, entry.object_id, entry.before) == (reviewer, str(records[0].pk), None)
    assert entry.after["original_name"] == "Hainmueller 2016.pdf"


def test_attach_replaces_the_earlier_pdf_and_deletes_its_file_after_commit(
    records, reviewer, django_capture_on_commit_callbacks
):
    first = services.fulltext_attach(
        record=records[0], actor=reviewer, upload=pdf_upload("old.pdf", tiny_pdf("old"))
    )
    old_path = first.file.path

    with django_capture_on_commit_callbacks(execute=True):
        second = services.fulltext_attach(
            record=records[0], actor=reviewer, upload=pdf_upload("new.pdf", tiny_pdf("new"))
        )

    assert FullText.objects.get(record=records[0]).original_name == "new.pdf"
    assert second.pk == first.pk
    assert not os.path.exists(old_path)
    entry = AuditEntry.objects.filter(action="fulltext.attach").latest("id")
    assert (entry.before["original_name"], entry.after["original_name"]) == ("old.pdf", "new.pdf")


def test_attaching_the_same_file_again_changes_nothing(records, reviewer):
    services.fulltext_attach(record=records[0], actor=reviewer, upload=pdf_upload("a.pdf"))
    services.fulltext_attach(record=records[0], actor=reviewer, upload=pdf_upload("b.pdf"))
    assert FullText.objects.get(record=records[0]).original_name == "a.pdf"
    assert AuditEntry.objects.filter(action="fulltext.attach").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            HTML_PAGE,
            "Hainmueller 2016.pdf is a web page, not a PDF: it was probably saved from an error "
            "or login page. Download the PDF itself and upload that.",
        ),
        (b"PK\x03\x04 not a pdf at all", "Hainmueller 2016.pdf is not a PDF."),
        (b"", "Hainmueller 2016.pdf is empty."),
    ],
)
def test_attach_refuses_what_is_not_a_pdf_naming_the_file(
    records, reviewer, media_root, data, message
):
    before = _stored_files(media_root)
    with pytest.raises(ValidationError) as error:
        services.fulltext_attach(
            record=records[0], actor=reviewer, upload=pdf_upload("Hainmueller 2016.pdf", data)
        )
    assert error.value.messages == [message]
    assert not FullText.objects.exists()
    assert not AuditEntry.objects.filter(action="fulltext.attach").exists()
    assert _stored_files(media_root) == before


def test_attach_refuses_a_pdf_over_the_limit(records, reviewer, settings):
    settings.FULLTEXT_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        services.fulltext_attach(record=records[0], actor=reviewer, upload=pdf_upload("big.pdf"))
    size = len(tiny_pdf())
    assert error.value.messages == [
        f"big.pdf is {size}\xa0bytes; the largest PDF accepted is 100\xa0bytes."
    ]
    assert not FullText.objects.exists()


def test_attach_refuses_a_record_that_is_not_at_a_full_text_stage(topic_area, reviewer, stages):
    record = RecordFactory(source=SourceFactory(topic_area=topic_area))
    with pytest.raises(ValidationError) as error:
        services.fulltext_attach(record=record, actor=reviewer, upload=pdf_upload())
    assert error.value.messages == ["This record is not at a full-text stage."]


def test_not_retrievable_is_recorded_with_its_note_and_leaves_the_queue(
    records, reviewer, fulltext_stage
):
    first = screening_next(stage=fulltext_stage, reviewer=reviewer)
    assert Claim.objects.filter(item=first, reviewer=reviewer).exists()

    text = services.fulltext_mark_not_retrievable(
        record=first.record, actor=reviewer, note="Library has no access; author did not reply"
    )

    assert (text.not_retrievable, text.note, text.file.name) == (
        True,
        "Library has no access; author did not reply",
        "",
    )
    assert not Claim.objects.filter(item=first).exists()
    handed = {screening_next(stage=fulltext_stage, reviewer=reviewer).pk}
    for _ in range(2):
        item = screening_next(stage=fulltext_stage, reviewer=reviewer)
        if item is None:
            break
        handed.add(item.pk)
        decision_record(item=item, reviewer=reviewer, value="include")
    assert first.pk not in handed
    assert screening_next(stage=fulltext_stage, reviewer=reviewer) is None
    # Nobody waits on it: the progress bar counts it as settled, a report not retrieved.
    progress = queries.stage_progress(fulltext_stage, reviewer)
    assert progress["settled"] == progress["total"] == fulltext_stage.items.count()
    entry = AuditEntry.objects.get(action="fulltext.not_retrievable")
    assert entry.after["note"] == "Library has no access; author did not reply"


def test_not_retrievable_is_refused_while_a_pdf_is_attached(records, reviewer):
    services.fulltext_attach(record=records[0], actor=reviewer, upload=pdf_upload())
    with pytest.raises(ValidationError) as error:
        services.fulltext_mark_not_retrievable(record=records[0], actor=reviewer)
    assert error.value.messages == [
        "A PDF is attached to this record; remove it before marking it not retrievable."
    ]
    assert FullText.objects.get(record=records[0]).not_retrievable is False


def test_not_retrievable_is_refused_once_the_full_text_was_decided(
    records, reviewer, fulltext_stage
):
    item = ScreeningItem.objects.get(stage=fulltext_stage, record=records[1])
    decision_record(item=item, reviewer=reviewer, value="maybe")
    with pytest.raises(ValidationError) as error:
        services.fulltext_mark_not_retrievable(record=records[1], actor=reviewer)
    assert error.value.messages == [
        "Reviewers have decided this record's full text; it cannot be not retrievable."
    ]
    assert not FullText.objects.exists()


def test_a_pdf_found_later_replaces_the_not_retrievable_mark(records, reviewer):
    services.fulltext_mark_not_retrievable(record=records[1], actor=reviewer, note="ILL pending")
    text = services.fulltext_attach(record=records[1], actor=reviewer, upload=pdf_upload())
    assert (text.not_retrievable, text.note, text.original_name) == (False, "", "hainmueller.pdf")


def test_remove_takes_the_pdf_away_and_deletes_the_file_after_commit(
    records, reviewer, django_capture_on_commit_callbacks
):
    text = services.fulltext_attach(record=records[0], actor=reviewer, upload=pdf_upload())
    path = text.file.path

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.fulltext_remove(record=records[0], actor=reviewer) is True

    assert len(callbacks) == 1
    assert not FullText.objects.exists()
    assert not os.path.exists(path)
    entry = AuditEntry.objects.get(action="fulltext.remove")
    assert entry.before["original_name"] == "hainmueller.pdf"
    assert services.fulltext_remove(record=records[0], actor=reviewer) is False


def test_counts_for_the_flow_diagram(records, reviewer, fulltext_stage, topic_area):
    snowball = SourceFactory(topic_area=topic_area, kind=Source.Kind.SNOWBALLING)
    extra = RecordFactory(source=snowball)
    stage_enter_records(stage=fulltext_stage, record_ids=[extra.pk])
    services.fulltext_attach(record=records[0], actor=reviewer, upload=pdf_upload())
    services.fulltext_mark_not_retrievable(record=records[1], actor=reviewer)
    services.fulltext_mark_not_retrievable(record=extra, actor=reviewer)

    assert queries.fulltext_counts(fulltext_stage) == {
        "sought": 4,
        "attached": 1,
        "not_retrieved": 2,
        "missing": 1,
    }
    counts, undecided = queries.topic_area_flow(topic_area)
    assert counts.fulltext.not_retrieved.value == 1
    assert counts.other.not_retrieved.value == 1
    assert counts.fulltext.assessed.value == counts.fulltext.sought.value - 1
    # Not retrievable is settled, not waiting for a decision.
    assert undecided[fulltext_stage.name] == 2


# Zip archives -------------------------------------------------------------------------------


def test_zip_attaches_by_each_rule_and_reports_every_other_file(
    records, reviewer, topic_area, fulltext_stage
):
    hainmueller, cheung, behncke = records
    upload = zip_upload(
        {
            "10.1016_j.jpubeco.2016.07.001.pdf": tiny_pdf("Hainmueller"),
            f"record-{cheung.pk}.pdf": tiny_pdf("Cheung"),
            "Behncke 2010 Caseworker client matching.pdf": HTML_PAGE,
            "papers/Behncke 2010.pdf": tiny_pdf("nested"),
            "scan0001.pdf": tiny_pdf("unknown"),
            "__MACOSX/._scan0001.pdf": b"\x00\x05\x16\x07",
            "folder/": b"",
        }
    )

    report = services.fulltext_attach_zip(
        topic_area=topic_area, stage=fulltext_stage, actor=reviewer, upload=upload
    )

    assert [(m.name, m.record, m.rule, m.replaced) for m in report.matched] == [
        ("10.1016_j.jpubeco.2016.07.001.pdf", hainmueller, Rule.DOI, False),
        (f"record-{cheung.pk}.pdf", cheung, Rule.RECORD_KEY, False),
    ]
    assert [p.message for p in report.not_pdf] == [
        "Behncke 2010 Caseworker client matching.pdf is a web page, not a PDF: it was probably "
        "saved from an error or login page. Download the PDF itself and upload that."
    ]
    assert [p.message for p in report.refused] == [
        "papers/Behncke 2010.pdf is in a folder or has an absolute path; put the PDFs at the "
        "top of the zip."
    ]
    assert report.unmatched == ["scan0001.pdf"]
    assert report.ambiguous == []
    stored = dict(FullText.objects.values_list("record_id", "original_name"))
    assert stored == {
        hainmueller.pk: "10.1016_j.jpubeco.2016.07.001.pdf",
        cheung.pk: f"record-{cheung.pk}.pdf",
    }
    with FullText.objects.get(record=cheung).file.open("rb") as stored_file:
        assert stored_file.read() == tiny_pdf("Cheung")
    entry = AuditEntry.objects.get(action="fulltext.attach_zip")
    assert entry.after == {
        "file": "fulltexts.zip",
        "matched": 2,
        "unmatched": 1,
        "ambiguous": 0,
        "not_pdf": 1,
        "refused": 1,
    }
    assert AuditEntry.objects.filter(action="fulltext.attach").count() == 2


def test_zip_reports_ambiguous_names_and_attaches_nothing_for_them(
    records, reviewer, topic_area, fulltext_stage
):
    hainmueller, _cheung, behncke = records
    upload = zip_upload(
        {
            f"record-{behncke.pk}.pdf": tiny_pdf("one"),
            "Behncke 2010 Caseworker client matching.pdf": tiny_pdf("two"),
        }
    )
    report = services.fulltext_attach_zip(
        topic_area=topic_area, stage=fulltext_stage, actor=reviewer, upload=upload
    )
    assert report.matched == []
    assert sorted((a.name, a.records, a.reason) for a in report.ambiguous) == [
        ("Behncke 2010 Caseworker client matching.pdf", [behncke], Ambiguity.SEVERAL_FILES),
        (f"record-{behncke.pk}.pdf", [behncke], Ambiguity.SEVERAL_FILES),
    ]
    assert not FullText.objects.exists()


def test_zip_refuses_members_over_the_limit_by_their_declared_size(
    records, reviewer, topic_area, fulltext_stage, settings
):
    settings.FULLTEXT_MAX_BYTES = 10_000
    # Compresses to a few hundred bytes: a small bomb, refused before it is inflated.
    bomb = b"%PDF-1.4\n" + b"0" * 1_000_000
    upload = zip_upload({"10.1016_j.jpubeco.2016.07.001.pdf": bomb})
    assert upload.size < 5_000

    report = services.fulltext_attach_zip(
        topic_area=topic_area, stage=fulltext_stage, actor=reviewer, upload=upload
    )

    assert [p.message for p in report.refused] == [
        "10.1016_j.jpubeco.2016.07.001.pdf is 976.6\xa0KB; the largest PDF accepted is 9.8\xa0KB."
    ]
    assert not FullText.objects.exists()


def _lie_about_size(data: bytes, size: int) -> bytes:
    """Rewrite a one-member zip's local and central headers to declare `size` bytes."""
    out = bytearray(data)
    local = out.index(b"PK\x03\x04")
    out[local + 22 : local + 26] = struct.pack("<I", size)
    central = out.index(b"PK\x01\x02")
    out[central + 24 : central + 28] = struct.pack("<I", size)
    return bytes(out)


def test_zip_member_that_lies_about_its_size_is_refused_as_damaged(
    records, reviewer, topic_area, fulltext_stage, settings
):
    settings.FULLTEXT_MAX_BYTES = 10_000
    honest = zip_upload({"10.1016_j.jpubeco.2016.07.001.pdf": b"%PDF-1.4\n" + b"0" * 500_000})
    upload = SimpleUploadedFile("liar.zip", _lie_about_size(honest.read(), 2_000))

    report = services.fulltext_attach_zip(
        topic_area=topic_area, stage=fulltext_stage, actor=reviewer, upload=upload
    )

    assert [p.message for p in report.refused] == [
        "10.1016_j.jpubeco.2016.07.001.pdf could not be read from the zip (damaged or "
        "compressed in an unusual way)."
    ]
    assert report.matched == []
    assert not FullText.objects.exists()


def test_zip_whose_contents_unpack_past_the_upload_limit_is_refused_whole(
    records, reviewer, topic_area, fulltext_stage, settings
):
    settings.UPLOAD_MAX_BYTES = 50_000
    upload = zip_upload({f"{n}.pdf": b"%PDF-1.4\n" + b"0" * 20_000 for n in range(3)})
    with pytest.raises(ValidationError) as error:
        services.fulltext_attach_zip(
            topic_area=topic_area, stage=fulltext_stage, actor=reviewer, upload=upload
        )
    assert error.value.messages == [
        "fulltexts.zip unpacks to 58.6\xa0KB; the most accepted is 48.8\xa0KB."
    ]
    assert not AuditEntry.objects.filter(action="fulltext.attach_zip").exists()


def test_zip_that_is_not_a_zip_is_refused_naming_it(records, reviewer, topic_area, fulltext_stage):
    upload = SimpleUploadedFile("fulltexts.zip", tiny_pdf())
    with pytest.raises(ValidationError) as error:
        services.fulltext_attach_zip(
            topic_area=topic_area, stage=fulltext_stage, actor=reviewer, upload=upload
        )
    assert error.value.messages == ["fulltexts.zip is not a zip archive."]


def test_zip_for_a_stage_that_is_not_full_text_is_refused(records, reviewer, topic_area):
    title = Stage.objects.get(topic_area=topic_area, position=1)
    with pytest.raises(ValidationError) as error:
        services.fulltext_attach_zip(
            topic_area=topic_area, stage=title, actor=reviewer, upload=zip_upload({})
        )
    assert error.value.messages == ["Full texts belong to a full-text stage."]


def test_a_pdf_past_the_in_memory_size_is_stored_whole(records, reviewer, settings):
    # Past FILE_UPLOAD_MAX_MEMORY_SIZE the copy rolls over to a temporary file on disk.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1_000
    data = tiny_pdf() + b"%" + b"x" * 50_000 + b"\n"
    zipped = zip_upload({f"record-{records[1].pk}.pdf": data})
    services.fulltext_attach(record=records[0], actor=reviewer, upload=pdf_upload("a.pdf", data))
    report = services.fulltext_attach_zip(
        topic_area=records[1].topic_area,
        stage=Stage.objects.get(topic_area=records[1].topic_area, kind=Stage.Kind.FULLTEXT),
        actor=reviewer,
        upload=zipped,
    )
    assert [m.record for m in report.matched] == [records[1]]
    for record in records[:2]:
        text = FullText.objects.get(record=record)
        assert (text.size, text.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        with text.file.open("rb") as stored:
            assert stored.read() == data


def test_zip_with_too_many_files_is_refused_whole(records, reviewer, topic_area, fulltext_stage):
    upload = zip_upload({f"{n}.pdf": b"" for n in range(services.MAX_MEMBERS + 1)})
    with pytest.raises(ValidationError) as error:
        services.fulltext_attach_zip(
            topic_area=topic_area, stage=fulltext_stage, actor=reviewer, upload=upload
        )
    assert error.value.messages == [
        "fulltexts.zip holds more than 5000 files; split it into smaller zips."
    ]
