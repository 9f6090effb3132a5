"""What the browser tests share."""

from tests.factories.reviewapp import PASSWORD


def login(page, base, username, password=PASSWORD):
    """Log in through the login page as a user would, and land on the home page."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/")
