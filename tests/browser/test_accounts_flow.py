"""Accounts in Chromium, with mail through a real SMTP server (aiosmtpd in its own process):
a lead invites a reviewer, who accepts from the mail, sets a password, turns on two-factor
login, logs in again with a code and screens; a password reset through the mail, whose link
works once, and its throttle."""

import email
import mailbox
import re
import socket
import subprocess
import sys
import time
from email import policy

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from reviewapp.models import Membership, Role
from screening.models import Decision, Stage
from screening.services.screening import stages_set_up
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
def smtp_server(tmp_path, settings):
    """aiosmtpd listening on a free loopback port, storing each mail in a maildir; the
    site sends to it over SMTP."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    maildir = tmp_path / "maildir"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(maildir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(f"aiosmtpd did not start: {process.stderr.read().decode()}")
            time.sleep(0.1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield maildir
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


def _mails_to(maildir, address: str) -> list:
    if not maildir.exists():
        return []
    box = mailbox.Maildir(maildir, factory=None, create=False)
    mails = [email.message_from_bytes(message.as_bytes(), policy=policy.default) for message in box]
    return [mail for mail in mails if address in mail["To"]]


def _wait_for_link(maildir, address: str, count: int = 1) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        mails = _mails_to(maildir, address)
        if len(mails) >= count:
            text = mails[count - 1].get_body(preferencelist=("plain",)).get_content()
            return re.search(r"https?://\S+", text).group(0)
        time.sleep(0.1)
    pytest.fail(f"no mail number {count} to {address}")


def _code(user, ahead: int = 0) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return (
        f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead):06d}"
    )


@pytest.fixture
def review():
    project = ProjectFactory(slug="caseloads", title="Caseloads review", language="en")
    topic_area = TopicAreaFactory(project=project, key="caseload", title="Caseworkers")
    lead = MembershipFactory(project=project, user=UserFactory(username="lead"), role=Role.LEAD)
    source = SourceFactory(topic_area=topic_area)
    for i in range(3):
        RecordFactory(source=source, title=f"Caseload study number {i}", abstract="About it.")
    stages = stages_set_up(topic_area=topic_area, actor=lead.user, preset="three")
    return project, stages


def test_invited_reviewer_joins_from_the_mail_turns_on_two_factor_and_screens(
    live_server, browser, page, review, smtp_server, axe_check
):
    project, stages = review
    base = live_server.url
    login(page, base, "lead")
    page.goto(f"{base}/projects/caseloads/members/")
    page.locator("#invite_email").fill("nina@example.org")
    page.locator("#invite_role").select_option(Role.REVIEWER)
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to nina@example.org.").wait_for()
    assert page.get_by_test_id("invitation-row").inner_text().startswith("nina@example.org")
    axe_check(page, "members with an invitation")

    link = _wait_for_link(smtp_server, "nina@example.org")
    assert link.startswith(f"{base}/invitations/")
    mail = _mails_to(smtp_server, "nina@example.org")[0]
    assert mail["Subject"] == "Invitation to the review “Caseloads review”"
    assert mail.get_body(preferencelist=("html",)) is not None

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    nina = context.new_page()
    nina.set_default_timeout(10_000)
    nina.goto(link)
    axe_check(nina, "invitation")
    nina.get_by_label("First name").fill("Nina")
    nina.get_by_label("Last name").fill("Nørgaard")
    nina.get_by_label("Username").fill("nina")
    nina.locator("#id_password1").fill("a-long-reviewer-passphrase")
    nina.locator("#id_password2").fill("a-long-reviewer-passphrase")
    nina.get_by_role("button", name="Create account and join").click()
    nina.wait_for_url(f"{base}/projects/caseloads/")
    user = Membership.objects.get(project=project, user__username="nina").user

    nina.goto(f"{base}/profile/")
    nina.get_by_role("link", name="Turn on two-factor login").click()
    nina.get_by_test_id("totp-qr").locator("svg").wait_for()
    axe_check(nina, "two-factor setup")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = nina.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    assert len(secret) == 32
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    nina.get_by_label("Code").fill(f"{code:06d}")
    nina.get_by_role("button", name="Turn on").click()
    assert nina.get_by_test_id("recovery-codes").locator("li").count() == 10
    nina.get_by_role("link", name="I have saved them").click()
    assert nina.get_by_test_id("two-factor-status").inner_text().startswith("On:")

    nina.get_by_role("button", name="Log out").click()
    nina.wait_for_url(f"{base}/accounts/login/")
    nina.get_by_label("Username").fill("nina")
    nina.get_by_label("Password").fill("a-long-reviewer-passphrase")
    nina.locator("main button[type=submit]").click()
    nina.wait_for_url(re.compile(r"/accounts/two-factor/"))
    axe_check(nina, "two-factor login")
    nina.get_by_label("Code").fill(_code(user, ahead=1))
    nina.get_by_role("button", name="Verify").click()
    nina.wait_for_url(f"{base}/")

    nina.goto(f"{base}/projects/caseloads/topics/caseload/screening/{stages[0].pk}/")
    nina.get_by_test_id("screening-record").wait_for()
    current = nina.get_attribute("[data-testid=screening-record]", "data-item")
    nina.keyboard.press("i")
    nina.wait_for_function(
        "(old) => document.querySelector('[data-testid=screening-record]')?.dataset.item !== old",
        arg=current,
    )
    decision = Decision.objects.get(reviewer=user)
    assert (decision.value, decision.item.stage.kind) == ("include", Stage.Kind.TITLE)
    context.close()


def test_password_reset_through_the_mail_works_once_and_is_throttled(
    live_server, page, db, smtp_server, settings
):
    settings.PASSWORD_RESET_PER_IP = 2
    UserFactory(username="bo", email="bo@example.org")
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("bo@example.org")
    page.get_by_role("button", name="Send the link").click()
    page.get_by_test_id("reset-sent").wait_for()

    link = _wait_for_link(smtp_server, "bo@example.org")
    page.goto(link)
    page.locator("#id_new_password1").fill("bo-has-a-new-passphrase")
    page.locator("#id_new_password2").fill("bo-has-a-new-passphrase")
    page.get_by_role("button", name="Save the password").click()
    page.get_by_test_id("reset-complete").wait_for()
    login(page, base, "bo", "bo-has-a-new-passphrase")
    page.get_by_role("button", name="Log out").click()

    page.goto(link)
    assert "already used" in page.get_by_test_id("reset-link-invalid").inner_text()

    page.goto(f"{base}/accounts/password-reset/")
    page.get_by_label("Email").fill("bo@example.org")
    page.get_by_role("button", name="Send the link").click()
    page.get_by_test_id("reset-sent").wait_for()
    page.goto(f"{base}/accounts/password-reset/")
    page.get_by_label("Email").fill("bo@example.org")
    page.get_by_role("button", name="Send the link").click()
    assert "Too many password reset requests" in page.get_by_test_id("reset-throttled").inner_text()
