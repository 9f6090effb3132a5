"""An import read with entries repaired or skipped waits for confirmation (issue 15):
nothing is stored until the user who started it, or a lead, confirms it on the page or
with `import_records --accept-repairs`; a discarded one stores nothing."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from reviewapp.models import AuditEntry
from screening.models import ImportJob, Record, Source
from tests.screening.conftest import STUDIES, damaged_bib, ris_text, upload


def _url(name, topic_area, **kwargs):
    return reverse(
        name, kwargs={"slug": topic_area.project.slug, "topic_key": topic_area.key, **kwargs}
    )


def _post_import(client, topic_area, file, capture):
    fields = {"requested_format": "auto", "source_kind": "database", "source_name": "Scopus"}
    with capture(execute=True):
        client.post(_url("import_create", topic_area), {**fields, "upload": file})
    return ImportJob.objects.get()


@pytest.fixture
def waiting_job(client, reviewer, topic_area, django_capture_on_commit_callbacks):
    """A Scopus file with two broken abstracts, uploaded by the reviewer."""
    client.force_login(reviewer)
    job = _post_import(
        client, topic_area, upload("scopus.bib", damaged_bib()), django_capture_on_commit_callbacks
    )
    client.logout()
    return job


def test_repaired_import_waits_with_nothing_stored_and_lists_the_repairs(
    client, reviewer, topic_area, waiting_job
):
    assert waiting_job.status == ImportJob.Status.NEEDS_CONFIRMATION
    assert (Record.objects.count(), Source.objects.count()) == (0, 0)
    assert not AuditEntry.objects.filter(action="source.import").exists()
    assert waiting_job.summary["records"] == 5
    assert [(r["entry"], r["line"], r["action"]) for r in waiting_job.summary["repairs"]] == [
        (2, 13, "repaired"),
        (4, 37, "repaired"),
    ]
    client.force_login(reviewer)

    page = client.get(waiting_job.get_absolute_url()).content.decode()

    assert "nothing is stored until the import is confirmed" in page
    assert (
        "scopus.bib, entry 2 (line 13, key Author22020): repaired: unbalanced brace in "
        "abstract: closed at the end of the value"
    ) in page
    assert 'data-testid="import-confirm"' in page
    assert "hx-trigger" not in page  # the page does not poll while it waits


def test_confirm_on_the_page_stores_every_record(
    client, reviewer, topic_area, waiting_job, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("import_confirm", topic_area, job_id=waiting_job.pk))

    assert response.status_code == 302
    waiting_job.refresh_from_db()
    assert waiting_job.status == ImportJob.Status.DONE
    assert waiting_job.repairs_accepted
    assert Record.objects.count() == 5
    assert Record.objects.get(doi="10.1000/fb.2").abstract == (
        "White-footed Crayfish Austropotamobius pallipes were surveyed."
    )
    confirm = AuditEntry.objects.get(action="import.confirm")
    assert (confirm.actor, confirm.after["repaired"], confirm.after["records"]) == (reviewer, 2, 5)
    assert AuditEntry.objects.filter(action="source.import").count() == 1
    page = client.get(waiting_job.get_absolute_url()).content.decode()
    assert 'data-testid="summary-records">5<' in page
    assert "entry 4 (line 37, key Author42020): repaired" in page


def test_discard_on_the_page_stores_nothing(client, lead, topic_area, waiting_job):
    client.force_login(lead)

    response = client.post(_url("import_discard", topic_area, job_id=waiting_job.pk))

    assert response.status_code == 302
    waiting_job.refresh_from_db()
    assert waiting_job.status == ImportJob.Status.DISCARDED
    assert (Record.objects.count(), Source.objects.count()) == (0, 0)
    assert AuditEntry.objects.get(action="import.discard").actor == lead
    page = client.get(waiting_job.get_absolute_url()).content.decode()
    assert "This import was discarded; nothing from the file was kept." in page
    # Discarded is final: it cannot be confirmed afterwards.
    client.post(_url("import_confirm", topic_area, job_id=waiting_job.pk))
    waiting_job.refresh_from_db()
    assert waiting_job.status == ImportJob.Status.DISCARDED
    assert Record.objects.count() == 0


@pytest.mark.parametrize("role", ["second_reviewer", "peer_reviewer"])
@pytest.mark.parametrize("action", ["import_confirm", "import_discard"])
def test_others_may_not_settle_the_import(client, request, topic_area, waiting_job, role, action):
    client.force_login(request.getfixturevalue(role))

    response = client.post(_url(action, topic_area, job_id=waiting_job.pk))

    assert response.status_code == 403
    waiting_job.refresh_from_db()
    assert waiting_job.status == ImportJob.Status.NEEDS_CONFIRMATION
    assert Record.objects.count() == 0
    assert "Austropotamobius" not in response.content.decode()


def test_another_reviewer_sees_the_repairs_without_the_buttons(
    client, second_reviewer, waiting_job
):
    client.force_login(second_reviewer)

    page = client.get(waiting_job.get_absolute_url()).content.decode()

    assert "entry 2 (line 13, key Author22020): repaired" in page
    assert 'data-testid="import-confirm"' not in page
    assert "The reviewer who started this import, or a lead, can confirm or discard it." in page


@pytest.mark.parametrize("action", ["import_confirm", "import_discard", "import_job"])
def test_non_member_gets_404(client, outsider, topic_area, waiting_job, action):
    client.force_login(outsider)

    response = (client.get if action == "import_job" else client.post)(
        _url(action, topic_area, job_id=waiting_job.pk)
    )

    assert response.status_code == 404
    assert "scopus.bib" not in response.content.decode()
    waiting_job.refresh_from_db()
    assert waiting_job.status == ImportJob.Status.NEEDS_CONFIRMATION


def test_clean_import_needs_no_confirmation(
    client, reviewer, topic_area, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)

    job = _post_import(
        client,
        topic_area,
        upload("econlit.ris", ris_text(STUDIES)),
        django_capture_on_commit_callbacks,
    )

    assert job.status == ImportJob.Status.DONE
    assert job.summary["repairs"] == []
    assert Record.objects.count() == 3
    assert not AuditEntry.objects.filter(action__in=["import.confirm", "import.discard"]).exists()


# --- the command line --------------------------------------------------------------------


def _command(path, topic_area, *extra):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_records",
        str(path),
        "--project",
        topic_area.project.slug,
        *extra,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def test_command_stops_and_lists_the_repairs_without_accept_repairs(tmp_path, topic_area, lead):
    path = tmp_path / "scopus.bib"
    path.write_text(damaged_bib())
    err = io.StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("import_records", str(path), "--project", topic_area.project.slug, stderr=err)

    assert caught.value.returncode == 2
    assert "--accept-repairs" in str(caught.value)
    listed = err.getvalue()
    assert "scopus.bib, entry 2 (line 13, key Author22020): repaired" in listed
    assert "scopus.bib, entry 4 (line 37, key Author42020): repaired" in listed
    assert Record.objects.count() == 0
    assert ImportJob.objects.get().status == ImportJob.Status.NEEDS_CONFIRMATION


def test_command_with_accept_repairs_stores_every_record(tmp_path, topic_area, lead):
    path = tmp_path / "scopus.bib"
    path.write_text(damaged_bib())

    out, _err = _command(path, topic_area, "--accept-repairs", "--json")

    report = json.loads(out)
    assert (report["records"], report["imported"], len(report["repairs"])) == (5, 5, 2)
    assert Record.objects.count() == 5
    assert ImportJob.objects.get().status == ImportJob.Status.DONE
    assert AuditEntry.objects.filter(action="import.confirm").count() == 1
