import pytest

from reviewapp.models import AuditEntry
from screening import services
from screening.models import DuplicatePair, Record
from screening.services.duplicates import deduplicate_new_records
from tests.screening.conftest import STUDIES, ris_text, upload


@pytest.fixture
def imported(django_capture_on_commit_callbacks, topic_area, lead):
    def run(name, studies, source_name):
        with django_capture_on_commit_callbacks(execute=True):
            job = services.import_job_create(
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
    services.duplicate_pair_confirm(pair=pair, actor=lead)
    second.refresh_from_db()
    assert second.canonical_id == first.pk
    assert second.merged_by == lead
    pair.refresh_from_db()
    assert pair.status == DuplicatePair.Status.CONFIRMED
    assert AuditEntry.objects.filter(action="duplicate.confirm").count() == 1


def test_confirm_follows_existing_merges_to_the_root(imported, topic_area, lead):
    imported("a.ris", STUDIES, "EconLit")
    first, second, third = Record.objects.order_by("pk")
    services.duplicate_pair_confirm(pair=_pair(topic_area, first, second), actor=lead)
    services.duplicate_pair_confirm(pair=_pair(topic_area, third, second), actor=lead)
    assert set(Record.objects.values_list("canonical_id", flat=True)) == {None, first.pk}


def test_reject_keeps_both_and_is_remembered(imported, topic_area, lead):
    imported("a.ris", STUDIES[:2], "EconLit")
    first, second = Record.objects.order_by("pk")
    pair = _pair(topic_area, first, second)
    services.duplicate_pair_reject(pair=pair, actor=lead)
    assert Record.objects.filter(canonical__isnull=True).count() == 2
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == (DuplicatePair.Status.REJECTED, lead)


def test_undo_separates_a_merged_record_and_no_import_merges_it_again(imported, topic_area, lead):
    imported("a.ris", STUDIES, "EconLit")
    job = imported("b.ris", STUDIES[:1], "PsycInfo")
    assert job.summary["duplicates_existing"] == 1
    duplicate = Record.objects.get(source__name="PsycInfo")
    original = duplicate.canonical
    services.record_unmerge(record=duplicate, actor=lead)
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
    from tests.factories import TopicAreaFactory

    imported("a.ris", STUDIES, "EconLit")
    other = TopicAreaFactory(project=project)
    services.import_job_create(
        topic_area=other,
        actor=lead,
        upload=upload("b.ris", ris_text(STUDIES)),
        source_name="EconLit",
        enqueue=False,
    )
    job = other.import_jobs.get()
    summary = services.import_run(job=job)
    assert summary.duplicates_existing == 0
    assert summary.imported == 3
