"""Full-text pages: the list with each record's PDF status, uploads and their messages, the zip
report, "not retrievable", the PDF served inline, the PDF beside the decision form, denials with
data present, and query counts."""

import pytest
from django.urls import reverse

from screening.models import FullText, ScreeningItem, Stage
from screening.services import fulltext as services
from screening.services.screening import stage_enter_records
from tests.factories.screening import RecordFactory, SourceFactory
from tests.screening import test_fulltext_services as shared
from tests.screening.test_fulltext_services import HTML_PAGE, pdf_upload, tiny_pdf, zip_upload

# The services tests' fixtures: three stages, three records at the full-text stage.
stages = shared.stages
fulltext_stage = shared.fulltext_stage
records = shared.records


def _kw(stage, **extra):
    return {"slug": stage.topic_area.project.slug, "topic_key": stage.topic_area.key, **extra}


def _url(name, stage, record=None):
    extra = {"stage_id": stage.pk}
    if record is not None:
        extra["record_id"] = record.pk
    return reverse(name, kwargs=_kw(stage, **extra))


def test_list_shows_each_records_status(client, peer_reviewer, reviewer, records, fulltext_stage):
    attached, unretrievable, _missing = records
    services.fulltext_attach(record=attached, actor=reviewer, upload=pdf_upload("Smith.pdf"))
    services.fulltext_mark_not_retrievable(
        record=unretrievable, actor=reviewer, note="Out of print"
    )
    client.force_login(peer_reviewer)

    response = client.get(_url("fulltexts", fulltext_stage))

    body = response.content.decode()
    assert "1 of 3 records have a PDF · 1 not retrievable · 1 missing" in " ".join(body.split())
    assert _url("fulltext_pdf", fulltext_stage, attached) in body
    assert ">Smith.pdf</a>" in body
    assert "Out of print" in body
    assert body.count('data-testid="fulltext-status"') == 3
    assert f"file name: record-{attached.pk}.pdf" in body
    # A peer reviewer reads; no write controls.
    assert 'data-testid="upload-form"' not in body
    assert 'data-testid="zip-form"' not in body
    assert _url("fulltext_remove", fulltext_stage, attached) not in body


def test_list_filters_by_status(client, reviewer, records, fulltext_stage):
    services.fulltext_attach(record=records[0], actor=reviewer, upload=pdf_upload())
    client.force_login(reviewer)
    body = client.get(_url("fulltexts", fulltext_stage) + "?status=missing").content.decode()
    assert body.count('data-testid="fulltext-row"') == 2
    assert f'id="record-{records[0].pk}"' not in body


def test_list_of_a_stage_that_is_not_full_text_is_not_found(client, reviewer, stages):
    client.force_login(reviewer)
    assert client.get(_url("fulltexts", stages[0])).status_code == 404


def test_upload_through_the_page_attaches_and_says_so(client, reviewer, records, fulltext_stage):
    client.force_login(reviewer)
    response = client.post(
        _url("fulltext_upload", fulltext_stage, records[1]),
        {"upload": pdf_upload("Cheung 2017.pdf", tiny_pdf("Cheung"))},
        follow=True,
    )
    assert response.redirect_chain == [
        (_url("fulltexts", fulltext_stage) + f"#record-{records[1].pk}", 302)
    ]
    assert "Cheung 2017.pdf attached." in response.content.decode()
    text = FullText.objects.get(record=records[1])
    assert (text.original_name, text.uploaded_by) == ("Cheung 2017.pdf", reviewer)


def test_upload_of_a_web_page_saved_as_pdf_is_refused_naming_the_file(
    client, reviewer, records, fulltext_stage
):
    client.force_login(reviewer)
    response = client.post(
        _url("fulltext_upload", fulltext_stage, records[1]),
        {"upload": pdf_upload("Cheung 2017.pdf", HTML_PAGE)},
        follow=True,
    )
    assert (
        "Cheung 2017.pdf is a web page, not a PDF: it was probably saved from an error or login "
        "page. Download the PDF itself and upload that."
    ) in response.content.decode()
    assert not FullText.objects.exists()


