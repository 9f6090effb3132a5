"""An import of a damaged or hostile file ends DONE with its repairs listed, or FAILED with a
message: never a traceback for the user, never a job left running."""

import contextlib

import pytest
from django.urls import reverse

from screening.models import ImportJob, Record
from screening.parsers import ParseError
from screening.services.imports import import_job_create, import_run
from tests.screening.conftest import upload

RIS = "TY  - JOUR\nTI  - {title}\nAU  - {author}\nPY  - 2019\nER  - \n"


def _run(topic_area, lead, name, data):
    job = import_job_create(
        topic_area=topic_area,
        actor=lead,
        upload=upload(name, data),
        source_name="Libris",
        enqueue=False,
    )
    # A rejected file raises ParseError after marking the job; the job's state is the test.
    with contextlib.suppress(ParseError):
        import_run(job=job)
    job.refresh_from_db()
    return job


def test_mixed_encodings_import_readable_with_the_lines_named(topic_area, lead):
    data = RIS.format(title="Første møde på distance", author="Ærø, Åse").encode(
        "utf-8"
    ) + RIS.format(title="Blåbærgrød i Århus", author="Sørensen, Jens").encode("cp1252")
    job = _run(topic_area, lead, "libris.ris", data)
    assert job.status == ImportJob.Status.DONE, job.error
    titles = sorted(Record.objects.values_list("title", flat=True))
    assert titles == ["Blåbærgrød i Århus", "Første møde på distance"]
    warnings = job.summary["warnings"]
    assert len(warnings) == 1
    assert "libris.ris" in warnings[0]["message"]
    assert "7" in warnings[0]["message"]  # the cp1252 record's title line


def test_a_file_cut_mid_record_imports_it_with_a_warning(topic_area, lead):
    text = RIS.format(title="Complete", author="A, B") + "TY  - JOUR\nTI  - Cut off here\n"
    job = _run(topic_area, lead, "cut.ris", text)
    assert job.status == ImportJob.Status.DONE, job.error
    assert job.summary["records"] == 2
    assert any(
        "cut.ris" in w["message"] and "line 6" in w["message"] for w in job.summary["warnings"]
    )


def test_the_warnings_show_on_the_job_page(client, topic_area, lead):
    text = RIS.format(title="Complete", author="A, B") + "TY  - JOUR\nTI  - Cut off here\n"
    job = _run(topic_area, lead, "cut.ris", text)
    client.force_login(lead)
    page = client.get(
        reverse(
            "import_job",
            kwargs={"slug": "secret-review", "topic_key": "caseload", "job_id": job.pk},
        )
    ).content.decode()
    assert 'data-testid="import-warnings"' in page
    assert "1 thing in the file was read with a repair" in page


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("empty-url.ris", "TY  - JOUR\nTI  - A title\nUR  - ;\nER  - \n"),
        ("cell.csv", 'title,keywords\nA title,"[{[]: 1}]"\n'),
        ("nested.bib", "@article{a, title = {" + "\\textbf{" * 2000 + "x" + "}" * 2000 + "}}\n"),
    ],
)
def test_hostile_files_import_or_fail_cleanly(topic_area, lead, name, text):
    job = _run(topic_area, lead, name, text)
    assert job.status in (
        ImportJob.Status.DONE,
        ImportJob.Status.FAILED,
        ImportJob.Status.NEEDS_MAPPING,
    )
    if job.status == ImportJob.Status.FAILED:
        assert name in job.error


def test_any_other_failure_marks_the_job_failed_with_a_message(topic_area, lead):
    job = import_job_create(
        topic_area=topic_area,
        actor=lead,
        upload=upload("gone.ris", RIS.format(title="T", author="A, B")),
        source_name="Libris",
        enqueue=False,
    )
    job.upload.storage.delete(job.upload.name)  # the stored file vanished before the run
    with pytest.raises(OSError):
        import_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "The import failed unexpectedly" in job.error
    assert "nothing from the file was kept" in job.error
    assert Record.objects.count() == 0
