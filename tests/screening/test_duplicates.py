import pytest
from django.utils import timezone

from reviewapp.models import AuditEntry
from screening.models import DuplicatePair, Record
from screening.services.duplicates import (
    deduplicate_new_records,
    duplicate_pair_confirm,
    duplicate_pair_reject,
    record_unmerge,
)
from screening.services.imports import import_job_create, import_run
from tests.screening.conftest import STUDIES, ris_text, upload


@pytest.fixture
def imported(django_capture_on_commit_callbacks, topic_area, lead):
    def run(name, studies, source_name):
        with django_capture_on_commit_callbacks(execute=True):
            job = import_job_create(
                topic_area=topic_area,
                actor=lead,
                upload=upload(name, ris_text(studies)),
                source_name=source_name,
            )
        job.refresh_from_db()
        assert job.status == "done", job.error
        return job

    return run


def _pair(topic_area, a, b, score=0.8):
    a, b = sorted([a, b], key=lambda r: r.pk)
    return DuplicatePair.objects.create(
        topic_area=topic_area, record_a=a, record_b=b, score=score, reason="title 0.80"
    )


def test_confirm_merges_into_the_earlier_record(imported, topic_area, lead):
    imported("a.ris", STUDIES[:2], "EconLit")
    first, second = Record.objects.order_by("pk")
    pair = _pair(topic_area, first, second)
    duplicate_pair_confirm(pair=pair, actor=lead)
    second.refresh_from_db()
    assert second.canonical_id == first.pk
    assert second.merged_by == lead
    pair.refresh_from_db()
    assert pair.status == DuplicatePair.Status.CONFIRMED
    assert AuditEntry.objects.filter(action="duplicate.confirm").count() == 1


def test_confirm_follows_existing_merges_to_the_root(imported, topic_area, lead):
    imported("a.ris", STUDIES, "EconLit")
    first, second, third = Record.objects.order_by("pk")
    duplicate_pair_confirm(pair=_pair(topic_area, first, second), actor=lead)
    duplicate_pair_confirm(pair=_pair(topic_area, third, second), actor=lead)
    assert set(Record.objects.values_list("canonical_id", flat=True)) == {None, first.pk}


def test_reject_keeps_both_and_is_remembered(imported, topic_area, lead):
    imported("a.ris", STUDIES[:2], "EconLit")
    first, second = Record.objects.order_by("pk")
    pair = _pair(topic_area, first, second)
    duplicate_pair_reject(pair=pair, actor=lead)
    assert Record.objects.filter(canonical__isnull=True).count() == 2
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == (DuplicatePair.Status.REJECTED, lead)


def test_undo_separates_a_merged_record_and_no_import_merges_it_again(imported, topic_area, lead):
    imported("a.ris", STUDIES, "EconLit")
    job = imported("b.ris", STUDIES[:1], "PsycInfo")
    assert job.summary["duplicates_existing"] == 1
    duplicate = Record.objects.get(source__name="PsycInfo")
    original = duplicate.canonical
    record_unmerge(record=duplicate, actor=lead)
    duplicate.refresh_from_db()
    assert duplicate.canonical is None
    assert (
        DuplicatePair.objects.get(record_a=original, record_b=duplicate).status
        == DuplicatePair.Status.REJECTED
    )
    # Running de-duplication again for that source leaves the pair apart.
    deduplicate_new_records(topic_area=topic_area, source=duplicate.source)
    duplicate.refresh_from_db()
    assert duplicate.canonical is None
    assert AuditEntry.objects.filter(action="duplicate.undo").count() == 1


def test_late_duplicate_merges_into_the_record_already_being_screened(imported, topic_area, lead):
    imported("a.ris", STUDIES, "EconLit")
    screened = Record.objects.get(doi=STUDIES[1]["doi"])
    late = imported("snowball.ris", [STUDIES[1]], "Snowballing")
    assert late.summary["duplicates_existing"] == 1
    screened.refresh_from_db()
    assert screened.canonical is None
    assert Record.objects.get(source__name="Snowballing").canonical == screened


def test_a_merge_never_crosses_topic_areas(imported, topic_area, lead, project):
    from tests.factories.reviewapp import TopicAreaFactory

    imported("a.ris", STUDIES, "EconLit")
    other = TopicAreaFactory(project=project)
    import_job_create(
        topic_area=other,
        actor=lead,
        upload=upload("b.ris", ris_text(STUDIES)),
        source_name="EconLit",
        enqueue=False,
    )
    job = other.import_jobs.get()
    summary = import_run(job=job)
    assert summary.duplicates_existing == 0
    assert summary.imported == 3


# A file that merges and leaves pairs for review: exact repeats, a copy with a
# typo in its title and no DOI, one with only the first words of its title, and
# one two years off (left for a person).
COPIES = [
    STUDIES[0],
    dict(STUDIES[1], title="Do meetings at a distance help job seekers find wrok?", doi=""),
    STUDIES[0],
    dict(STUDIES[2], doi="", start=1431, title="Caseworker-client matching by gender"),
    STUDIES[2],
    dict(STUDIES[1], doi="", year=2019),
]


