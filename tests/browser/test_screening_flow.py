"""Screening in Chromium: ten records by keyboard alone, and a conflict that a lead
resolves."""

import pytest

from reviewapp.models import Role
from screening.models import Decision, ScreeningItem, Stage
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
        for name, role in [
            ("lead", Role.LEAD),
            ("anna", Role.REVIEWER),
            ("bo", Role.REVIEWER),
        ]
    }
    source = SourceFactory(topic_area=topic_area)
    for i in range(12):
        RecordFactory(
            source=source, title=f"Caseload study number {i}", abstract="About caseloads."
        )
    stages = stages_set_up(topic_area=topic_area, actor=users["lead"], preset="three")
    Stage.objects.filter(pk=stages[0].pk).update(include_keywords=["caseload"])
    return topic_area, stages, users


def test_reviewer_screens_ten_records_with_the_keyboard_only(live_server, page, review, axe_check):
    topic_area, stages, users = review
    title = stages[0]
    login(page, live_server.url, "anna")
    page.goto(f"{live_server.url}/projects/caseloads/topics/caseload/screening/{title.pk}/")
    axe_check(page, "screening")
    assert page.locator("mark.kw-include").first.inner_text() == "Caseload"

    seen = []
    for number in range(10):
        current = page.get_attribute("[data-testid=screening-record]", "data-item")
        seen.append(current)
        key = "i" if number % 2 == 0 else "e"
        page.keyboard.press(key)
        page.wait_for_function(
            "(old) => document.querySelector('[data-testid=screening-record]')"
            "?.dataset.item !== old",
            arg=current,
        )
    assert len(set(seen)) == 10
    assert page.get_by_test_id("my-progress").inner_text() == (
        "You have decided 10 records at this stage."
    )
    decisions = Decision.objects.filter(reviewer=users["anna"], item__stage=title)
    assert decisions.filter(value="include").count() == 5
    assert decisions.filter(value="exclude").count() == 5

    # U takes the last decision back and shows that record again.
    page.keyboard.press("u")
    page.wait_for_function(
        "(old) => document.querySelector('[data-testid=screening-record]')?.dataset.item === old",
        arg=seen[-1],
    )
    assert decisions.count() == 9
    # ? shows the keys.
    page.keyboard.press("?")
    assert page.get_by_role("heading", name="Keyboard shortcuts").is_visible()


def test_a_conflict_appears_for_the_lead_and_is_resolved(live_server, page, review):
    topic_area, stages, users = review
    title = stages[0]
    Stage.objects.filter(pk=title.pk).update(reviewers_required=2)
    item = ScreeningItem.objects.filter(stage=title).order_by("order_key").first()
    decision_record(item=item, reviewer=users["anna"], value="include", note="on topic")
    decision_record(item=item, reviewer=users["bo"], value="exclude", note="no effect")

    login(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/projects/caseloads/topics/caseload/screening/")
    # The count links a lead to the one-step conflict page.
    page.get_by_test_id("conflicts-link").click()
    panel = page.get_by_test_id("conflict-panel")
    assert "on topic" in panel.inner_text() and "no effect" in panel.inner_text()
    panel.get_by_label("Note").fill("Meets the inclusion criteria")
    panel.get_by_role("button", name="Include").click()
    page.get_by_test_id("conflicts-empty").wait_for()

    item.refresh_from_db()
    assert (item.status, item.resolved_by) == ("included", users["lead"])
    assert ScreeningItem.objects.filter(stage=stages[1], record=item.record).exists()


def test_the_flow_diagram_follows_the_screening(live_server, page, review):
    topic_area, stages, users = review
    login(page, live_server.url, "anna")
    flow_url = f"{live_server.url}/projects/caseloads/topics/caseload/flow/"
    page.goto(flow_url)
    figure = page.get_by_test_id("flow-figure")
    assert "Records screened (Title)" in figure.inner_text()
    assert "Still undecided: Title 12" in page.get_by_test_id("flow-undecided").inner_text()

    page.goto(f"{live_server.url}/projects/caseloads/topics/caseload/screening/{stages[0].pk}/")
    for _ in range(3):
        current = page.get_attribute("[data-testid=screening-record]", "data-item")
        page.keyboard.press("e")
        page.wait_for_function(
            "(old) => document.querySelector('[data-testid=screening-record]')"
            "?.dataset.item !== old",
            arg=current,
        )

    page.goto(flow_url)
    assert "Still undecided: Title 9" in page.get_by_test_id("flow-undecided").inner_text()
    # Three exclusions at the title stage now show in its "records excluded" box.
    assert "(n = 3)" in page.get_by_test_id("flow-figure").inner_text()
