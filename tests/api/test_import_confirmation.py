"""The API's confirm and discard actions on an import waiting for its repairs to be
confirmed (issue 15): the page's predicate (`screening.settle_import`) and services."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reviewapp.models import AuditEntry
from screening.models import ImportJob, Record, Source
from tests.api.conftest import topic_url
from tests.screening.conftest import damaged_bib


@pytest.fixture
def waiting(api, topic_area, django_capture_on_commit_callbacks):
    """The reviewer's upload of a Scopus file with two broken abstracts, as the API shows it."""
    with django_capture_on_commit_callbacks(execute=True):
        response = api["reviewer"].post(
            topic_url(topic_area, "imports/"),
            {
                "upload": SimpleUploadedFile("scopus.bib", damaged_bib().encode()),
                "source_name": "Scopus",
            },
            format="multipart",
        )
    assert response.status_code == 201
    return api["reviewer"].get(topic_url(topic_area, f"imports/{response.json()['id']}/")).json()


def _action(topic_area, job, name):
    return topic_url(topic_area, f"imports/{job['id']}/{name}/")


def test_waiting_job_lists_its_repairs_and_stores_nothing(waiting):
    assert waiting["status"] == "needs_confirmation"
    assert [
        (r["entry"], r["line"], r["key"], r["action"]) for r in waiting["summary"]["repairs"]
    ] == [(2, 13, "Author22020", "repaired"), (4, 37, "Author42020", "repaired")]
    assert waiting["summary"]["repairs"][0]["message"] == (
        "scopus.bib, entry 2 (line 13, key Author22020): repaired: unbalanced brace in "
        "abstract: closed at the end of the value"
    )
    assert (Record.objects.count(), Source.objects.count()) == (0, 0)


def test_confirm_stores_every_record(api, topic_area, waiting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api["reviewer"].post(_action(topic_area, waiting, "confirm"))

    assert response.status_code == 200
    assert response.json()["status"] == "queued"  # the answer comes before the worker runs
    job = api["reviewer"].get(topic_url(topic_area, f"imports/{waiting['id']}/")).json()
    assert job["status"] == "done"
    assert (job["summary"]["records"], job["summary"]["imported"]) == (5, 5)
    assert Record.objects.filter(source__import_job__pk=waiting["id"]).count() == 5
    assert AuditEntry.objects.get(action="import.confirm").after["repaired"] == 2


def test_lead_may_discard_and_nothing_is_stored(api, topic_area, waiting):
    response = api["lead"].post(_action(topic_area, waiting, "discard"))

    assert response.status_code == 200
    assert response.json()["status"] == "discarded"
    assert (Record.objects.count(), Source.objects.count()) == (0, 0)
    assert AuditEntry.objects.get(action="import.discard").actor.username == "lead"


def test_settling_twice_is_a_conflict(api, topic_area, waiting):
    api["reviewer"].post(_action(topic_area, waiting, "discard"))

    response = api["reviewer"].post(_action(topic_area, waiting, "confirm"))

    assert response.status_code == 409
    assert response.json()["code"] == "import_not_waiting"
    assert Record.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "status"), [("reviewer2", 403), ("peer_reviewer", 403), ("outsider", 404)]
)
@pytest.mark.parametrize("name", ["confirm", "discard"])
def test_others_may_not_settle(api, topic_area, waiting, role, status, name):
    response = api[role].post(_action(topic_area, waiting, name))

    assert response.status_code == status
    assert "scopus.bib" not in response.content.decode()
    assert "Austropotamobius" not in response.content.decode()
    assert ImportJob.objects.get(pk=waiting["id"]).status == "needs_confirmation"
    assert Record.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="import.").exists()
