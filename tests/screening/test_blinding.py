"""Blinding: who may see another reviewer's decisions at a dual stage. One rule
(`screening.rules.can_see_others_decisions`), asked by every page, the API and the log.

Two reviewers have both decided one record (their changes are in the audit log too) and
the first reviewer alone has decided a second: every note and reason is distinctive, so
any leak shows in the page's text.
"""

import pytest
from django.db.models import Q
from django.urls import reverse
from rest_framework.test import APIClient

from reviewapp.api.tokens import api_token_create
from screening.models import Decision, Record, ScreeningItem, Source
from screening.queries import decisions_visible_to
from screening.rules import can_see_others_decisions, others_decisions_filter
from screening.services.screening import decision_record, stage_update, stages_set_up

# Each reviewer's own markers: the notes and reasons of their decisions (and the note of
# the decision they changed, which the audit log holds).
FIRST_BOTH = ("Note ALPHA-one", "Reason ALPHA-one", "Earlier ALPHA-one")  # record 1
SECOND_BOTH = ("Note BETA-two", "Reason BETA-two", "Earlier BETA-two")  # record 1
FIRST_ALONE = ("Note GAMMA-lone", "Reason GAMMA-lone", "Earlier GAMMA-lone")  # record 2
EVERYTHING = {*FIRST_BOTH, *SECOND_BOTH, *FIRST_ALONE}


def _decide(item, reviewer, markers):
    note, reason, earlier = markers
    decision_record(item=item, reviewer=reviewer, value="include", note=earlier)
    decision_record(item=item, reviewer=reviewer, value="exclude", reason=reason, note=note)


@pytest.fixture(params=[True, False], ids=["shown-after", "never-shown"])
def blind(request, topic_area, lead, reviewer, second_reviewer, peer_reviewer):
    source = Source.objects.create(topic_area=topic_area, name="EconLit", created_by=lead)
    both, alone = (
        Record.objects.create(topic_area=topic_area, source=source, position=i, title=title)
        for i, title in ((1, "Caseloads and unemployment"), (2, "Meetings at a distance"))
    )
    first = stages_set_up(topic_area=topic_area, actor=lead, preset="three")[0]
    stage = stage_update(
        stage=first,
        actor=lead,
        expected_version=first.version,
        reviewers_required=2,
        exclusion_reasons=[],  # any reason: none is an option of the page's forms
        show_decisions_after=request.param,
    )
    items = {record: stage.items.get(record=record) for record in (both, alone)}
    _decide(items[both], reviewer, FIRST_BOTH)
    _decide(items[both], second_reviewer, SECOND_BOTH)
    _decide(items[alone], reviewer, FIRST_ALONE)
    return {
        "stage": stage,
        "shown_after": request.param,
        "both": items[both],
        "alone": items[alone],
        "users": {
            "reviewer": reviewer,
            "second_reviewer": second_reviewer,
            "lead": lead,
            "peer_reviewer": peer_reviewer,
        },
    }


def _visible(role: str, shown_after: bool) -> set[str]:
    """What the rule lets each role see: leads (who resolve) and peer reviewers (who do
    not screen) everything; a reviewer their own, and the other's once a record has both
    decisions, if the stage shows them then."""
    if role in ("lead", "peer_reviewer"):
        return EVERYTHING
    own, other = (
        ({*FIRST_BOTH, *FIRST_ALONE}, set(SECOND_BOTH))
        if role == "reviewer"
        else (set(SECOND_BOTH), set(FIRST_BOTH))
    )
    return own | (other if shown_after else set())


ROLES = ["reviewer", "second_reviewer", "lead", "peer_reviewer"]


def _assert_shows(text: str, expected: set[str], markers=EVERYTHING):
    assert {marker for marker in markers if marker in text} == expected & set(markers)


def _kwargs(stage):
    return {"slug": "secret-review", "topic_key": "caseload"}


@pytest.mark.parametrize("role", ROLES)
def test_record_history_shows_what_the_rule_allows(client, blind, role):
    client.force_login(blind["users"][role])
    text = ""
    for key in ("both", "alone"):
        url = reverse("record_history", kwargs={**_kwargs(None), "record_id": blind[key].record_id})
        response = client.get(url)
        assert response.status_code == 200
        text += response.content.decode()
    _assert_shows(text, _visible(role, blind["shown_after"]))


