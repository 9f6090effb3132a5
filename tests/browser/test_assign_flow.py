"""Assigning records in Chromium: a lead filters a stage's list and assigns what it lists to
one reviewer; that reviewer's home page counts them and their queue starts with them, and
the other reviewer screens the whole stage without being handed one."""

import pytest

from reviewapp.models import Role
from screening.models import BulkAction, Decision, ScreeningItem
from tests.browser.helpers import decide_by_key, login, review_with_members
from tests.factories.screening import ScreeningItemFactory, StageFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def review():
    """A single-reviewer title and abstract stage of eight records; the three about sanctions
    are last in the queue's order."""
    topic_area, users = review_with_members(
        "assigning", {"lead": Role.LEAD, "anna": Role.REVIEWER, "bo": Role.REVIEWER}
    )
    stage = StageFactory(topic_area=topic_area, position=1, exclusion_reasons=["Wrong population"])
    titles = [f"Caseload study number {n}" for n in range(5)]
    titles += [f"Benefit sanctions study number {n}" for n in range(3)]
    for n, title in enumerate(titles):
        ScreeningItemFactory(
            stage=stage, order_key=n, record__title=title, record__abstract=f"Abstract {n}."
        )
    return stage, users


def _screen_until_empty(page) -> list[str]:
    """Exclude by keyboard whatever the queue hands out until it is empty; the titles."""
    titles = []
    while page.get_by_test_id("queue-empty").count() == 0:
        titles.append(decide_by_key(page, "e"))
    return titles


def test_lead_assigns_the_filtered_records_to_one_reviewer_and_only_they_get_them(
    live_server, page, review, axe_check
):
    stage, users = review
    stage_url = f"{live_server.url}/projects/assigning/topics/caseload/screening/{stage.pk}/"

    login(page, live_server.url, "lead")
    page.goto(f"{stage_url}records/")
    filters = page.get_by_test_id("stage-filters")
    filters.get_by_label("Text").fill("sanctions")
    filters.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/records/?*q=sanctions*")
    assert page.get_by_test_id("stage-item").count() == 3
    bulk = page.get_by_test_id("bulk-form")
    bulk.get_by_label("Action").select_option(label="Assign to a reviewer")
    bulk.get_by_label("Assign to").select_option(label="anna")
    bulk.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/records/?*q=sanctions*")
    assert "3 records changed; undo it below." in page.locator("main > .alert-success").inner_text()
    assert page.get_by_test_id("item-assignee").all_inner_texts() == ["assigned to anna"] * 3
    assert "Assign to a reviewer: anna" in page.get_by_test_id("bulk-undo").inner_text()
    axe_check(page, "stage-records-assigned")
    # The list filtered by assignee lists the same three.
    page.goto(f"{stage_url}records/?assigned={users['anna'].pk}")
    assert page.get_by_test_id("stage-item").count() == 3
    assert BulkAction.objects.get().assignee == users["anna"]

    # Anna's home page counts them, and her queue starts with them, though five records
    # come before them in the queue's order.
    page.context.clear_cookies()
    login(page, live_server.url, "anna")
    work = page.get_by_test_id("home-work")
    assert "3 records assigned to you" in work.inner_text()
    assert "8 records waiting for you" in work.inner_text()
    axe_check(page, "home-with-assigned")
    page.locator("[data-kind=assigned] [data-testid=work-action]").click()
    page.wait_for_url("**/records/?assigned=*")
    assert page.get_by_test_id("stage-item").count() == 3
    page.goto(stage_url)
    assert page.get_by_test_id("record-title").inner_text() == "Benefit sanctions study number 0"
    decide_by_key(page, "i")
    assert page.get_by_test_id("record-title").inner_text() == "Benefit sanctions study number 1"
    axe_check(page, "screening-assigned")

    # Bo screens the whole stage: the five others, never one of anna's two left (nor the one
    # she holds on her screen now).
    page.context.clear_cookies()
    login(page, live_server.url, "bo")
    assert "assigned to you" not in page.get_by_test_id("home-work").inner_text()
    assert "5 records waiting for you" in page.get_by_test_id("home-work").inner_text()
    page.goto(stage_url)
    handed = _screen_until_empty(page)
    assert handed == [f"Caseload study number {n}" for n in range(5)]
    assert ScreeningItem.objects.filter(stage=stage, status="pending").count() == 2

    # Anna finishes hers.
    page.context.clear_cookies()
    login(page, live_server.url, "anna")
    page.goto(stage_url)
    handed = _screen_until_empty(page)
    assert handed == [f"Benefit sanctions study number {n}" for n in (1, 2)]
    assert Decision.objects.filter(reviewer=users["anna"]).count() == 3
    assert not ScreeningItem.objects.filter(assigned_to__isnull=False).exists()
