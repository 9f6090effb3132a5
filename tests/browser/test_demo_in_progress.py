"""The demo's screening in progress in Chromium: where `load_demo` says to start, a reviewer
screens ten records by keyboard, and the lead's pages of the topic area pass axe."""

import io

import pytest
from django.core.management import call_command

from grading.demo.in_progress import KEY
from screening.models import Decision, Stage
from tests.browser.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def _start(username: str) -> str:
    """The path `load_demo` prints for the user (the first one, for the lead)."""
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    lines = out.getvalue().split("Where to start")[1].splitlines()
    return next(line.split()[1] for line in lines if line.strip().startswith(username + " "))


def test_a_reviewer_screens_ten_demo_records_by_keyboard(live_server, page, axe_check):
    path = _start("reviewer1")
    stage = Stage.objects.get(topic_area__key=KEY, position=1)
    before = Decision.objects.filter(stage=stage, reviewer__username="reviewer1").count()
    login(page, live_server.url, "reviewer1", "demo-reviewer-2019")
    page.goto(live_server.url + path)
    axe_check(page, "demo-screening")
    assert page.locator("mark.kw-include").count() > 0
    seen = []
    for number in range(10):
        current = page.get_attribute("[data-testid=screening-record]", "data-item")
        seen.append(current)
        page.keyboard.press("i" if number % 3 == 0 else "e")
        page.wait_for_function(
            "(old) => document.querySelector('[data-testid=screening-record]')"
            "?.dataset.item !== old",
            arg=current,
        )
    assert len(set(seen)) == 10
    decided = Decision.objects.filter(stage=stage, reviewer__username="reviewer1")
    assert decided.count() == before + 10
    assert page.get_by_test_id("my-progress").inner_text() == (
        f"You have decided {before + 10} records at this stage."
    )


def test_the_lead_pages_of_the_demo_in_progress_pass_axe(live_server, page, axe_check):
    _start("lead")
    stage = Stage.objects.get(topic_area__key=KEY, position=1)
    topic = f"/projects/vive-2019-caseworkers/topics/{KEY}"
    login(page, live_server.url, "lead", "demo-lead-2019")
    pages = {
        "overview": f"{topic}/screening/",
        "conflicts": f"{topic}/screening/{stage.pk}/records/?status=conflict",
        "duplicates": f"{topic}/duplicates/",
        "flow": f"{topic}/flow/",
        "prioritisation": f"{topic}/screening/{stage.pk}/prioritisation/",
    }
    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, (name, response.status)
        axe_check(page, f"demo-{name}")
    page.goto(live_server.url + pages["conflicts"])
    assert "\n5 records\n" in page.locator("main").inner_text()


def test_from_the_demo_home_page_one_click_reaches_the_first_waiting_record(live_server, page):
    """Issue #17's first walk on a fresh `load_demo`: reviewer1 logs in, the home page says
    what waits, one click opens the waiting record, ten are screened by keyboard."""
    _start("reviewer1")
    stage = Stage.objects.get(topic_area__key=KEY, position=1)
    before = Decision.objects.filter(stage=stage, reviewer__username="reviewer1").count()
    login(page, live_server.url, "reviewer1", "demo-reviewer-2019")
    page.goto(live_server.url + "/")
    assert "waiting for you" in page.get_by_test_id("home-work").inner_text()

    page.locator("[data-next-work]").click()  # the one click
    page.wait_for_url(f"**/screening/{stage.pk}/")
    seen = []
    for number in range(10):
        current = page.get_attribute("[data-testid=screening-record]", "data-item")
        seen.append(current)
        page.keyboard.press("e" if number % 4 else "i")
        page.wait_for_function(
            "(old) => document.querySelector('[data-testid=screening-record]')"
            "?.dataset.item !== old",
            arg=current,
        )
    assert len(set(seen)) == 10
    assert Decision.objects.filter(stage=stage, reviewer__username="reviewer1").count() == (
        before + 10
    )


def test_the_demo_lead_resolves_three_conflicts_by_keys_from_the_home_page(live_server, page):
    _start("lead")
    stage = Stage.objects.get(topic_area__key=KEY, position=1)
    open_before = stage.items.filter(status="conflict").count()
    login(page, live_server.url, "lead", "demo-lead-2019")
    page.goto(live_server.url + "/")
    page.locator(f"[data-kind=conflicts] a[href*='/screening/{stage.pk}/conflicts/']").first.click()
    page.wait_for_url(f"**/screening/{stage.pk}/conflicts/")
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
    assert stage.items.filter(status="conflict").count() == open_before - 3
