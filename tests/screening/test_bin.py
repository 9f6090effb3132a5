"""Removing an import and restoring it (screening.services.bin)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from reviewapp.models import AuditEntry
from screening import queries
from screening.models import Decision, DuplicatePair, ImportJob, Record, ScreeningItem, Source
from screening.rules import can_remove_import
from screening.services.bin import source_delete, source_restore
from screening.services.screening import decision_record, screening_maybe, stages_set_up
from tests.factories.reviewapp import MembershipFactory, ProjectFactory
from tests.factories.screening import (
    DuplicatePairFactory,
    ImportJobFactory,
    RecordFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_imports(topic_area, lead, reviewer):
    """EconLit (3 records) and Scopus (2), screened in part at the title stage (the included
    Scopus record is at the abstract stage too), a maybe on a Scopus record and a pending
    duplicate pair across the two imports."""
    econlit = SourceFactory(topic_area=topic_area, name="EconLit")
    scopus = SourceFactory(topic_area=topic_area, name="Scopus")
    kept = [RecordFactory(source=econlit, title=f"EconLit {i}") for i in range(3)]
    removed = [RecordFactory(source=scopus, title=f"Scopus {i}") for i in range(2)]
    title, _abstract = stages_set_up(topic_area=topic_area, actor=lead, preset="two")

    def item(record):
        return ScreeningItem.objects.get(stage=title, record=record)

    decision_record(item=item(kept[0]), reviewer=reviewer, value="include")
    decision_record(item=item(kept[1]), reviewer=reviewer, value="exclude", reason="")
    decision_record(item=item(removed[0]), reviewer=reviewer, value="include")
    screening_maybe(stage=title, item_id=item(removed[1]).pk, reviewer=reviewer)
    DuplicatePairFactory(topic_area=topic_area, record_a=kept[2], record_b=removed[1])
    return topic_area, econlit, scopus, title


def _figures(topic_area, reviewer):
    """What the pages count: stage bars, the reviewer's own figures, the flow, the pairs."""
    cache.clear()  # the stage figures may lag by seconds on the screening page
    counts, _undecided = queries.topic_area_flow(topic_area)
    return {
        "stages": [
            (s.name, s.total, s.pending, s.included, s.excluded, s.maybes_waiting)
            for s in queries.stages_with_progress(topic_area)
        ],
        "progress": [queries.stage_progress(stage, reviewer) for stage in topic_area.stages.all()],
        "flow_sources": [(s.name, s.count.value) for s in counts.sources],
        "flow_screened": [s.screened.value for s in counts.stages],
        "pairs": list(queries.pending_pairs(topic_area).values_list("pk", flat=True)),
        "records": queries.record_counts(topic_area),
        "sources": [s.name for s in queries.sources_with_counts(topic_area)],
    }


def test_removed_import_leaves_every_queue_count_flow_and_pair(two_imports, lead, reviewer):
    topic_area, _econlit, scopus, title = two_imports

    source_delete(source=scopus, actor=lead)

    figures = _figures(topic_area, reviewer)
    assert figures["stages"][0] == (title.name, 3, 1, 1, 1, 0)
    assert figures["progress"][0]["total"] == 3
    assert figures["progress"][0]["mine"] == 2
    assert figures["progress"][0]["maybes"] == 0
    assert figures["flow_sources"] == [("EconLit", 3)]
    assert figures["flow_screened"][0] == 2  # decided EconLit records only
    assert figures["pairs"] == []
    assert figures["records"]["total"] == 3
    assert figures["sources"] == ["EconLit"]
    titles = {item.record.title for item in title.items.select_related("record")}
    assert titles == {"EconLit 0", "EconLit 1", "EconLit 2"}


def test_removed_import_keeps_its_decisions_for_the_audit(two_imports, lead, reviewer):
    topic_area, _econlit, scopus, _title = two_imports

    source_delete(source=scopus, actor=lead)

    binned = Decision.all_objects.filter(item__record__source=scopus)
    assert [(d.value, d.reviewer, d.deleted_by) for d in binned] == [("include", reviewer, lead)]
    assert not Decision.objects.filter(item__record__source=scopus).exists()
    entry = AuditEntry.objects.get(action="source.delete")
    assert (entry.actor, entry.project, entry.object_repr) == (lead, topic_area.project, "Scopus")
    assert entry.after == {"decisions": 1, "items": 3, "duplicate_pairs": 1, "records": 2}
    assert str(entry.action_label) == "removed the import"


