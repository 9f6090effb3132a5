"""The flow diagram counted from records and decisions, with counts entered by hand."""

import csv
import io
from dataclasses import replace

import pytest
from django.urls import reverse

from reviewapp.models import AuditEntry
from reviewapp.versioning import EditConflict
from screening import flow, queries
from screening.models import ScreeningItem, Source, Stage
from screening.services.flow import flow_reported_update
from screening.services.screening import decision_record, stages_set_up
from tests.factories.screening import RecordFactory, SourceFactory


@pytest.fixture
def review(topic_area, lead, reviewer):
    """Six database records (one a duplicate), two snowballed; screened to the end:
    title excludes 1, abstract excludes 1, full text excludes 1 database record with a
    reason and includes 2, plus 1 snowballed record included."""
    econlit = SourceFactory(topic_area=topic_area, name="EconLit")
    snowball = SourceFactory(
        topic_area=topic_area, name="Snowballing", kind=Source.Kind.SNOWBALLING
    )
    records = [RecordFactory(source=econlit, title=f"Database record {i}") for i in range(5)]
    RecordFactory(source=econlit, title="Database record 0", canonical=records[0])
    snowballed = [RecordFactory(source=snowball, title=f"Reference {i}") for i in range(2)]
    stages = stages_set_up(topic_area=topic_area, actor=lead, preset="three")
    Stage.objects.filter(topic_area=topic_area).update(exclusion_reasons=["Wrong outcome"])
    for stage in stages:
        stage.refresh_from_db()

    def decide(stage, record, value, reason=""):
        item = ScreeningItem.objects.get(stage=stage, record=record)
        decision_record(item=item, reviewer=reviewer, value=value, reason=reason)

    title, abstract, fulltext = stages
    decide(title, records[4], "exclude")
    for record in records[:4] + snowballed:
        decide(title, record, "include")
    decide(abstract, records[3], "exclude")
    for record in records[:3] + snowballed:
        decide(abstract, record, "include")
    decide(fulltext, records[2], "exclude", "Wrong outcome")
    decide(fulltext, snowballed[1], "exclude", "Wrong outcome")
    for record in records[:2] + snowballed[:1]:
        decide(fulltext, record, "include")
    return topic_area, stages


def test_flow_is_counted_from_records_and_decisions_and_adds_up(review):
    topic_area, _stages = review

    counts, undecided = queries.topic_area_flow(topic_area)

    assert [(s.name, s.count.value, s.kind) for s in counts.sources] == [
        ("EconLit", 6, flow.SourceKind.DATABASE),
        ("Snowballing", 2, flow.SourceKind.SNOWBALLING),
    ]
    assert counts.duplicates.value == 1
    assert [(s.screened.value, s.excluded.value) for s in counts.stages] == [(5, 1), (4, 1)]
    fulltext = counts.fulltext
    assert (fulltext.sought.value, fulltext.assessed.value, fulltext.excluded.value) == (3, 3, 1)
    assert fulltext.excluded_by_reason == {"Wrong outcome": 1}
    other = counts.other
    assert (other.sought.value, other.excluded.value) == (2, 1)
    assert (counts.included_studies.value, counts.included_reports.value) == (3, 3)
    assert flow.flow_check(counts) == []
    assert set(undecided.values()) == {0}


def test_undecided_records_are_in_no_box_and_the_counts_still_add_up(topic_area, lead):
    # A review in progress: what is decided is counted, what waits is listed beside the
    # diagram; "the counts do not add up" would be false.
    source = SourceFactory(topic_area=topic_area)
    records = [RecordFactory(source=source) for _ in range(5)]
    stages = stages_set_up(topic_area=topic_area, actor=lead, preset="two")
    for record, value in [(records[0], "exclude"), (records[1], "include")]:
        item = ScreeningItem.objects.get(stage=stages[0], record=record)
        decision_record(item=item, reviewer=lead, value=value)

    counts, undecided = queries.topic_area_flow(topic_area)

    assert undecided == {stages[0].name: 3, stages[1].name: 1}
    first = counts.stages[0]
    assert (first.screened.value, first.excluded.value, first.undecided) == (2, 1, 3)
    assert (counts.fulltext.sought.value, counts.fulltext.undecided) == (0, 1)
    assert flow.flow_check(counts) == []


