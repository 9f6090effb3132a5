"""The maybe pile at every stage, claims only while someone screens, one-step conflicts."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from screening import queries
from screening.models import Claim, Decision, MaybeFlag, ScreeningItem
from screening.services.screening import (
    conflict_resolve,
    decision_record,
    screening_maybe,
    screening_next,
)
from tests.factories.screening import ScreeningItemFactory, StageFactory


def _stage(topic_area, *, reviewers=2, records=3, **fields):
    stage = StageFactory(topic_area=topic_area, reviewers_required=reviewers, **fields)
    for n in range(records):
        ScreeningItemFactory(stage=stage, order_key=n, record__title=f"Caseload record {n}")
    return stage


def _items(stage):
    return list(stage.items.order_by("order_key", "id"))


def _url(name, stage, **kwargs):
    return reverse(
        name,
        kwargs={
            "slug": stage.topic_area.project.slug,
            "topic_key": stage.topic_area.key,
            "stage_id": stage.pk,
            **kwargs,
        },
    )


# --- The maybe pile ---------------------------------------------------------------------


def test_maybe_at_a_dual_stage_is_a_flag_not_a_decision(topic_area, reviewer):
    stage = _stage(topic_area)
    first = screening_next(stage=stage, reviewer=reviewer)
    after = screening_maybe(stage=stage, item_id=first.pk, reviewer=reviewer, note="Ask a lead")
    first.refresh_from_db()
    assert first.status == ScreeningItem.Status.PENDING
    assert first.decisions_made == 0
    assert not Decision.objects.exists()
    assert list(MaybeFlag.objects.values_list("item_id", "reviewer_id", "note")) == [
        (first.pk, reviewer.pk, "Ask a lead")
    ]
    assert after.pk != first.pk  # the next record, not the one just put on the pile


def test_the_maybe_pile_is_the_queues_tail(topic_area, reviewer):
    stage = _stage(topic_area, records=3)
    first, second, third = _items(stage)
    screening_maybe(stage=stage, item_id=first.pk, reviewer=reviewer)
    handed = []
    item = screening_next(stage=stage, reviewer=reviewer)
    while item is not None and item.pk not in handed:
        handed.append(item.pk)
        if item.pk == first.pk:
            break
        decision_record(item=item, reviewer=reviewer, value="include")
        item = screening_next(stage=stage, reviewer=reviewer)
    # The others first, in queue order; the maybe comes back once nothing else waits.
    assert handed == [second.pk, third.pk, first.pk]


def test_a_maybe_keeps_the_record_waiting_for_the_other_reviewer(
    topic_area, reviewer, second_reviewer
):
    stage = _stage(topic_area, records=1)
    (only,) = _items(stage)
    screening_maybe(stage=stage, item_id=only.pk, reviewer=reviewer)
    assert screening_next(stage=stage, reviewer=second_reviewer).pk == only.pk


def test_deciding_takes_the_record_off_the_pile(topic_area, reviewer):
    stage = _stage(topic_area, records=1)
    (only,) = _items(stage)
    screening_maybe(stage=stage, item_id=only.pk, reviewer=reviewer)
    assert queries.maybe_pile(stage, reviewer).count() == 1
    decision_record(item=only, reviewer=reviewer, value="exclude")
    assert queries.maybe_pile(stage, reviewer).count() == 0
    assert not MaybeFlag.objects.exists()


def test_maybe_is_refused_on_a_record_one_has_decided(topic_area, reviewer):
    stage = _stage(topic_area, records=2)
    first = _items(stage)[0]
    decision_record(item=first, reviewer=reviewer, value="include")
    with pytest.raises(ValidationError):
        screening_maybe(stage=stage, item_id=first.pk, reviewer=reviewer)
    assert not MaybeFlag.objects.exists()


def test_maybe_at_a_single_stage_is_a_flag_too(client, topic_area, reviewer):
    stage = _stage(topic_area, reviewers=1, records=2)
    first = _items(stage)[0]
    client.force_login(reviewer)
    response = client.post(_url("screening_decide", stage, item_id=first.pk), {"value": "maybe"})
    assert response.status_code == 200
    first.refresh_from_db()
    assert first.status == ScreeningItem.Status.PENDING
    assert not Decision.objects.exists()
    assert MaybeFlag.objects.filter(item=first, reviewer=reviewer).exists()
    assert response.context["progress"]["maybes"] == 1


def test_the_pile_lists_only_ones_own_maybes(client, topic_area, reviewer, second_reviewer):
    stage = _stage(topic_area, records=2)
    mine, theirs = _items(stage)
    screening_maybe(stage=stage, item_id=mine.pk, reviewer=reviewer)
    screening_maybe(stage=stage, item_id=theirs.pk, reviewer=second_reviewer)
    client.force_login(reviewer)
    body = client.get(_url("stage_records", stage) + "?maybe=1").content.decode()
    assert mine.record.title in body
    assert theirs.record.title not in body


def test_a_lead_sees_how_many_maybes_wait(client, topic_area, lead, reviewer, second_reviewer):
    stage = _stage(topic_area, records=3)
    first, second, _third = _items(stage)
    screening_maybe(stage=stage, item_id=first.pk, reviewer=reviewer)
    screening_maybe(stage=stage, item_id=first.pk, reviewer=second_reviewer)
    screening_maybe(stage=stage, item_id=second.pk, reviewer=second_reviewer)
    client.force_login(lead)
    response = client.get(
        reverse(
            "screening_overview",
            kwargs={"slug": topic_area.project.slug, "topic_key": topic_area.key},
        )
    )
    (row,) = response.context["stages"]
    assert row.maybes_waiting == 2  # two records, whoever's piles they are on
    assert 'data-testid="stage-maybes">2<' in response.content.decode()


# --- Claims only while someone screens -----------------------------------------------------


def test_opening_the_screening_page_holds_nothing(client, topic_area, lead, reviewer):
    stage = _stage(topic_area, reviewers=1, records=1)
    client.force_login(lead)
    response = client.get(_url("screen", stage))
    assert response.context["item"] is not None
    assert not Claim.objects.exists()
    # The reviewer who comes next is handed the record the lead merely looked at.
    client.force_login(reviewer)
    response = client.get(_url("screen", stage))
    assert response.context["item"].pk == _items(stage)[0].pk


def test_acting_claims_the_next_record(client, topic_area, reviewer, second_reviewer):
    stage = _stage(topic_area, reviewers=1, records=3)
    first, second, third = _items(stage)
    client.force_login(reviewer)
    client.post(_url("screening_decide", stage, item_id=first.pk), {"value": "include"})
    assert list(Claim.objects.values_list("item_id", "reviewer_id")) == [(second.pk, reviewer.pk)]
    client.force_login(second_reviewer)
    assert client.get(_url("screen", stage)).context["item"].pk == third.pk


def test_a_record_decided_meanwhile_gives_way_to_the_next(
    client, topic_area, reviewer, second_reviewer
):
    stage = _stage(topic_area, reviewers=1, records=2)
    first, second = _items(stage)
    client.force_login(reviewer)
    assert client.get(_url("screen", stage)).context["item"].pk == first.pk
    decision_record(item=first, reviewer=second_reviewer, value="exclude")
    response = client.post(_url("screening_decide", stage, item_id=first.pk), {"value": "include"})
    assert response.status_code == 200
    assert response.context["item"].pk == second.pk
    assert "already has the decisions it needs" in response.content.decode()
    assert Decision.objects.get(item=first).reviewer == second_reviewer


# --- One-step conflicts ------------------------------------------------------------------------


def _conflicts(stage, reviewer, second_reviewer, n):
    items = _items(stage)[:n]
    for item in items:
        decision_record(item=item, reviewer=reviewer, value="include", note="Fits the population")
        decision_record(
            item=item,
            reviewer=second_reviewer,
            value="exclude",
            reason="Wrong population",
            note="Pupils, not job seekers",
        )
    return items


def test_the_conflict_page_shows_the_record_and_both_decisions(
    client, topic_area, lead, reviewer, second_reviewer
):
    stage = _stage(topic_area, records=3, exclusion_reasons=["Wrong population"])
    first, _second = _conflicts(stage, reviewer, second_reviewer, 2)
    client.force_login(lead)
    response = client.get(_url("conflicts", stage))
    body = response.content.decode()
    assert response.context["item"].pk == first.pk
    assert first.record.title in body
    assert first.record.abstract in body
    assert body.count('data-testid="conflict-decision"') == 2
    for text in ["Fits the population", "Pupils, not job seekers", "Wrong population"]:
        assert text in body
    assert "2 conflicts left" in body
    # No default: the only way to resolve is one of the two buttons.
    assert 'name="value" value="include"' in body and 'name="value" value="exclude"' in body
    assert "checked" not in body and '<select name="value"' not in body


def test_resolving_a_conflict_shows_the_next(client, topic_area, lead, reviewer, second_reviewer):
    stage = _stage(topic_area, records=3, exclusion_reasons=["Wrong population"])
    first, second = _conflicts(stage, reviewer, second_reviewer, 2)
    client.force_login(lead)
    response = client.post(
        _url("conflict_resolve", stage, item_id=first.pk),
        {"value": "include", "note": "Agreed"},
        headers={"HX-Request": "true"},
    )
    assert response.context["item"].pk == second.pk
    first.refresh_from_db()
    assert first.status == ScreeningItem.Status.INCLUDED and first.resolved_by == lead
    response = client.post(
        _url("conflict_resolve", stage, item_id=second.pk),
        {"value": "exclude", "reason": "Wrong population"},
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).context["item"] is None


def test_a_resolution_needs_include_or_exclude(client, topic_area, lead, reviewer, second_reviewer):
    stage = _stage(topic_area, records=1)
    (first,) = _conflicts(stage, reviewer, second_reviewer, 1)
    client.force_login(lead)
    response = client.post(_url("conflict_resolve", stage, item_id=first.pk), {"note": "?"})
    assert response.status_code == 400
    first.refresh_from_db()
    assert first.status == ScreeningItem.Status.CONFLICT


def test_skipping_a_conflict(client, topic_area, lead, reviewer, second_reviewer):
    stage = _stage(topic_area, records=2)
    first, second = _conflicts(stage, reviewer, second_reviewer, 2)
    client.force_login(lead)
    assert client.get(_url("conflicts", stage) + f"?after={first.pk}").context["item"] == second


@pytest.mark.parametrize(
    ("who", "status"), [("reviewer", 403), ("peer_reviewer", 403), ("outsider", 404)]
)
def test_the_conflict_page_is_for_leads(client, topic_area, cast, who, status):
    stage = _stage(topic_area, records=1)
    (first,) = _conflicts(stage, cast["reviewer"], cast["reviewer2"], 1)
    client.force_login(cast[who])
    response = client.get(_url("conflicts", stage))
    assert response.status_code == status
    assert first.record.title not in response.content.decode()
    response = client.post(_url("conflict_resolve", stage, item_id=first.pk), {"value": "include"})
    assert response.status_code == status
    first.refresh_from_db()
    assert first.status == ScreeningItem.Status.CONFLICT


@pytest.mark.parametrize("conflicts", [1, 3])
def test_the_conflict_page_uses_a_fixed_number_of_queries(
    client, topic_area, lead, reviewer, second_reviewer, django_assert_num_queries, conflicts
):
    stage = _stage(topic_area, records=3)
    _conflicts(stage, reviewer, second_reviewer, conflicts)
    client.force_login(lead)
    # session, user, project with role, stage; the conflict with its record, its decisions,
    # the conflicts left, the next one (for "skip")
    with django_assert_num_queries(8):
        client.get(_url("conflicts", stage))


def test_conflict_resolve_service_keeps_the_decisions(topic_area, lead, reviewer, second_reviewer):
    stage = _stage(topic_area, records=1)
    (first,) = _conflicts(stage, reviewer, second_reviewer, 1)
    conflict_resolve(item=first, actor=lead, value="exclude")
    assert Decision.objects.filter(item=first).count() == 2


def test_the_pile_offers_to_decide_each_record_now(client, topic_area, reviewer):
    stage = _stage(topic_area, records=2)
    first = _items(stage)[0]
    screening_maybe(stage=stage, item_id=first.pk, reviewer=reviewer)
    client.force_login(reviewer)
    body = client.get(_url("stage_records", stage) + "?maybe=1").content.decode()
    assert f'{_url("screen", stage)}?item={first.pk}" data-testid="decide-maybe"' in body
    response = client.get(_url("screen", stage) + f"?item={first.pk}")
    assert response.context["item"].pk == first.pk


def test_a_maybe_decision_still_counts_on_the_pile(client, topic_area, lead, reviewer):
    """A "maybe" decision (from before maybes were flags, or through the API) parks a
    single-reviewer record: it shows on the reviewer's pile and in the counts."""
    stage = _stage(topic_area, reviewers=1, records=2)
    parked = _items(stage)[0]
    decision_record(item=parked, reviewer=reviewer, value="maybe")
    client.force_login(reviewer)
    body = client.get(_url("stage_records", stage) + "?maybe=1").content.decode()
    assert parked.record.title in body
    assert client.get(_url("screen", stage)).context["progress"]["maybes"] == 1
    (listed,) = client.get(reverse("project_list")).context["projects"]
    assert {work.kind: work.count for work in listed.work} == {"screen": 1, "maybes": 1}
    client.force_login(lead)
    (listed,) = client.get(reverse("project_list")).context["projects"]
    assert {work.kind: work.count for work in listed.work}["maybes_waiting"] == 1
