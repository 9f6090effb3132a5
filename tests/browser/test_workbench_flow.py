"""The daily workbench in Chromium: from the home page to the first waiting record in one
click and ten records by keyboard; a lead resolving three conflicts by keys; the dashboard's
one key (N) to the next record."""

import pytest

from reviewapp.models import Role
from screening.models import Decision, MaybeFlag, ScreeningItem, Stage
from screening.services.screening import decision_record
from tests.browser.helpers import login
from tests.factories.reviewapp import (
    MembershipFactory,
    ProjectFactory,
    TopicAreaFactory,
    UserFactory,
)
from tests.factories.screening import ScreeningItemFactory, StageFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def review():
    """A dual title-and-abstract stage of 15 records: 3 conflicts between anna and bo,
    12 waiting for anna (and for bo)."""
    project = ProjectFactory(slug="workbench", title="Workbench review", language="en")
    topic_area = TopicAreaFactory(project=project, key="caseload", title="Caseworkers")
    users = {
        name: MembershipFactory(project=project, user=UserFactory(username=name), role=role).user
        for name, role in [("lead", Role.LEAD), ("anna", Role.REVIEWER), ("bo", Role.REVIEWER)]
    }
    stage = StageFactory(
        topic_area=topic_area,
        position=1,
        reviewers_required=2,
        exclusion_reasons=["Wrong population", "Wrong outcome"],
    )
    stage.reviewers.set([users["anna"], users["bo"]])
    items = [
        ScreeningItemFactory(
            stage=stage,
            order_key=n,
            record__title=f"Caseload study number {n}",
            record__abstract=f"Abstract {n} about caseloads.",
        )
        for n in range(15)
    ]
    for item in items[:3]:
        decision_record(item=item, reviewer=users["anna"], value="include", note="Looks relevant")
        decision_record(
            item=item,
            reviewer=users["bo"],
            value="exclude",
            reason="Wrong population",
            note="School pupils",
        )
    return stage, users, items


def _next_record(page, current):
    page.wait_for_function(
        "(old) => document.querySelector('[data-testid=screening-record]')?.dataset.item !== old",
        arg=current,
    )


def test_reviewer_reaches_the_first_waiting_record_in_one_click_and_screens_ten(
    live_server, page, review, axe_check
):
    stage, users, items = review
    login(page, live_server.url, "anna")
    work = page.get_by_test_id("home-work")
    assert "12 records waiting for you" in work.inner_text()
    axe_check(page, "home-with-work")

    page.locator("[data-next-work]").click()  # the one click
    page.wait_for_url(f"**/screening/{stage.pk}/")
    first = page.get_attribute("[data-testid=screening-record]", "data-item")
    assert first == str(items[3].pk)  # the first record waiting for anna, in queue order

    seen = []
    for number in range(10):
        current = page.get_attribute("[data-testid=screening-record]", "data-item")
        seen.append(current)
        page.keyboard.press("i" if number % 2 == 0 else "e")
        _next_record(page, current)
    assert len(set(seen)) == 10
    decisions = Decision.objects.filter(reviewer=users["anna"], stage=stage, item__in=items[3:])
    assert decisions.filter(value="include").count() == 5
    assert decisions.filter(value="exclude").count() == 5

    # M: on the pile, not a decision; the record stays waiting for bo.
    current = page.get_attribute("[data-testid=screening-record]", "data-item")
    page.keyboard.press("m")
    _next_record(page, current)
    assert MaybeFlag.objects.filter(item_id=int(current), reviewer=users["anna"]).exists()
    assert not Decision.objects.filter(item_id=int(current)).exists()
    assert page.get_by_test_id("maybe-pile").inner_text() == "My maybe pile (1)"

    # The pile lists it, with a way to decide it now.
    page.get_by_test_id("maybe-pile").click()
    page.get_by_test_id("decide-maybe").wait_for()
    assert page.get_by_test_id("stage-item").count() == 1
    axe_check(page, "maybe-pile")
    # A form's address opened by hand answers with a page, not a blank 405.
    response = page.goto(f"{live_server.url}/projects/workbench/members/add/")
    assert response.status == 405
    assert page.get_by_test_id("method-not-allowed").is_visible()
    axe_check(page, "method-not-allowed")


def test_lead_resolves_three_conflicts_by_keys(live_server, page, review, axe_check):
    stage, users, items = review
    login(page, live_server.url, "lead")
    page.locator("[data-kind=conflicts] [data-testid=work-action]").click()
    page.wait_for_url(f"**/screening/{stage.pk}/conflicts/")
    panel = page.get_by_test_id("conflict-panel")
    assert "3 conflicts left" in panel.inner_text()
    assert panel.get_by_test_id("conflict-decision").count() == 2
    assert "School pupils" in panel.inner_text() and "Wrong population" in panel.inner_text()
    axe_check(page, "conflict")

    for key in ["i", "e", "i"]:
        current = page.get_attribute("[data-testid=conflict-record]", "data-item")
        if key == "e":
            page.keyboard.press("1")  # the first exclusion reason
        page.keyboard.press(key)
        page.wait_for_function(
            "(old) => document.querySelector('[data-testid=conflict-record]')?.dataset.item"
            " !== old",
            arg=current,
        )
    assert page.get_by_test_id("conflicts-empty").is_visible()
    statuses = [
        ScreeningItem.objects.get(pk=item.pk).status for item in sorted(items[:3], key=_order)
    ]
    assert statuses == ["included", "excluded", "included"]
    excluded = ScreeningItem.objects.get(status="excluded", resolved_by=users["lead"])
    assert excluded.exclusion_reason == "Wrong population"


def _order(item):
    return (item.order_key, item.pk)


def test_the_dashboard_leads_with_the_work_and_n_opens_the_next_record(
    live_server, page, review, axe_check
):
    stage, _users, _items = review
    login(page, live_server.url, "anna")
    page.goto(f"{live_server.url}/projects/workbench/")
    assert page.get_by_test_id("progress-row").count() == 1
    assert not page.locator("[data-testid=picos-details]").first.evaluate("d => d.open")
    axe_check(page, "dashboard-with-work")
    page.keyboard.press("n")
    page.wait_for_url(f"**/screening/{stage.pk}/")
    assert page.get_by_test_id("screening-record").is_visible()


def test_the_stage_table_fits_at_1366_pixels(live_server, page, review):
    stage, _users, _items = review
    # Three stages, the last a prioritised full-text stage: every action button shows.
    StageFactory(topic_area=stage.topic_area, position=2, name="Title and abstract, again")
    StageFactory(
        topic_area=stage.topic_area,
        position=3,
        name="Full text",
        kind=Stage.Kind.FULLTEXT,
        queue_order=Stage.Order.PRIORITISED,
    )
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/projects/workbench/topics/caseload/screening/")
    table, main = (page.locator(selector).first.bounding_box() for selector in ["table", "main"])
    assert table["x"] + table["width"] <= main["x"] + main["width"]
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
