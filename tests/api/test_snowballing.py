"""Snowballing through the API: the snowballing page's service and permission."""

import pytest

from screening.models import ImportJob, Record, ScreeningItem, Source
from tests.api.conftest import SECRETS, topic_url

RIS = "TY  - JOUR\nTI  - A cited study of caseloads\nPY  - 2015\nER  - \n"


@pytest.fixture
def included(topic_area, review_data):
    """The secret record, included at the last (full-text) stage."""
    record = review_data["record_first"]
    ScreeningItem.objects.filter(stage=review_data["fulltext_stage"], record=record).update(
        status=ScreeningItem.Status.INCLUDED
    )
    return record


def _url(topic_area, record):
    return topic_url(topic_area, f"records/{record.pk}/snowball/")


def test_snowball_text_imports_a_snowballing_source(
    api, topic_area, included, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api["reviewer"].post(_url(topic_area, included), {"text": RIS}, format="json")
    assert response.status_code == 201, response.content
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.parent_record == included
    source = Source.objects.get(kind=Source.Kind.SNOWBALLING)
    assert list(Record.objects.filter(source=source).values_list("title", flat=True)) == [
        "A cited study of caseloads"
    ]
    polled = api["reviewer"].get(topic_url(topic_area, f"imports/{job.pk}/")).json()
    assert polled["status"] == "done"


def test_snowball_one_typed_reference(
    api, topic_area, included, django_capture_on_commit_callbacks
):
    reference = {"title": "Typed study", "authors": ["Hansen, Jens"], "year": 2019, "doi": ""}
    with django_capture_on_commit_callbacks(execute=True):
        response = api["lead"].post(
            _url(topic_area, included), {"reference": reference}, format="json"
        )
    assert response.status_code == 201, response.content
    record = Record.objects.get(title="Typed study")
    assert record.source.kind == Source.Kind.SNOWBALLING


def test_snowball_refuses_bad_bodies(api, topic_area, included, review_data):
    url = _url(topic_area, included)
    cases = [
        ({}, "non_field_errors"),
        ({"text": RIS, "reference": {"title": "Both"}}, "non_field_errors"),
        ({"reference": {"title": ""}}, "reference.title"),
        ({"reference": {"title": "x", "year": 1200}}, "reference.year"),
    ]
    for body, field in cases:
        response = api["lead"].post(url, body, format="json")
        assert response.status_code == 400, body
        assert field in response.json()["field_errors"] or (
            field == "non_field_errors" and response.json()["message"]
        ), response.json()
    # A record not included at the last stage has no references to add yet.
    pending = review_data["record_first"].topic_area.records.get(
        title="Confidential record title 2"
    )
    response = api["lead"].post(_url(topic_area, pending), {"text": RIS}, format="json")
    assert response.status_code == 400
    assert not ImportJob.objects.filter(parent_record__isnull=False).exists()


def test_snowball_denied_with_data_present(api, topic_area, included):
    url = _url(topic_area, included)
    for role, status in (("peer_reviewer", 403), ("outsider", 404)):
        response = api[role].post(url, {"text": RIS}, format="json")
        assert response.status_code == status, role
        for secret in SECRETS:
            assert secret not in response.content.decode(), (role, secret)
    missing = api["lead"].post(topic_url(topic_area, "records/999999/snowball/"), {"text": RIS})
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert not ImportJob.objects.filter(parent_record__isnull=False).exists()


def _upload_url(topic_area, record):
    return topic_url(topic_area, f"records/{record.pk}/snowball/upload/")


def _upload(name: str, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode())


def test_snowball_file_imports_its_references(
    api, topic_area, included, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api["reviewer"].post(
            _upload_url(topic_area, included),
            {"upload": _upload("references.ris", RIS)},
            format="multipart",
        )
    assert response.status_code == 201, response.content
    assert (response.json()["original_name"], response.json()["source_kind"]) == (
        "references.ris",
        "snowballing",
    )
    job = api["reviewer"].get(topic_url(topic_area, f"imports/{response.json()['id']}/")).json()
    assert (job["status"], job["summary"]["imported"]) == ("done", 1)
    source = Source.objects.get(kind=Source.Kind.SNOWBALLING)
    assert source.parent_record == included
    assert list(source.records.values_list("title", flat=True)) == ["A cited study of caseloads"]


def test_snowball_file_with_damaged_entries_names_them_by_line(
    api, topic_area, included, django_capture_on_commit_callbacks
):
    from tests.screening.conftest import damaged_bib

    with django_capture_on_commit_callbacks(execute=True):
        response = api["lead"].post(
            _upload_url(topic_area, included),
            {"upload": _upload("cited.bib", damaged_bib())},
            format="multipart",
        )
    assert response.status_code == 201, response.content
    job = api["lead"].get(topic_url(topic_area, f"imports/{response.json()['id']}/")).json()
    assert job["status"] == "needs_confirmation"
    repairs = job["summary"]["repairs"]
    assert [(r["entry"], r["line"], r["action"]) for r in repairs] == [
        (2, 13, "repaired"),
        (4, 37, "repaired"),
    ]
    assert repairs[0]["message"].startswith("cited.bib, entry 2 (line 13, key Author22020)")
    assert not Source.objects.filter(kind=Source.Kind.SNOWBALLING).exists()


def test_snowball_file_refused(api, topic_area, included, review_data):
    url = _upload_url(topic_area, included)
    empty = api["lead"].post(url, {"upload": _upload("empty.ris", "")}, format="multipart")
    assert empty.status_code == 400
    assert empty.json()["field_errors"] == {
        "upload": ["empty.ris is empty; export the search results again."]
    }
    missing = api["lead"].post(url, {}, format="multipart")
    assert list(missing.json()["field_errors"]) == ["upload"]
    as_json = api["lead"].post(url, {"text": RIS}, format="json")
    assert (as_json.status_code, as_json.json()["code"]) == (415, "unsupported_media_type")
    pending = review_data["record_first"].topic_area.records.get(
        title="Confidential record title 2"
    )
    not_included = api["lead"].post(
        _upload_url(topic_area, pending),
        {"upload": _upload("references.ris", RIS)},
        format="multipart",
    )
    assert not_included.status_code == 400
    assert not_included.json()["message"] == (
        "Only a record included at the last stage can have its references added."
    )
    assert not ImportJob.objects.filter(parent_record__isnull=False).exists()


def test_snowball_file_denied_with_data_present(api, topic_area, included):
    url = _upload_url(topic_area, included)
    for role, status in (("peer_reviewer", 403), ("outsider", 404), ("anonymous", 401)):
        response = api[role].post(
            url, {"upload": _upload("references.ris", RIS)}, format="multipart"
        )
        assert response.status_code == status, role
        for secret in SECRETS:
            assert secret not in response.content.decode(), (role, secret)
    missing = api["lead"].post(
        topic_url(topic_area, "records/999999/snowball/upload/"),
        {"upload": _upload("references.ris", RIS)},
        format="multipart",
    )
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert not ImportJob.objects.filter(parent_record__isnull=False).exists()
