"""Prioritised screening in Chromium: a lead switches a stage to prioritised order, and the
record the queue hands out next changes to the one the ranking puts first."""

import pytest

from reviewapp.models import Role
from screening.models import ScreeningItem
from screening.services.screening import decision_record, stages_set_up
from tests.browser.helpers import login
from tests.factories.reviewapp import (
    MembershipFactory,
    ProjectFactory,
    TopicAreaFactory,
    UserFactory,
)
from tests.factories.screening import RecordFactory, SourceFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def review():
    project = ProjectFactory(slug="caseloads", title="Caseloads review", language="en")
    topic_area = TopicAreaFactory(project=project, key="caseload", title="Caseworkers")
    users = {
        name: MembershipFactory(project=project, user=UserFactory(username=name), role=role).user
        for name, role in [("lead", Role.LEAD), ("anna", Role.REVIEWER)]
    }
    source = SourceFactory(topic_area=topic_area)
    for n in range(4):
        RecordFactory(
            source=source,
            title=f"Caseworker meetings and job finding of unemployed people, study {n}",
            abstract="Caseworkers meet job seekers.",
        )
    for n in range(12):
        RecordFactory(
            source=source,
            title=f"Root growth of wheat in sandy soil, trial {n}",
            abstract="Plant biology.",
        )
    stage = stages_set_up(topic_area=topic_area, actor=users["lead"], preset="two")[0]
    # In random order the wheat trials come first (a fixed order, as the hash gives one).
    ScreeningItem.objects.filter(stage=stage, record__title__contains="wheat").update(order_key=0)
    # One include and one exclude so far: enough for a ranking.
    for part, value in [("study 0", "include"), ("trial 0", "exclude")]:
        item = ScreeningItem.objects.get(stage=stage, record__title__contains=part)
        item.stage = stage
        decision_record(item=item, reviewer=users["lead"], value=value)
    return stage, users


def test_switching_to_prioritised_order_changes_the_next_record(
    live_server, browser, review, axe_check
):
    stage, users = review
    base = f"{live_server.url}/projects/caseloads/topics/caseload/screening/{stage.pk}"
    reviewer = browser.new_context(locale="en-GB").new_page()
    lead = browser.new_context(locale="en-GB").new_page()
    login(reviewer, live_server.url, "anna")
    login(lead, live_server.url, "lead")

    reviewer.goto(f"{base}/")
    assert "wheat" in reviewer.get_by_test_id("record-title").inner_text()
    assert reviewer.get_by_test_id("relevance-band").count() == 0

    lead.goto(f"{base}/prioritisation/")
    axe_check(lead, "prioritisation")
    assert lead.get_by_test_id("queue-order").inner_text() == "Random order"
    lead.get_by_test_id("order-form").get_by_label("Queue order").select_option("prioritised")
    lead.get_by_test_id("order-form").get_by_role("button", name="Save").click()
    lead.wait_for_url(f"{base}/prioritisation/")
    assert lead.get_by_test_id("queue-order").inner_text() == "Most likely relevant first"
    assert (
        "Ranking in use: learned from 2 records"
        in lead.get_by_test_id("ranking-status").inner_text()
    )

    # The reviewer excludes the wheat trial in front of them: random order would hand out
    # the next wheat trial; the ranking hands out a caseworker study.
    current = reviewer.get_attribute("[data-testid=screening-record]", "data-item")
    reviewer.keyboard.press("e")
    reviewer.wait_for_function(
        "(old) => document.querySelector('[data-testid=screening-record]')?.dataset.item !== old",
        arg=current,
    )
    assert "Caseworker meetings" in reviewer.get_by_test_id("record-title").inner_text()
    assert reviewer.get_by_test_id("relevance-band").inner_text().startswith("Relevance:")
    reviewer.context.close()
    lead.context.close()
