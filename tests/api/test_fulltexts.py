"""Full texts through the API: the full-text page's services, permission and audit entries."""

import pytest

from reviewapp.models import AuditEntry
from screening.models import FullText, Record, Stage
from screening.services.screening import stage_enter_records
from tests.api.conftest import SECRETS, topic_url
from tests.screening.test_fulltext_services import HTML_PAGE, pdf_upload, tiny_pdf, zip_upload


def _url(topic_area, stage, rest=""):
    return topic_url(topic_area, f"stages/{stage.pk}/fulltexts/{rest}")


@pytest.fixture
def at_fulltext(topic_area, review_data):
    """The full-text stage with the secret record (not retrievable) and one more, missing."""
    stage = review_data["fulltext_stage"]
    second = review_data["record_first"].topic_area.records.get(title="Confidential record title 2")
    stage_enter_records(stage=stage, record_ids=[second.pk])
    return stage, review_data["record_first"], second


def test_fulltexts_list_and_filter(api, topic_area, at_fulltext):
    stage, unretrievable, missing = at_fulltext
    body = api["peer_reviewer"].get(_url(topic_area, stage)).json()
    assert body["count"] == 2
    first, second = body["results"]
    assert (first["record"], first["status"], first["note"], first["uploaded_by"]) == (
        unretrievable.pk,
        "not_retrievable",
        "Secret full-text note",
        "lead",
    )
    assert (second["record"], second["status"], second["file_name"]) == (missing.pk, "missing", "")
    only = api["reviewer"].get(_url(topic_area, stage) + "?status=missing").json()
    assert [row["record"] for row in only["results"]] == [missing.pk]
    bad = api["reviewer"].get(_url(topic_area, stage) + "?status=lost")
    assert bad.status_code == 400 and list(bad.json()["field_errors"]) == ["status"]


def test_fulltexts_list_queries_do_not_grow(
    api, topic_area, at_fulltext, django_assert_max_num_queries
):
    stage = at_fulltext[0]
    with django_assert_max_num_queries(12) as one:
        api["lead"].get(_url(topic_area, stage) + "?status=missing")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert api["lead"].get(_url(topic_area, stage)).json()["count"] == 2


