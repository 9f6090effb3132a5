import pytest
from django.urls import reverse

from screening.models import DuplicatePair, ImportJob, Record, Source
from tests.screening.conftest import STUDIES, ris_text, upload


def _url(name, topic_area, **kwargs):
    return reverse(
        name, kwargs={"slug": topic_area.project.slug, "topic_key": topic_area.key, **kwargs}
    )


def _post_import(client, topic_area, file, capture, **data):
    fields = {"requested_format": "auto", "source_kind": "database", "source_name": "EconLit"}
    fields.update(data)
    with capture(execute=True):
        return client.post(_url("import_create", topic_area), {**fields, "upload": file})


def test_upload_shows_the_summary(client, lead, topic_area, django_capture_on_commit_callbacks):
    client.force_login(lead)
    response = _post_import(
        client,
        topic_area,
        upload("econlit.ris", ris_text(STUDIES + STUDIES[:1])),
        django_capture_on_commit_callbacks,
        reported_hits="4",
        query="caseworker AND caseload",
    )
    job = ImportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    body = client.get(response["Location"]).content.decode()
    assert 'data-testid="summary-records">4<' in body
    assert 'data-testid="summary-imported">3<' in body
    assert 'data-testid="summary-in-file">1<' in body
    source = Source.objects.get()
    assert (source.reported_hits, source.query) == (4, "caseworker AND caseload")
    detail = client.get(topic_area.get_absolute_url()).content.decode()
    assert "EconLit" in detail and "econlit.ris" in detail


def test_progress_partial_is_only_the_status_block(client, lead, topic_area):
    job = ImportJob.objects.create(
        topic_area=topic_area,
        upload="imports/x.ris",
        original_name="x.ris",
        source_name="EconLit",
        status=ImportJob.Status.RUNNING,
    )
    client.force_login(lead)
    body = client.get(job.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert body.strip().startswith('<div id="import-status"')
    assert 'hx-trigger="every 1s"' in body
    assert "<html" not in body


def test_bad_upload_shows_the_reason_and_keeps_nothing(
    client, lead, topic_area, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    response = _post_import(
        client,
        topic_area,
        upload("report.pdf", b"%PDF-1.4\n1 0 obj"),
        django_capture_on_commit_callbacks,
    )
    body = client.get(response["Location"]).content.decode()
    assert "The file was rejected; nothing from it was kept." in body
    assert "report.pdf" in body and "PDF" in body
    assert Record.objects.count() == 0 and Source.objects.count() == 0
    job = ImportJob.objects.get()
    assert not job.upload  # the rejected file is gone, and the job does not point at it


def test_empty_upload_is_refused_by_the_form(client, lead, topic_area):
    client.force_login(lead)
    response = client.post(
        _url("import_create", topic_area),
        {
            "requested_format": "auto",
            "source_kind": "database",
            "source_name": "X",
            "upload": upload("empty.ris", b""),
        },
    )
    assert response.status_code == 200
    assert "The submitted file is empty." in response.content.decode()


def test_oversized_upload_is_refused_by_the_form(client, lead, topic_area, settings):
    settings.UPLOAD_MAX_BYTES = 10
    client.force_login(lead)
    response = client.post(
        _url("import_create", topic_area),
        {
            "requested_format": "auto",
            "source_kind": "database",
            "source_name": "X",
            "upload": upload("big.ris", ris_text(STUDIES)),
        },
    )
    assert "the largest file accepted is 10" in response.content.decode()


def test_unknown_csv_asks_for_a_column_mapping(
    client, lead, topic_area, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    csv = 'Heading,Who,When\nCaseloads and unemployment,"Hainmueller, J",2016\n'
    response = _post_import(
        client, topic_area, upload("custom.csv", csv), django_capture_on_commit_callbacks
    )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.NEEDS_MAPPING
    assert response["Location"].endswith(f"/imports/{job.pk}/mapping/")
    page = client.get(response["Location"]).content.decode()
    assert "Heading, Who, When" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"title": "Heading", "authors": "Who", "year": "When"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.error
    record = Record.objects.get()
    assert (record.title, record.year) == ("Caseloads and unemployment", 2016)


def _records(topic_area, count):
    source = Source.objects.create(topic_area=topic_area, name="EconLit")
    return [
        Record.objects.create(
            topic_area=topic_area,
            source=source,
            position=i,
            title=f"Title {i}",
            authors=["Author, A"],
            year=2000 + i,
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_records_list_query_count_does_not_grow(
    client, lead, topic_area, django_assert_num_queries, count
):
    _records(topic_area, count)
    client.force_login(lead)
    # session, user, project with the role, topic area, sources, count, page
    with django_assert_num_queries(7):
        response = client.get(_url("records", topic_area))
    assert response.content.decode().count('data-testid="record-row"') == count


@pytest.mark.parametrize("count", [1, 3])
def test_duplicates_page_query_count_does_not_grow(
    client, lead, topic_area, django_assert_num_queries, count
):
    records = _records(topic_area, 2 * count)
    for a, b in zip(records[::2], records[1::2], strict=True):
        DuplicatePair.objects.create(topic_area=topic_area, record_a=a, record_b=b, score=0.8)
        Record.objects.filter(pk=b.pk).update(canonical=a)
    client.force_login(lead)
    # session, user, project with the role, topic area, pairs count and page,
    # merged count and page: none per pair or record
    with django_assert_num_queries(8):
        response = client.get(_url("duplicates", topic_area))
    body = response.content.decode()
    assert body.count('data-testid="duplicate-pair"') == count
    assert body.count('data-testid="merged-record"') == count


def test_duplicate_review_confirm_and_undo_through_the_pages(client, lead, topic_area):
    first, second = _records(topic_area, 2)
    pair = DuplicatePair.objects.create(
        topic_area=topic_area, record_a=first, record_b=second, score=0.8, reason="title 0.91"
    )
    client.force_login(lead)
    page = client.get(_url("duplicates", topic_area)).content.decode()
    assert "title 0.91" in page and "Title 0" in page and "Title 1" in page
    client.post(_url("duplicate_confirm", topic_area, pair_id=pair.pk))
    second.refresh_from_db()
    assert second.canonical == first
    body = client.post(_url("record_unmerge", topic_area, record_id=second.pk), follow=True)
    assert "Merge undone" in body.content.decode()
    second.refresh_from_db()
    assert second.canonical is None


def test_peer_reviewer_sees_pairs_without_decision_buttons(client, peer_reviewer, topic_area):
    first, second = _records(topic_area, 2)
    DuplicatePair.objects.create(topic_area=topic_area, record_a=first, record_b=second, score=0.8)
    client.force_login(peer_reviewer)
    body = client.get(_url("duplicates", topic_area)).content.decode()
    assert 'data-testid="duplicate-pair"' in body
    assert "Same record: merge" not in body