def _links(source):
    """Each record of `source` by position: what it merged into (by position) and why."""
    return [
        (record.position, record.canonical and record.canonical.position, record.duplicate_score)
        + (record.duplicate_reason,)
        for record in source.records.select_related("canonical").order_by("position")
    ]


def _review(topic_area):
    return sorted(
        (pair.record_a.position, pair.record_b.position, pair.score, pair.reason)
        for pair in DuplicatePair.objects.filter(topic_area=topic_area).select_related(
            "record_a", "record_b"
        )
    )


def test_two_imports_of_one_file_merge_alike(imported, topic_area, lead, project):
    from tests.factories.reviewapp import TopicAreaFactory

    text = ris_text(STUDIES + COPIES)
    first = imported("a.ris", STUDIES + COPIES, "EconLit")
    other = TopicAreaFactory(project=project, key="other")
    job = import_job_create(
        topic_area=other, actor=lead, upload=upload("a.ris", text), source_name="EconLit"
    )
    import_run(job=job)
    job.refresh_from_db()

    links = _links(first.source)
    assert links == _links(job.source)
    assert _review(topic_area) == _review(other)
    merged = {position: canonical for position, canonical, *_ in links if canonical}
    assert merged == {4: 1, 5: 2, 6: 1, 7: 3, 8: 3}
    # 5 merged into 2, so its borderline pair with 9 is the same question as 2's: asked once.
    assert [(a, b, score) for a, b, score, _ in _review(topic_area)] == [(2, 9, 0.9)]


def test_merges_set_each_record_s_canonical_record_score_and_reason(topic_area):
    from screening.services.duplicates import _merge_records
    from tests.factories.screening import RecordFactory, SourceFactory

    source = SourceFactory(topic_area=topic_area)
    first, second, third = (RecordFactory(source=source) for _ in range(3))
    merged_at = timezone.now()

    _merge_records(
        [(second.pk, first.pk, 0.99, "title 0.99"), (third.pk, first.pk, 1.0, "same DOI")],
        merged_at=merged_at,
    )

    rows = Record.objects.order_by("pk").values_list(
        "canonical_id", "duplicate_score", "duplicate_reason", "merged_at"
    )
    assert list(rows) == [
        (None, None, "", None),
        (first.pk, 0.99, "title 0.99", merged_at),
        (first.pk, 1.0, "same DOI", merged_at),
    ]


@pytest.mark.postgres
def test_merges_by_copy_and_by_bulk_update_set_the_same_fields(topic_area, project):
    from django.db import connection

    from screening.services.duplicates import (
        _merge_records_by_bulk_update,
        _merge_records_by_copy,
    )
    from tests.factories.reviewapp import TopicAreaFactory
    from tests.factories.screening import RecordFactory, SourceFactory

    if connection.vendor != "postgresql":
        pytest.skip("COPY needs PostgreSQL (CI runs this on it)")
    merged_at = timezone.now()
    results = []
    for merge, area in (
        (_merge_records_by_copy, topic_area),
        (_merge_records_by_bulk_update, TopicAreaFactory(project=project, key="other")),
    ):
        source = SourceFactory(topic_area=area)
        records = [RecordFactory(source=source, position=n) for n in range(5)]
        ids = [record.pk for record in records]
        merge(
            [
                (ids[1], ids[0], 0.975, "title 0.98, year equal"),
                (ids[3], ids[0], 1.0, ""),
                (ids[4], ids[2], 0.5, "x" * 200),
            ],
            merged_at=merged_at,
        )
        rows = source.records.order_by("position").values_list(
            "position", "canonical__position", "duplicate_score", "duplicate_reason", "merged_at"
        )
        results.append(list(rows))

    assert results[0] == results[1]
    assert [row[1] for row in results[0]] == [None, 0, None, 0, 2]


def test_a_second_upload_asks_no_question_twice(imported, topic_area):
    """A borderline pair is asked about the two works, once: copies merged on the way do
    not make new questions (a re-upload of the same file used to add four)."""
    near = dict(STUDIES[0], volume=999, doi="")  # same title, other volume: borderline
    first = imported("a.ris", [STUDIES[0], dict(near), STUDIES[1]], "EconLit")
    assert first.summary["review_pairs"] == 1
    pairs = list(DuplicatePair.objects.values_list("record_a_id", "record_b_id"))

    second = imported("a-again.ris", [STUDIES[0], dict(near), STUDIES[1]], "EconLit again")

    assert second.summary["duplicates_existing"] == 3
    assert second.summary["review_pairs"] == 0
    assert list(DuplicatePair.objects.values_list("record_a_id", "record_b_id")) == pairs