def test_upload_over_the_limit_is_refused(client, reviewer, records, fulltext_stage, settings):
    settings.FULLTEXT_MAX_BYTES = 200
    client.force_login(reviewer)
    response = client.post(
        _url("fulltext_upload", fulltext_stage, records[1]),
        {"upload": pdf_upload("Big scan.pdf")},
        follow=True,
    )
    assert (
        f"Big scan.pdf is {len(tiny_pdf())}\xa0bytes; the largest PDF accepted is 200\xa0bytes."
        in response.content.decode()
    )
    assert not FullText.objects.exists()


def test_zip_upload_shows_its_report(client, reviewer, records, fulltext_stage):
    client.force_login(reviewer)
    upload = zip_upload(
        {
            "10.1016_j.jpubeco.2016.07.001.pdf": tiny_pdf(),
            "not-a-pdf.pdf": HTML_PAGE,
            "unknown.pdf": tiny_pdf("unknown"),
            "../escape.pdf": tiny_pdf("escape"),
        },
        name="batch <1>.zip",
    )

    response = client.post(_url("fulltext_zip", fulltext_stage), {"upload": upload})

    assert response.status_code == 200
    body = " ".join(response.content.decode().split())
    assert "What became of the files in batch &lt;1&gt;.zip" in body
    assert "1 file attached" in body
    assert (
        "10.1016_j.jpubeco.2016.07.001.pdf → Hainmueller (2016): Caseworker caseloads and the "
        "duration of unemployment"
    ) in body
    assert "not-a-pdf.pdf is a web page, not a PDF" in body
    assert "<li>unknown.pdf</li>" in body
    assert "../escape.pdf is in a folder or has an absolute path" in body
    assert "1 of 3 records have a PDF" in body
    assert FullText.objects.get().record == records[0]


def test_zip_upload_that_is_not_a_zip_comes_back_with_the_error(
    client, reviewer, records, fulltext_stage
):
    client.force_login(reviewer)
    response = client.post(
        _url("fulltext_zip", fulltext_stage), {"upload": pdf_upload("fulltexts.zip")}
    )
    assert response.status_code == 400
    assert "fulltexts.zip is not a zip archive." in response.content.decode()


def test_not_retrievable_and_remove_through_the_page(client, reviewer, records, fulltext_stage):
    client.force_login(reviewer)
    response = client.post(
        _url("fulltext_not_retrievable", fulltext_stage, records[2]),
        {"note": "Requested twice"},
        follow=True,
    )
    assert "Marked not retrievable." in response.content.decode()
    assert FullText.objects.get(record=records[2]).note == "Requested twice"

    response = client.post(_url("fulltext_remove", fulltext_stage, records[2]), follow=True)
    assert "Removed: the record has no full text now." in response.content.decode()
    assert not FullText.objects.exists()