def test_restore_brings_the_counts_back_exactly(two_imports, lead, reviewer):
    topic_area, _econlit, scopus, _title = two_imports
    before = _figures(topic_area, reviewer)
    source_delete(source=scopus, actor=lead)
    assert _figures(topic_area, reviewer) != before

    source_restore(source=scopus, actor=lead)

    assert _figures(topic_area, reviewer) == before
    assert Record.objects.filter(source=scopus).count() == 2
    assert DuplicatePair.objects.filter(topic_area=topic_area).count() == 1
    entry = AuditEntry.objects.get(action="source.restore")
    assert entry.after == {"decisions": 1, "items": 3, "duplicate_pairs": 1, "records": 2}


def test_restore_puts_records_into_stages_set_up_while_in_the_bin(topic_area, lead):
    scopus = SourceFactory(topic_area=topic_area, name="Scopus")
    record = RecordFactory(source=scopus)
    source_delete(source=scopus, actor=lead)
    title, _abstract = stages_set_up(topic_area=topic_area, actor=lead, preset="two")
    assert not title.items.exists()

    source_restore(source=scopus, actor=lead)

    assert [item.record for item in title.items.all()] == [record]


def test_only_a_lead_of_the_project_may_remove_an_import(two_imports, lead, reviewer, cast):
    _topic_area, _econlit, scopus, _title = two_imports
    other_lead = MembershipFactory(project=ProjectFactory(), role="lead").user

    assert can_remove_import(lead, scopus)
    assert not can_remove_import(reviewer, scopus)
    assert not can_remove_import(cast["peer_reviewer"], scopus)
    assert not can_remove_import(other_lead, scopus)


# --- the pages ---------------------------------------------------------------------------


def _done_job(topic_area, source):
    return ImportJobFactory(
        topic_area=topic_area, source=source, status=ImportJob.Status.DONE, summary={}
    )


def _url(name, source):
    return reverse(
        name,
        kwargs={
            "slug": source.topic_area.project.slug,
            "topic_key": source.topic_area.key,
            "source_id": source.pk,
        },
    )


def test_lead_removes_and_restores_an_import_from_its_page(client, two_imports, lead):
    topic_area, _econlit, scopus, title = two_imports
    job = _done_job(topic_area, scopus)
    client.force_login(lead)
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'data-testid="import-remove"' in page

    response = client.post(_url("source_remove", scopus), follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == job.get_absolute_url()
    assert "The import Scopus is in the bin" in page
    assert 'data-testid="import-in-bin"' in page
    assert 'data-testid="import-restore"' in page
    assert title.items.count() == 3

    response = client.post(_url("source_restore", scopus), follow=True)

    assert "The import Scopus is restored, with its records and decisions." in (
        response.content.decode()
    )
    assert title.items.count() == 5


@pytest.mark.parametrize(("who", "status"), [("reviewer", 403), ("peer_reviewer", 403)])
def test_members_who_are_not_leads_cannot_remove_or_restore(client, two_imports, cast, who, status):
    _topic_area, _econlit, scopus, _title = two_imports
    client.force_login(cast[who])

    assert client.post(_url("source_remove", scopus)).status_code == status
    assert Source.objects.filter(pk=scopus.pk).exists()
    source_delete(source=scopus, actor=cast["lead"])
    assert client.post(_url("source_restore", scopus)).status_code == status
    assert not Source.objects.filter(pk=scopus.pk).exists()


def test_lead_of_another_project_gets_404_with_the_import_present(client, two_imports):
    _topic_area, _econlit, scopus, _title = two_imports
    other_lead = MembershipFactory(project=ProjectFactory(), role="lead").user
    client.force_login(other_lead)

    assert client.post(_url("source_remove", scopus)).status_code == 404
    assert Source.objects.filter(pk=scopus.pk).exists()


def test_removing_by_get_answers_with_the_405_page(client, two_imports, lead):
    _topic_area, _econlit, scopus, _title = two_imports
    client.force_login(lead)

    response = client.get(_url("source_remove", scopus))

    assert response.status_code == 405
    assert response.content.strip()
    assert Source.objects.filter(pk=scopus.pk).exists()
