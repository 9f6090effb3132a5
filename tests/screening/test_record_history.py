"""A record's history page: import, merges, decisions, resolutions; blind where screening is."""

import re

import pytest
from django.urls import reverse

from screening.models import DuplicatePair, Record, Source
from screening.services.duplicates import duplicate_pair_confirm, duplicate_pair_reject
from screening.services.screening import (
    conflict_resolve,
    decision_record,
    stage_update,
    stages_set_up,
)


@pytest.fixture
def screened(topic_area, lead, reviewer, second_reviewer, peer_reviewer):
    source = Source.objects.create(topic_area=topic_area, name="EconLit", created_by=lead)
    first, second = (
        Record.objects.create(topic_area=topic_area, source=source, position=i, title=title)
        for i, title in ((1, "Caseloads and unemployment"), (2, "Caseloads and unemployment."))
    )
    pair = DuplicatePair.objects.create(
        topic_area=topic_area, record_a=first, record_b=second, score=0.9
    )
    duplicate_pair_confirm(pair=pair, actor=lead)
    first.refresh_from_db()
    kept, dropped = (first, second) if first.canonical_id is None else (second, first)
    third = Record.objects.create(
        topic_area=topic_area, source=source, position=3, title="Caseworkers and unemployment"
    )
    rejected = DuplicatePair.objects.create(
        topic_area=topic_area, record_a=kept, record_b=third, score=0.6
    )
    duplicate_pair_reject(pair=rejected, actor=lead)
    stages = stages_set_up(topic_area=topic_area, actor=lead, preset="three")
    stage = stage_update(
        stage=stages[0], actor=lead, expected_version=stages[0].version, reviewers_required=2
    )
    item = stage.items.get(record=kept)
    decision_record(item=item, reviewer=reviewer, value="include", note="Hidden note")
    decision_record(item=item, reviewer=reviewer, value="exclude")
    return {
        "record": kept,
        "stage": stage,
        "item": item,
        "dropped": dropped,
    }


def _url(record):
    return reverse(
        "record_history",
        kwargs={"slug": "secret-review", "topic_key": "caseload", "record_id": record.pk},
    )


def test_history_shows_import_merge_decisions_and_changes(client, lead, screened, second_reviewer):
    decision_record(item=screened["item"], reviewer=second_reviewer, value="include")
    conflict_resolve(item=screened["item"], actor=lead, value="include", note="Agreed")
    client.force_login(lead)

    body = client.get(_url(screened["record"])).content.decode()

    assert "EconLit" in body
    assert 'data-testid="merged-duplicate"' in body
    assert body.count('data-testid="history-decision"') == 2
    assert "Resolved by lead" in body and "Agreed" in body
    assert "changed the decision on" in body  # include -> exclude, from the audit log
    assert "merged the duplicate" in body
    assert "resolved" in body
    assert "marked as not duplicates" in body
    assert "Not a duplicate" in body
    # The history is read-only: the page's only forms are the labels'.
    main = body.split("<main")[1]
    actions = re.findall(r'<form method="post" action="([^"]+)"', main)
    assert main.count('method="post"') == len(actions) == 1
    assert actions[0].endswith(f"/records/{screened['record'].pk}/labels/")


def test_history_of_the_merged_record_names_its_canonical(client, lead, screened):
    client.force_login(lead)
    body = client.get(_url(screened["dropped"])).content.decode()
    assert 'data-testid="merged-into"' in body
    assert "merged the duplicate" in body


def test_second_reviewer_does_not_see_a_blind_decision_before_deciding(
    client, second_reviewer, screened
):
    client.force_login(second_reviewer)
    body = client.get(_url(screened["record"])).content.decode()
    assert "decisions stay hidden until both reviewers have decided" in body
    assert "Hidden note" not in body
    assert "changed the decision on" not in body


def test_peer_reviewer_reads_the_decisions(client, peer_reviewer, screened):
    client.force_login(peer_reviewer)
    body = client.get(_url(screened["record"])).content.decode()
    assert "Hidden note" in body


def test_history_of_another_topic_areas_record_is_404(client, lead, screened, project):
    from tests.factories.reviewapp import TopicAreaFactory

    other = TopicAreaFactory(project=project, key="other")
    client.force_login(lead)
    url = reverse(
        "record_history",
        kwargs={
            "slug": "secret-review",
            "topic_key": other.key,
            "record_id": screened["record"].pk,
        },
    )
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("changes", [1, 8])
def test_history_query_count_does_not_grow(
    client, lead, reviewer, screened, changes, django_assert_max_num_queries
):
    for number in range(changes):
        decision_record(
            item=screened["item"], reviewer=reviewer, value="include" if number % 2 else "exclude"
        )
    client.force_login(lead)
    with django_assert_max_num_queries(16):
        response = client.get(_url(screened["record"]))
    assert response.status_code == 200
