"""A lead assigns a stage's filtered records to one reviewer: they come first in that
reviewer's queue and go to no other reviewer while the assignee has not decided them (at a
dual stage the assignee holds one of the two seats). Undone by unassigning; released when
the reviewer leaves the project, stops screening there or is deactivated. Each test has the
other reviewers' decisions, claims and maybes present."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviewapp.models import AuditEntry, Membership, Role
from reviewapp.services import membership_change_role, membership_remove
from screening.models import BulkAction, Claim, Decision, ScreeningItem
from screening.services.bulk import bulk_action_undo, records_bulk_assign
from screening.services.screening import (
    decision_record,
    screening_decide,
    screening_maybe,
    screening_next,
    stage_update,
)
from tests.factories.reviewapp import MembershipFactory, ProjectFactory, TopicAreaFactory
from tests.factories.screening import ScreeningItemFactory, StageFactory


def _stage(topic_area, *, reviewers_required=1, records=8):
    """A stage of `records` records in a known queue order (order_key 0, 1, ...)."""
    stage = StageFactory(topic_area=topic_area, position=1, reviewers_required=reviewers_required)
    for n in range(records):
        ScreeningItemFactory(stage=stage, order_key=n, record__title=f"Record {n}")
    return stage


def _item(stage, n) -> ScreeningItem:
    return stage.items.get(order_key=n)


def _assign(stage, lead, assignee, *numbers) -> BulkAction:
    return records_bulk_assign(
        stage=stage,
        actor=lead,
        items=stage.items.filter(order_key__in=numbers),
        assignee=assignee,
    )


def _screen_all(stage, reviewer) -> list[int]:
    """The reviewer takes what the queue hands them, deciding each, until it is empty; the
    queue order numbers of what they were handed."""
    handed = []
    item = screening_next(stage=stage, reviewer=reviewer)
    while item is not None:
        handed.append(item.order_key)
        item = screening_decide(stage=stage, item_id=item.pk, reviewer=reviewer, value="exclude")
    return handed


@pytest.fixture
def single(topic_area, lead, reviewer, second_reviewer):
    """A single-reviewer stage where the second reviewer has decided record 0, holds a claim
    on record 1 and has record 2 on their maybe pile."""
    stage = _stage(topic_area)
    decision_record(item=_item(stage, 0), reviewer=second_reviewer, value="include")
    screening_maybe(stage=stage, item_id=_item(stage, 2).pk, reviewer=second_reviewer)
    assert Claim.objects.get(reviewer=second_reviewer).item.order_key == 1
    return stage


def test_assigned_records_come_first_in_the_assignees_queue(single, lead, reviewer):
    _assign(single, lead, reviewer, 6, 4)

    assert screening_next(stage=single, reviewer=reviewer, claim=False).order_key == 4
    # In queue order, then the rest of the queue (1 is claimed, 0 decided by the other).
    assert _screen_all(single, reviewer) == [4, 6, 2, 3, 5, 7]


def test_no_other_reviewer_is_handed_a_record_assigned_at_a_single_stage(
    single, lead, reviewer, second_reviewer
):
    _assign(single, lead, reviewer, 3, 5)

    handed = _screen_all(single, second_reviewer)

    # Their claim (1), the queue without 3 and 5, their maybe pile (2) last.
    assert handed == [1, 4, 6, 7, 2]
    assert {_item(single, n).status for n in (3, 5)} == {"pending"}
    assert _screen_all(single, reviewer) == [3, 5]


def test_the_screening_page_shows_no_other_reviewer_an_assigned_record(single, lead, reviewer):
    # Opening the page claims nothing (claim=False): only the queue's query keeps it away.
    assert screening_next(stage=single, reviewer=lead, claim=False).order_key == 2
    _assign(single, lead, reviewer, 2)

    assert screening_next(stage=single, reviewer=lead, claim=False).order_key == 3
    assert screening_next(stage=single, reviewer=reviewer, claim=False).order_key == 2


def test_the_assignees_decision_clears_the_assignment(single, lead, reviewer):
    _assign(single, lead, reviewer, 3)
    item = screening_next(stage=single, reviewer=reviewer)
    screening_decide(stage=single, item_id=item.pk, reviewer=reviewer, value="include")

    assert ScreeningItem.objects.get(pk=item.pk).assigned_to is None
    assert not ScreeningItem.objects.filter(assigned_to__isnull=False).exists()


def test_a_dual_stage_keeps_one_seat_for_the_assignee(topic_area, lead, reviewer, second_reviewer):
    stage = _stage(topic_area, reviewers_required=2, records=4)
    _assign(stage, lead, reviewer, 0)

    # The second seat is open: the second reviewer is handed record 0 and claims it...
    assert screening_next(stage=stage, reviewer=second_reviewer).order_key == 0
    # ...which leaves no seat for the lead: the assignee's is held for them.
    assert screening_next(stage=stage, reviewer=lead).order_key == 1
    # Decided by the second reviewer, record 0 still waits for the assignee alone.
    screening_decide(
        stage=stage, item_id=_item(stage, 0).pk, reviewer=second_reviewer, value="include"
    )
    assert 0 not in _screen_all(stage, lead)
    assert screening_next(stage=stage, reviewer=reviewer).order_key == 0

    screening_decide(stage=stage, item_id=_item(stage, 0).pk, reviewer=reviewer, value="include")
    settled = _item(stage, 0)
    assert (settled.status, settled.assigned_to) == ("included", None)


def test_at_a_dual_stage_the_assignees_first_decision_frees_the_record_for_anyone(
    topic_area, lead, reviewer, second_reviewer
):
    stage = _stage(topic_area, reviewers_required=2, records=2)
    _assign(stage, lead, reviewer, 0)
    screening_decide(
        stage=stage, item_id=_item(stage, 0).pk, reviewer=second_reviewer, value="include"
    )
    assert screening_next(stage=stage, reviewer=lead, claim=False).order_key == 1

    screening_decide(stage=stage, item_id=_item(stage, 1).pk, reviewer=reviewer, value="include")
    assert _item(stage, 0).assigned_to == reviewer  # 1 was not theirs: 0 still is
    screening_decide(stage=stage, item_id=_item(stage, 0).pk, reviewer=reviewer, value="include")
    assert _item(stage, 0).assigned_to is None

    # A record the assignee decided first waits for one more reviewer, anyone.
    other = _stage(
        TopicAreaFactory(project=topic_area.project, key="second"), reviewers_required=2, records=1
    )
    _assign(other, lead, reviewer, 0)
    screening_decide(stage=other, item_id=_item(other, 0).pk, reviewer=reviewer, value="include")
    first = _item(other, 0)
    assert (first.status, first.assigned_to) == ("pending", None)
    assert screening_next(stage=other, reviewer=lead, claim=False).order_key == 0


def test_at_a_dual_stage_the_assignees_own_claim_leaves_the_other_seat_open(
    topic_area, lead, reviewer, second_reviewer
):
    stage = _stage(topic_area, reviewers_required=2, records=3)
    _assign(stage, lead, reviewer, 2)
    assert screening_next(stage=stage, reviewer=reviewer).order_key == 2  # claimed

    handed = _screen_all(stage, second_reviewer)

    assert handed == [0, 1, 2]
    assert _item(stage, 2).assigned_to == reviewer


def test_an_assignment_made_after_the_assignees_decision_is_skipped(
    topic_area, lead, reviewer, second_reviewer
):
    stage = _stage(topic_area, reviewers_required=2, records=3)
    decision_record(item=_item(stage, 0), reviewer=reviewer, value="include")
    decision_record(item=_item(stage, 1), reviewer=second_reviewer, value="include")
    decision_record(item=_item(stage, 1), reviewer=lead, value="include")  # settled

    bulk = _assign(stage, lead, reviewer, 0, 1, 2)

    assert [row["item"] for row in bulk.rows] == [_item(stage, 2).pk]
    assert list(stage.items.filter(assigned_to=reviewer).values_list("order_key", flat=True)) == [2]


def test_bulk_assign_is_audited_and_reassigns_from_another_reviewer(
    single, lead, reviewer, second_reviewer
):
    _assign(single, lead, second_reviewer, 3, 4)
    bulk = _assign(single, lead, reviewer, 4, 5)

    assigned = dict(
        single.items.filter(assigned_to__isnull=False).values_list("order_key", "assigned_to")
    )
    assert assigned == {3: second_reviewer.pk, 4: reviewer.pk, 5: reviewer.pk}
    entry = AuditEntry.objects.filter(action="records.bulk_assign").latest("id")
    assert entry.actor == lead
    assert entry.after == {"assignee": "reviewer", "stage": single.name, "records": 2}
    assert bulk.kind == BulkAction.Kind.ASSIGN and bulk.assignee == reviewer


@pytest.mark.parametrize("who", ["peer_reviewer", "outsider", "not_chosen"])
def test_only_a_reviewer_of_the_stage_can_be_assigned(
    single, lead, reviewer, second_reviewer, peer_reviewer, outsider, who
):
    people = {"peer_reviewer": peer_reviewer, "outsider": outsider, "not_chosen": reviewer}
    single.reviewers.set([second_reviewer])

    with pytest.raises(ValidationError):
        _assign(single, lead, people[who], 3)

    assert not ScreeningItem.objects.filter(assigned_to__isnull=False).exists()
    assert not BulkAction.objects.exists()


def test_undo_unassigns_what_the_action_still_holds(single, lead, reviewer, second_reviewer):
    bulk = _assign(single, lead, reviewer, 3, 4, 5)
    decision_record(item=_item(single, 3), reviewer=reviewer, value="include")
    _assign(single, lead, second_reviewer, 5)

    bulk_action_undo(bulk=bulk, actor=lead)

    assigned = dict(
        single.items.filter(assigned_to__isnull=False).values_list("order_key", "assigned_to")
    )
    assert assigned == {5: second_reviewer.pk}
    assert _item(single, 3).status == "included"
    entry = AuditEntry.objects.get(action="records.bulk_undo")
    assert entry.after["kind"] == "assign"
    # Back in everyone's queue: the second reviewer is handed 4 now.
    assert 4 in _screen_all(single, second_reviewer)


def _other_project_assignment(user, lead):
    """The same person assigned a record in another project, which must stay assigned."""
    other = ProjectFactory(slug="other-review")
    MembershipFactory(project=other, user=user, role=Role.REVIEWER)
    MembershipFactory(project=other, user=lead, role=Role.LEAD)
    stage = _stage(TopicAreaFactory(project=other, key="other"), records=1)
    _assign(stage, lead, user, 0)
    return _item(stage, 0)


def test_removing_the_member_releases_their_assignments_in_that_project(
    single, project, lead, reviewer
):
    elsewhere = _other_project_assignment(reviewer, lead)
    _assign(single, lead, reviewer, 3, 4)

    membership_remove(membership=Membership.objects.get(project=project, user=reviewer), actor=lead)

    assert not single.items.filter(assigned_to__isnull=False).exists()
    assert ScreeningItem.objects.get(pk=elsewhere.pk).assigned_to == reviewer
    entry = AuditEntry.objects.get(action="records.assignments_release")
    assert (entry.actor, entry.before) == (lead, {"assigned_to": "reviewer", "records": 2})


@pytest.mark.parametrize(("role", "released"), [(Role.PEER_REVIEWER, True), (Role.LEAD, False)])
def test_a_role_that_does_not_screen_releases_the_assignments(
    single, project, lead, reviewer, role, released
):
    _assign(single, lead, reviewer, 3)

    membership_change_role(
        membership=Membership.objects.get(project=project, user=reviewer), role=role, actor=lead
    )

    assert (_item(single, 3).assigned_to is None) is released


def test_deactivating_the_account_releases_every_assignment(single, lead, reviewer):
    elsewhere = _other_project_assignment(reviewer, lead)
    _assign(single, lead, reviewer, 3)

    reviewer.is_active = False
    reviewer.save()

    assert not ScreeningItem.objects.filter(assigned_to__isnull=False).exists()
    assert ScreeningItem.objects.get(pk=elsewhere.pk).assigned_to is None


def test_leaving_the_stages_chosen_reviewers_releases_the_assignments_there(
    single, lead, reviewer, second_reviewer
):
    _assign(single, lead, reviewer, 3)
    _assign(single, lead, second_reviewer, 4)

    stage_update(
        stage=single,
        actor=lead,
        expected_version=single.version,
        reviewer_ids=[second_reviewer.pk, lead.pk],
    )

    assigned = dict(
        single.items.filter(assigned_to__isnull=False).values_list("order_key", "assigned_to")
    )
    assert assigned == {4: second_reviewer.pk}


# --------------------------------------------------------------------------------------------
# Pages


def _url(name, stage, **more):
    return reverse(
        name,
        kwargs={"slug": "secret-review", "topic_key": "caseload", "stage_id": stage.pk, **more},
    )


def test_lead_assigns_the_filtered_list_and_the_list_shows_and_filters_it(
    client, single, lead, reviewer
):
    client.force_login(lead)
    listed = client.get(_url("stage_records", single), {"q": "Record 3"}).content.decode()
    assert "Act on the 1 record listed" in listed
    assert f'<option value="{reviewer.pk}">reviewer</option>' in listed

    response = client.post(
        _url("bulk_apply", single),
        {"filters": "q=Record+3", "kind": "assign", "assignee": reviewer.pk},
    )

    assert list(single.items.filter(assigned_to=reviewer).values_list("order_key", flat=True)) == [
        3
    ]
    page = client.get(response["Location"]).content.decode()
    assert "1 record changed; undo it below." in page
    assert "Assign to a reviewer: reviewer" in page
    everything = client.get(_url("stage_records", single)).content.decode()
    assert everything.count('data-testid="item-assignee"') == 1
    assert "assigned to reviewer" in everything
    mine = client.get(_url("stage_records", single), {"assigned": reviewer.pk}).content.decode()
    assert mine.count('data-testid="stage-item"') == 1 and "Record 3" in mine

    client.post(_url("bulk_undo", single, bulk_id=BulkAction.objects.get().pk), {"filters": ""})
    assert not single.items.filter(assigned_to__isnull=False).exists()


def test_an_assignment_without_a_reviewer_is_refused_on_the_page(client, single, lead):
    client.force_login(lead)
    response = client.post(
        _url("bulk_apply", single), {"filters": "", "kind": "assign", "assignee": ""}, follow=True
    )
    assert "Choose a reviewer who screens at this stage." in response.content.decode()
    assert not BulkAction.objects.exists()


def test_a_reviewer_may_not_assign(client, single, reviewer):
    client.force_login(reviewer)
    response = client.post(
        _url("bulk_apply", single), {"filters": "", "kind": "assign", "assignee": reviewer.pk}
    )
    assert response.status_code == 403
    assert not ScreeningItem.objects.filter(assigned_to__isnull=False).exists()


def test_the_home_page_counts_the_records_assigned_to_each(
    client, single, lead, reviewer, second_reviewer
):
    _assign(single, lead, reviewer, 3, 4, 5)

    client.force_login(reviewer)
    work = client.get("/").content.decode()
    assert "3 records assigned to you" in work
    # Seven undecided by them (0 is decided, at a single stage).
    assert "7 records waiting for you" in work

    client.force_login(second_reviewer)
    work = client.get("/").content.decode()
    assert "assigned to you" not in work
    # 8 less their decision (0), their maybe (2) and the three held for the reviewer.
    assert "3 records waiting for you" in work


def _round_trip(client, stage, reviewer) -> int:
    """Queries of a decision and the next record, as the screening page sends it."""
    item_id = screening_next(stage=stage, reviewer=reviewer).pk
    cache.clear()  # the stage's figures, cached for seconds: recounted by each
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            _url("screening_decide", stage, item_id=item_id), {"value": "exclude"}
        )
    assert response.status_code == 200
    return len(queries)


def test_assignments_cost_the_round_trip_one_query_at_most(
    client, topic_area, lead, reviewer, second_reviewer
):
    stage = _stage(topic_area, records=12)
    client.force_login(reviewer)
    plain = _round_trip(client, stage, reviewer)
    _assign(stage, lead, second_reviewer, 8, 9)
    others = _round_trip(client, stage, reviewer)
    _assign(stage, lead, reviewer, 10, 11)
    # The reviewer decides the record they were handed before (2), then 10 and 11.
    handed_mine = _round_trip(client, stage, reviewer)  # decides 2, is handed 10
    mine = _round_trip(client, stage, reviewer)  # decides 10, is handed 11
    last_mine = _round_trip(client, stage, reviewer)  # decides 11, is handed 3
    after = _round_trip(client, stage, reviewer)

    # Another's assignments narrow the queue's query and cost nothing; one's own are their
    # own queue's query, which hands the next record in place of the queue's; only when the
    # last of them is decided are both asked.
    assert (others, handed_mine, mine, last_mine, after) == (
        plain,
        plain,
        plain,
        plain + 1,
        plain,
    )
    handed = Decision.objects.filter(reviewer=reviewer).order_by("decided_at", "id")
    assert [decision.item.order_key for decision in handed] == [0, 1, 2, 10, 11, 3]
