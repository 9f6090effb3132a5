import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reviewapp.models import AuditEntry
from screening.models import DuplicatePair, ImportJob, Record, Source
from screening.services.imports import import_job_create
from tests.screening.conftest import STUDIES, ris_text, upload


def _state():
    return (
        Record.objects.count(),
        Source.objects.count(),
        DuplicatePair.objects.count(),
        AuditEntry.objects.count(),
    )


def _import(topic_area, user, file, **kwargs):
    kwargs.setdefault("source_name", "EconLit")
    job = import_job_create(topic_area=topic_area, actor=user, upload=file, **kwargs)
    job.refresh_from_db()
    return job


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Imports are queued on commit; run the queued task as a worker would."""

    def run(topic_area, user, file, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            job = _import(topic_area, user, file, **kwargs)
        job.refresh_from_db()
        return job

    return run


def test_import_stores_records_with_their_fields(run_on_commit, topic_area, lead, ris_upload):
    job = run_on_commit(topic_area, lead, ris_upload())
    assert job.status == ImportJob.Status.DONE, job.error
    assert job.summary["records"] == 3
    assert job.summary["imported"] == 3
    record = Record.objects.get(doi="10.1016/j.jpubeco.2016.07.001")
    assert record.title == "Caseworker caseloads and the duration of unemployment"
    assert record.authors == ["Hainmueller, Jens", "Second, Author"]
    assert (record.year, record.journal, record.volume) == (
        2016,
        "Journal of Public Economics",
        "141",
    )
    assert record.source.name == "EconLit"
    assert record.source_line == 1
    assert AuditEntry.objects.filter(action="source.import").count() == 1


def test_second_import_of_the_same_file_finds_every_record_a_duplicate(
    run_on_commit, topic_area, lead, ris_upload
):
    run_on_commit(topic_area, lead, ris_upload())
    job = run_on_commit(topic_area, lead, ris_upload("psycinfo.ris"), source_name="PsycInfo")
    assert job.summary["records"] == 3
    assert job.summary["duplicates_existing"] == 3
    assert job.summary["imported"] == 0
    assert Record.objects.filter(canonical__isnull=True).count() == 3
    second = Record.objects.filter(source__name="PsycInfo")
    assert all(record.canonical.source.name == "EconLit" for record in second)


def test_duplicates_within_a_file_are_counted(run_on_commit, topic_area, lead):
    text = ris_text(STUDIES + [STUDIES[0]])
    job = run_on_commit(topic_area, lead, upload("twice.ris", text))
    assert (job.summary["records"], job.summary["duplicates_in_file"], job.summary["imported"]) == (
        4,
        1,
        3,
    )


def test_malformed_file_leaves_the_database_as_it_was(run_on_commit, topic_area, lead):
    before = _state()
    broken = '<?xml version="1.0"?>\n<PubmedArticleSet>\n<PubmedArticle><MedlineCitation>'
    job = run_on_commit(topic_area, lead, upload("pubmed.xml", broken))
    assert job.status == ImportJob.Status.FAILED
    assert "pubmed.xml" in job.error
    assert _state() == before


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("search.ris", b"", "empty"),
        ("search.ris", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        ("hits.zip", b"PK\x03\x04" + b"\x00" * 40, "ZIP"),
    ],
)
def test_wrong_kind_of_file_is_named(run_on_commit, topic_area, lead, name, data, says):
    before = _state()
    job = run_on_commit(topic_area, lead, upload(name, data))
    assert job.status == ImportJob.Status.FAILED
    assert says.lower() in job.error.lower()
    assert name in job.error
    assert _state() == before


def test_records_without_title_are_reported_not_dropped(run_on_commit, topic_area, lead):
    studies = [STUDIES[0], {**STUDIES[1], "title": ""}]
    text = ris_text(studies)
    job = run_on_commit(topic_area, lead, upload("notitle.ris", text))
    assert job.summary["records"] == 2
    assert job.summary["missing_title"] == 1
    assert job.summary["missing_title_lines"] == [14]  # second record starts after a blank line
    assert Record.objects.filter(title="").count() == 1


def test_command_dry_run_prints_json_without_a_project(tmp_path, db):
    path = tmp_path / "econlit.ris"
    path.write_text(ris_text(STUDIES + [STUDIES[2]]))
    out = io.StringIO()
    call_command("import_records", str(path), "--dry-run", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["format"] == "ris"
    assert (report["records"], report["imported"], report["duplicates_in_file"]) == (4, 3, 1)
    assert report["errors"] == []
    assert Record.objects.count() == 0


def test_command_imports_into_a_topic_area(tmp_path, topic_area, lead):
    path = tmp_path / "econlit.ris"
    path.write_text(ris_text(STUDIES))
    out = io.StringIO()
    call_command(
        "import_records",
        str(path),
        "--project",
        topic_area.project.slug,
        "--topic",
        topic_area.key,
        "--source",
        "EconLit",
        "--json",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert (report["records"], report["imported"], report["duplicates_existing"]) == (3, 3, 0)
    assert topic_area.records.count() == 3
    out = io.StringIO()
    call_command(
        "import_records",
        str(path),
        "--project",
        topic_area.project.slug,
        "--topic",
        topic_area.key,
        "--json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["duplicates_existing"] == 3


def test_command_rejects_a_bad_file_with_non_zero_exit(tmp_path, topic_area, lead):
    path = tmp_path / "broken.xml"
    path.write_text('<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle>')
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command(
            "import_records",
            str(path),
            "--project",
            topic_area.project.slug,
            "--json",
            stdout=out,
        )
    assert error.value.returncode == 2
    report = json.loads(out.getvalue())
    assert "broken.xml" in report["errors"][0]["message"]
    assert Record.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_import_runs_on_a_real_worker(celery_worker, topic_area, lead, ris_upload):
    from tests.worker import wait_for

    job = _import(topic_area, lead, ris_upload())
    job = wait_for(lambda: ImportJob.objects.filter(pk=job.pk, status="done").first())
    assert job.summary["records"] == 3
    assert topic_area.records.count() == 3


def test_summary_times_parsing_writing_and_deduplication(run_on_commit, topic_area, lead):
    job = run_on_commit(topic_area, lead, upload("timed.ris", ris_text(STUDIES)))
    seconds = job.summary["seconds"]
    assert {"parse", "write", "parse_and_write", "deduplicate", "total"} <= set(seconds)
    assert seconds["parse_and_write"] == pytest.approx(
        seconds["parse"] + seconds["write"], abs=0.01
    )


def test_nul_characters_are_kept_out_of_postgresql_rows(run_on_commit, topic_area, lead, tmp_path):
    """PostgreSQL text and jsonb cannot hold NUL: COPY drops it, and only it."""
    from screening.parsers import parse_file
    from screening.services.imports import _copy_row, _json

    nul_study = {**STUDIES[0], "title": "Case\x00worker caseloads", "author": "Hain\x00mueller, J"}
    # Detection calls a file with NUL bytes binary; the user can still choose RIS.
    job = run_on_commit(
        topic_area, lead, upload("nul.ris", ris_text([nul_study])), requested_format="ris"
    )
    assert job.status == ImportJob.Status.DONE, job.error
    record = Record.objects.get()
    assert record.title.replace("\x00", "") == "Caseworker caseloads"

    # A backslash and "u0000" written in the file is text, not a NUL: it stays.
    value = {"TI": ["a\x00b"], "N1": ["C:\\u0000dir"], "AU": ["x"]}
    assert json.loads(_json(value)) == {"TI": ["ab"], "N1": ["C:\\u0000dir"], "AU": ["x"]}
    path = tmp_path / "nul.ris"
    path.write_text(ris_text([nul_study]), encoding="utf-8")
    (parsed,) = parse_file(path, "ris")
    row = _copy_row(1, 2, 3, parsed)
    assert not any("\x00" in cell or "\\u0000" in cell for cell in row if isinstance(cell, str))