@pytest.mark.parametrize("role", ROLES)
def test_stage_record_list_shows_what_the_rule_allows(client, blind, role):
    client.force_login(blind["users"][role])
    url = reverse("stage_records", kwargs={**_kwargs(None), "stage_id": blind["stage"].pk})
    text = client.get(url).content.decode() + client.get(url + "?status=excluded").content.decode()
    # The earlier notes are in the audit log only, not on the list.
    listed = {marker for marker in EVERYTHING if not marker.startswith("Earlier")}
    _assert_shows(text, _visible(role, blind["shown_after"]), listed)


@pytest.mark.parametrize("role", ROLES)
def test_screening_page_shows_what_the_rule_allows(client, blind, role):
    client.force_login(blind["users"][role])
    url = reverse("screen", kwargs={**_kwargs(None), "stage_id": blind["stage"].pk})
    responses = [client.get(f"{url}?item={blind[key].pk}") for key in ("both", "alone")]
    text = "".join(response.content.decode() for response in responses)
    if role == "peer_reviewer":  # does not screen: no screening page at all
        assert [response.status_code for response in responses] == [403, 403]
        _assert_shows(text, set())
        return
    assert [response.status_code for response in responses] == [200, 200]
    # The page shows the decisions, not the log: the earlier notes are not on it; and the
    # user's own reason is the form's choice (no option here), not text.
    own = _visible(role, False)
    shown = {
        marker
        for marker in EVERYTHING
        if marker.startswith("Note") or (marker.startswith("Reason") and marker not in own)
    }
    _assert_shows(text, _visible(role, blind["shown_after"]), shown)


@pytest.mark.parametrize("role", ROLES)
def test_activity_page_shows_what_the_rule_allows(client, blind, role):
    client.force_login(blind["users"][role])
    text = client.get(reverse("activity", kwargs={"slug": "secret-review"})).content.decode()
    # The log holds the changed decisions' notes (before and after); reasons too.
    _assert_shows(text, _visible(role, blind["shown_after"]))


def _api(user) -> APIClient:
    client = APIClient()
    _token, raw = api_token_create(user=user, name="tests")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.mark.parametrize("resource", ["decisions", "items"])
@pytest.mark.parametrize("role", ROLES)
def test_api_shows_what_the_rule_allows(blind, role, resource):
    stage = blind["stage"]
    url = f"/api/projects/secret-review/topic-areas/caseload/stages/{stage.pk}/{resource}/"
    response = _api(blind["users"][role]).get(url)
    assert response.status_code == 200
    listed = {marker for marker in EVERYTHING if not marker.startswith("Earlier")}
    # The items' exclusion reason comes from the decisions: it is shown with them.
    _assert_shows(response.content.decode(), _visible(role, blind["shown_after"]), listed)


@pytest.mark.parametrize("role", ROLES)
def test_the_list_filter_is_the_predicate(blind, role):
    """`others_decisions_filter` (lists) and `can_see_others_decisions` (one record) agree
    on every decision at the stage."""
    user = blind["users"][role]
    stage = blind["stage"]
    by_filter = set(decisions_visible_to(user, stage).values_list("pk", flat=True))
    by_predicate = set()
    for item in ScreeningItem.objects.filter(stage=stage):
        item.stage = stage
        for decision in item.decisions.all():
            if decision.reviewer_id == user.pk or can_see_others_decisions(user, item):
                by_predicate.add(decision.pk)
    assert by_filter == by_predicate
    assert Decision.objects.filter(stage=stage).count() == 3
    assert others_decisions_filter(user, stage) == Q() or role in ("reviewer", "second_reviewer")


def test_a_single_reviewer_stage_blinds_nobody(blind, reviewer, second_reviewer):
    stage = blind["stage"]
    stage.reviewers_required = 1
    item = blind["alone"]
    item.stage = stage
    assert can_see_others_decisions(second_reviewer, item)
    assert can_see_others_decisions(reviewer, item)