def test_fulltext_upload_not_retrievable_and_remove(api, topic_area, at_fulltext):
    stage, unretrievable, missing = at_fulltext
    upload = api["reviewer"].post(
        _url(topic_area, stage, f"{missing.pk}/upload/"),
        {"upload": pdf_upload("Cheung 2017.pdf", tiny_pdf("Cheung"))},
        format="multipart",
    )
    assert upload.status_code == 200, upload.content
    assert (upload.json()["status"], upload.json()["file_name"]) == ("attached", "Cheung 2017.pdf")
    assert upload.json()["uploaded_by"] == "reviewer"
    assert FullText.objects.get(record=missing).size == upload.json()["size"] > 0

    # A PDF is attached: "not retrievable" is refused until it is removed.
    refused = api["reviewer"].post(
        _url(topic_area, stage, f"{missing.pk}/not-retrievable/"), {"note": "x"}, format="json"
    )
    assert refused.status_code == 400
    removed = api["reviewer"].post(_url(topic_area, stage, f"{missing.pk}/remove/"))
    assert removed.json()["status"] == "missing"
    marked = api["reviewer"].post(
        _url(topic_area, stage, f"{missing.pk}/not-retrievable/"),
        {"note": "Out of print"},
        format="json",
    )
    assert (marked.json()["status"], marked.json()["note"]) == ("not_retrievable", "Out of print")
    actions = list(
        AuditEntry.objects.filter(action__startswith="fulltext.", actor__username="reviewer")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["fulltext.attach", "fulltext.remove", "fulltext.not_retrievable"]


def test_fulltext_upload_refuses_what_is_not_a_pdf(api, topic_area, at_fulltext):
    stage, _unretrievable, missing = at_fulltext
    for body in ({"upload": pdf_upload("login.pdf", HTML_PAGE)}, {}):
        response = api["lead"].post(
            _url(topic_area, stage, f"{missing.pk}/upload/"), body, format="multipart"
        )
        assert response.status_code == 400, body
        assert list(response.json()["field_errors"]) == ["upload"], response.json()
    long_note = api["lead"].post(
        _url(topic_area, stage, f"{missing.pk}/not-retrievable/"),
        {"note": "x" * 2001},
        format="json",
    )
    assert list(long_note.json()["field_errors"]) == ["note"]
    assert not FullText.objects.filter(record=missing).exists()


def test_fulltexts_not_found_off_the_stage(api, topic_area, at_fulltext, review_data):
    stage, _unretrievable, _missing = at_fulltext
    screening_stage = topic_area.stages.exclude(kind=Stage.Kind.FULLTEXT).first()
    assert api["lead"].get(_url(topic_area, screening_stage)).json()["code"] == "not_found"
    # A record of the project that is not at the full-text stage.
    other = review_data["record_first"].topic_area.records.get(title="Confidential record title 3")
    response = api["lead"].post(_url(topic_area, stage, f"{other.pk}/remove/"))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_fulltexts_denied_with_data_present(api, topic_area, at_fulltext):
    stage, unretrievable, _missing = at_fulltext
    remove = _url(topic_area, stage, f"{unretrievable.pk}/remove/")
    for role, status in (("peer_reviewer", 403), ("outsider", 404)):
        response = api[role].post(remove)
        assert response.status_code == status, role
        for secret in SECRETS:
            assert secret not in response.content.decode(), (role, secret)
    listing = api["outsider"].get(_url(topic_area, stage))
    assert listing.status_code == 404 and listing.json()["code"] == "not_found"
    assert "Secret full-text note" not in listing.content.decode()
    assert FullText.objects.get(record=unretrievable).note == "Secret full-text note"


def _zip(api, role, topic_area, stage, members, **kwargs):
    return api[role].post(
        _url(topic_area, stage, "zip/"),
        {"upload": zip_upload(members)},
        format="multipart",
        **kwargs,
    )


def test_fulltext_zip_reports_every_file(api, topic_area, at_fulltext):
    stage, _unretrievable, missing = at_fulltext
    response = _zip(
        api,
        "reviewer",
        topic_area,
        stage,
        {
            f"record-{missing.pk}.pdf": tiny_pdf("Second"),
            "scan0001.pdf": tiny_pdf("unknown"),
            "login.pdf": HTML_PAGE,
            "papers/first.pdf": tiny_pdf("nested"),
        },
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "archive": "fulltexts.zip",
        "matched": [
            {
                "file": f"record-{missing.pk}.pdf",
                "record": missing.pk,
                "title": "Confidential record title 2",
                "rule": "record_key",
                "replaced": False,
            }
        ],
        "unmatched": ["scan0001.pdf"],
        "ambiguous": [],
        "not_pdf": [
            {
                "file": "login.pdf",
                "message": "login.pdf is a web page, not a PDF: it was probably saved from an "
                "error or login page. Download the PDF itself and upload that.",
            }
        ],
        "refused": [
            {
                "file": "papers/first.pdf",
                "message": "papers/first.pdf is in a folder or has an absolute path; put the "
                "PDFs at the top of the zip.",
            }
        ],
    }
    text = FullText.objects.get(record=missing)
    assert (text.original_name, text.uploaded_by.username) == (
        f"record-{missing.pk}.pdf",
        "reviewer",
    )
    listed = api["reviewer"].get(_url(topic_area, stage) + "?status=attached").json()
    assert [row["record"] for row in listed["results"]] == [missing.pk]
    entry = AuditEntry.objects.get(action="fulltext.attach_zip")
    assert (entry.after["matched"], entry.after["refused"]) == (1, 1)


def test_fulltext_zip_reports_ambiguous_files_in_danish(api, topic_area, at_fulltext):
    stage, _unretrievable, missing = at_fulltext
    Record.objects.filter(pk=missing.pk).update(doi="10.1000/abc")
    response = _zip(
        api,
        "lead",
        topic_area,
        stage,
        {"10.1000_abc.pdf": tiny_pdf("one"), f"record-{missing.pk}.pdf": tiny_pdf("two")},
    )
    assert response.status_code == 200, response.content
    assert sorted(
        (row["file"], row["reason"], row["records"]) for row in response.json()["ambiguous"]
    ) == [
        ("10.1000_abc.pdf", "several_files", [missing.pk]),
        (f"record-{missing.pk}.pdf", "several_files", [missing.pk]),
    ]
    assert response.json()["matched"] == []
    assert not FullText.objects.filter(record=missing).exists()
    danish = _zip(
        api,
        "lead",
        topic_area,
        stage,
        {"login.pdf": HTML_PAGE},
        HTTP_ACCEPT_LANGUAGE="da",
    )
    assert danish.json()["not_pdf"][0]["message"].startswith("login.pdf er en webside")


def test_fulltext_zip_refuses_what_is_not_a_zip_and_json(api, topic_area, at_fulltext):
    stage, _unretrievable, _missing = at_fulltext
    url = _url(topic_area, stage, "zip/")
    not_zip = api["lead"].post(
        url, {"upload": pdf_upload("papers.zip", tiny_pdf())}, format="multipart"
    )
    assert not_zip.status_code == 400
    assert not_zip.json()["field_errors"] == {"upload": ["papers.zip is not a zip archive."]}
    nothing = api["lead"].post(url, {}, format="multipart")
    assert list(nothing.json()["field_errors"]) == ["upload"]
    as_json = api["lead"].post(url, {"upload": "x"}, format="json")
    assert (as_json.status_code, as_json.json()["code"]) == (415, "unsupported_media_type")
    assert not AuditEntry.objects.filter(action="fulltext.attach_zip").exists()


def test_fulltext_zip_denied_with_data_present(api, topic_area, at_fulltext):
    stage, unretrievable, _missing = at_fulltext
    members = {f"record-{unretrievable.pk}.pdf": tiny_pdf("First")}
    for role, status in (("peer_reviewer", 403), ("outsider", 404), ("anonymous", 401)):
        response = _zip(api, role, topic_area, stage, members)
        assert response.status_code == status, role
        for secret in SECRETS:
            assert secret not in response.content.decode(), (role, secret)
    assert FullText.objects.get(record=unretrievable).not_retrievable
    assert not AuditEntry.objects.filter(action="fulltext.attach_zip").exists()
