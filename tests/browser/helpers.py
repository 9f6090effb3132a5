"""What the browser tests share."""

from tests.factories.reviewapp import (
    PASSWORD,
    MembershipFactory,
    ProjectFactory,
    TopicAreaFactory,
    UserFactory,
)


def login(page, base, username, password=PASSWORD):
    """Log in through the login page as a user would, and land on the home page."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def review_with_members(slug: str, members: dict[str, str], *, title: str = "Caseworkers"):
    """A project (in English) with one topic area, "caseload", and a member per username in
    `members` (username -> role); returns the topic area and the users by name."""
    project = ProjectFactory(slug=slug, title=f"{slug.capitalize()} review", language="en")
    topic_area = TopicAreaFactory(project=project, key="caseload", title=title)
    users = {
        name: MembershipFactory(project=project, user=UserFactory(username=name), role=role).user
        for name, role in members.items()
    }
    return topic_area, users


def decide_by_key(page, key: str) -> str:
    """On the screening page, press `key` (I, E, M) and wait for the next record, or for the
    queue to say it is empty; returns the title of the record decided."""
    current = page.get_attribute("[data-testid=screening-record]", "data-item")
    title = page.get_by_test_id("record-title").inner_text()
    page.keyboard.press(key)
    page.wait_for_function(
        "(old) => document.querySelector('[data-testid=screening-record]')?.dataset.item !== old"
        " || document.querySelector('[data-testid=queue-empty]')",
        arg=current,
    )
    return title