def test_pdf_is_served_inline_to_members(client, peer_reviewer, reviewer, records, fulltext_stage):
    data = tiny_pdf("Served inline")
    services.fulltext_attach(
        record=records[0], actor=reviewer, upload=pdf_upload("Smith 2016.pdf", data)
    )
    client.force_login(peer_reviewer)

    response = client.get(_url("fulltext_pdf", fulltext_stage, records[0]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="Smith 2016.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    # Same-origin framing is what lets the screening page show it.
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_pdf_is_not_found_without_one_or_for_a_record_elsewhere(
    client, reviewer, records, fulltext_stage, stages, project
):
    client.force_login(reviewer)
    assert client.get(_url("fulltext_pdf", fulltext_stage, records[1])).status_code == 404
    services.fulltext_mark_not_retrievable(record=records[1], actor=reviewer)
    assert client.get(_url("fulltext_pdf", fulltext_stage, records[1])).status_code == 404
    # A record of the project that never reached the stage is not served through it.
    other = RecordFactory(source=SourceFactory(topic_area=fulltext_stage.topic_area))
    FullText.objects.create(record=other, not_retrievable=True)
    assert client.get(_url("fulltext_pdf", fulltext_stage, other)).status_code == 404


def test_outsider_gets_no_pdf_and_no_trace_of_it(
    client, outsider, reviewer, records, fulltext_stage
):
    services.fulltext_attach(
        record=records[0], actor=reviewer, upload=pdf_upload("Secret.pdf", tiny_pdf("Secret"))
    )
    client.force_login(outsider)
    for url in (
        _url("fulltext_pdf", fulltext_stage, records[0]),
        _url("fulltexts", fulltext_stage),
    ):
        response = client.get(url)
        assert response.status_code == 404
        body = response.content.decode()
        assert "Secret.pdf" not in body
        assert "Caseworker caseloads" not in body
        assert "%PDF" not in body


def test_peer_reviewer_cannot_write_and_nothing_changes(
    client, peer_reviewer, reviewer, records, fulltext_stage
):
    services.fulltext_attach(record=records[0], actor=reviewer, upload=pdf_upload("Kept.pdf"))
    client.force_login(peer_reviewer)
    posts = [
        (_url("fulltext_upload", fulltext_stage, records[1]), {"upload": pdf_upload()}),
        (_url("fulltext_zip", fulltext_stage), {"upload": zip_upload({"x.pdf": tiny_pdf()})}),
        (_url("fulltext_not_retrievable", fulltext_stage, records[2]), {"note": "x"}),
        (_url("fulltext_remove", fulltext_stage, records[0]), {}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 403
        assert "Do meetings at a distance" not in response.content.decode()
    assert list(FullText.objects.values_list("record_id", "original_name")) == [
        (records[0].pk, "Kept.pdf")
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_list_query_count_does_not_grow(
    client, lead, reviewer, topic_area, fulltext_stage, django_assert_num_queries, count
):
    source = SourceFactory(topic_area=topic_area)
    made = [RecordFactory(source=source) for _ in range(count)]
    stage_enter_records(stage=fulltext_stage, record_ids=[record.pk for record in made])
    for record in made:
        services.fulltext_attach(record=record, actor=reviewer, upload=pdf_upload())
    client.force_login(lead)
    # session, user, project with the role, topic area, stage, page count, page, counts
    with django_assert_num_queries(8):
        response = client.get(_url("fulltexts", fulltext_stage))
    assert response.content.decode().count('data-testid="fulltext-row"') == count


# The screening page at the full-text stage ---------------------------------------------------


def _screen(client, stage, record):
    item = ScreeningItem.objects.get(stage=stage, record=record)
    return client.get(reverse("screen", kwargs=_kw(stage, stage_id=stage.pk)) + f"?item={item.pk}")


def test_screening_page_shows_the_pdf_beside_the_decision_form(
    client, reviewer, records, fulltext_stage
):
    services.fulltext_attach(record=records[0], actor=reviewer, upload=pdf_upload("Smith.pdf"))
    client.force_login(reviewer)

    body = _screen(client, fulltext_stage, records[0]).content.decode()

    pdf_url = _url("fulltext_pdf", fulltext_stage, records[0])
    assert f'<object data="{pdf_url}" type="application/pdf"' in body
    assert (
        f'<a href="{pdf_url}" target="_blank" rel="noopener" data-testid="fulltext-open">' in body
    )
    assert 'data-testid="decision-form"' in body


def test_screening_page_says_when_there_is_no_full_text_yet(
    client, reviewer, records, fulltext_stage
):
    client.force_login(reviewer)
    body = _screen(client, fulltext_stage, records[1]).content.decode()
    assert "No full text yet." in body
    assert f"{_url('fulltexts', fulltext_stage)}#record-{records[1].pk}" in body
    assert "<object" not in body


def test_screening_page_before_the_full_text_stage_has_no_viewer(client, reviewer, stages):
    RecordFactory(source=SourceFactory(topic_area=stages[0].topic_area))
    stage_enter_records(
        stage=stages[0], record_ids=stages[0].topic_area.records.values_list("id", flat=True)
    )
    client.force_login(reviewer)
    body = client.get(reverse("screen", kwargs=_kw(stages[0], stage_id=stages[0].pk))).content
    assert b'data-testid="fulltext-viewer"' not in body
    assert Stage.objects.get(pk=stages[0].pk).kind == Stage.Kind.TITLE


def test_screening_queue_skips_records_marked_not_retrievable(
    client, reviewer, records, fulltext_stage
):
    for record in records[1:]:
        services.fulltext_mark_not_retrievable(record=record, actor=reviewer)
    client.force_login(reviewer)
    response = client.get(reverse("screen", kwargs=_kw(fulltext_stage, stage_id=fulltext_stage.pk)))
    assert response.context["record"] == records[0]