def test_a_record_missing_from_the_chain_is_still_found_beside_undecided_ones(topic_area, lead):
    source = SourceFactory(topic_area=topic_area)
    for _ in range(3):
        RecordFactory(source=source)
    stages_set_up(topic_area=topic_area, actor=lead, preset="two")
    counts, _undecided = queries.topic_area_flow(topic_area)
    # One record entered the stage but is neither decided nor waiting: the chain breaks.
    broken = replace(counts, stages=[replace(counts.stages[0], undecided=2)])

    problems = flow.flow_check(broken)

    assert [(p.code, p.box, p.actual, p.expected) for p in problems] == [
        ("H1", "stages[0].screened", 2, 3)
    ]


def test_reported_counts_replace_the_counted_boxes_and_are_marked(review, lead):
    topic_area, _stages = review
    flow_reported_update(
        topic_area=topic_area,
        actor=lead,
        counts={"identified_databases": 1008, "stage1_screened": 1008, "stage1_excluded": 954},
        expected_version=topic_area.version,
    )
    topic_area.refresh_from_db()

    counts, _undecided = queries.topic_area_flow(topic_area)

    databases = [s for s in counts.sources if s.kind.in_database_column]
    assert [(s.name, s.count) for s in databases] == [("Databases", flow.Count(1008, True))]
    assert counts.stages[0].screened == flow.Count(1008, reported=True)
    assert counts.stages[0].excluded_by_reason == {}
    assert counts.stages[1].screened == flow.Count(4)  # not entered: still counted
    assert AuditEntry.objects.filter(action="flow.reported").count() == 1


def test_reported_counts_refuse_unknown_boxes_negative_numbers_and_stale_versions(review, lead):
    topic_area, _stages = review
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Unknown flow boxes: stage9_screened"):
        flow_reported_update(
            topic_area=topic_area, actor=lead, counts={"stage9_screened": 1}, expected_version=1
        )
    with pytest.raises(ValidationError):
        flow_reported_update(
            topic_area=topic_area, actor=lead, counts={"duplicates": -1}, expected_version=1
        )
    flow_reported_update(
        topic_area=topic_area, actor=lead, counts={"duplicates": 2}, expected_version=1
    )
    with pytest.raises(EditConflict):
        flow_reported_update(topic_area=topic_area, actor=lead, counts={}, expected_version=1)


def _url(name, topic_area):
    return reverse(name, kwargs={"slug": topic_area.project.slug, "topic_key": topic_area.key})


def test_flow_page_draws_the_diagram_and_offers_downloads(client, review, peer_reviewer):
    topic_area, _stages = review
    client.force_login(peer_reviewer)

    body = client.get(_url("flow", topic_area)).content.decode()
    assert "<svg" in body and "EconLit" in body
    assert 'data-testid="flow-problems"' not in body
    assert 'data-testid="reported-form"' not in body  # read-only for a peer reviewer

    svg = client.get(_url("flow_svg", topic_area))
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.decode().lstrip().startswith(("<svg", "<?xml"))
    rows = list(
        csv.DictReader(io.StringIO(client.get(_url("flow_csv", topic_area)).content.decode()))
    )
    values = {row["data"]: row["n"] for row in rows}
    assert values["records_screened"] == "5"
    assert values["new_studies"] == "3"


def test_topic_page_shows_the_diagram_in_danish(client, review, lead):
    topic_area, _stages = review
    client.force_login(lead)
    client.post(reverse("set_language"), {"language": "da", "next": "/"})
    body = client.get(topic_area.get_absolute_url()).content.decode()
    assert 'data-testid="flow-figure"' in body
    assert "Poster screenet" in body


def test_lead_enters_reported_counts_through_the_page(client, review, lead):
    topic_area, _stages = review
    client.force_login(lead)
    response = client.post(
        _url("flow_reported", topic_area),
        {"version": topic_area.version, "stage1_screened": "1008", "duplicates": ""},
    )
    assert response.status_code == 302
    topic_area.refresh_from_db()
    assert topic_area.reported_flow == {"stage1_screened": 1008}
    body = client.get(_url("flow", topic_area)).content.decode()
    assert "1,008" in body or "1.008" in body
    assert "Numbers marked † were entered by hand." in body

    bad = client.post(
        _url("flow_reported", topic_area), {"version": topic_area.version, "duplicates": "-3"}
    )
    assert bad.status_code == 400
    assert "Ensure this value is greater than or equal to 0." in bad.content.decode()
