"""Peer review in Chromium: the peer reviewer opens the report and comments on a verdict;
the lead sees it on the dashboard, replies and resolves it; the export downloads."""

import io

import openpyxl
import pytest

from reviewapp.models import Role
from tests.browser.helpers import login
from tests.factories.reviewapp import (
    MembershipFactory,
    ProjectFactory,
    TopicAreaFactory,
    UserFactory,
)
from tests.grading.test_report import build_small_report

pytestmark = pytest.mark.django_db(transaction=True)


def test_peer_comments_lead_replies_and_resolves_and_the_export_downloads(
    live_server, browser, page, axe_check
):
    project = ProjectFactory(slug="caseloads", title="Caseloads review", language="en")
    topic_area = TopicAreaFactory(project=project, key="caseload", title="Caseworkers")
    lead = UserFactory(username="lead")
    MembershipFactory(project=project, user=lead, role=Role.LEAD)
    peer = UserFactory(username="peer")
    MembershipFactory(project=project, user=peer, role=Role.PEER_REVIEWER)
    build_small_report(topic_area, lead)
    base = live_server.url
    report_url = f"{base}/projects/caseloads/report/?language=en"

    login(page, base, "peer")
    page.goto(report_url)
    page.get_by_role("heading", name="1. Caseworkers").wait_for()
    assert "Studies: Reduced caseload" in page.content()
    axe_check(page, "report")
    verdicts = page.get_by_test_id("report-verdicts")
    box = verdicts.get_by_test_id("comment-box").first
    box.locator("summary").click()
    box.locator("select[name=target]").select_option(label="the verdict")
    box.locator("textarea[name=body]").fill("Why an indication and not moderate evidence?")
    box.get_by_role("button", name="Add comment").click()
    page.get_by_text("Comment added.").wait_for()
    thread = page.get_by_test_id("comment-thread").first
    assert "Why an indication and not moderate evidence?" in thread.inner_text()
    assert thread.get_by_test_id("resolve").count() == 0  # peer reviewers do not resolve

    with page.expect_download() as download_info:
        form = page.get_by_test_id("export-form")
        form.locator("select[name=format]").select_option("xlsx")
        form.get_by_role("button", name="Download").click()
    download = download_info.value
    assert download.suggested_filename == "caseloads-report-en.xlsx"
    with open(download.path(), "rb") as file:
        workbook = openpyxl.load_workbook(io.BytesIO(file.read()))
    comments = workbook["Comments"]
    assert comments["G3"].value == "Why an indication and not moderate evidence?"

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    lead_page = context.new_page()
    lead_page.set_default_timeout(10_000)
    try:
        login(lead_page, base, "lead")
        lead_page.goto(f"{base}/projects/caseloads/")
        panel = lead_page.get_by_test_id("open-comments")
        panel.get_by_role("link", name="Verdict: Reduced caseload").click()
        thread = lead_page.get_by_test_id("comment-thread").first
        thread.locator("input[name=body]").fill("Two studies of limited quality only.")
        thread.get_by_role("button", name="Reply").click()
        lead_page.get_by_text("Reply added.").wait_for()
        thread = lead_page.get_by_test_id("comment-thread").first
        assert "Two studies of limited quality only." in thread.inner_text()
        thread.get_by_test_id("resolve").click()
        lead_page.get_by_text("Comment resolved.").wait_for()
        lead_page.get_by_test_id("comment-resolved").first.wait_for()
        lead_page.goto(f"{base}/projects/caseloads/")
        # The panel arrives by htmx after the page: wait for it rather than read the shell.
        lead_page.get_by_test_id("open-comments").get_by_text("No open comments.").wait_for()
        assert (
            "Verdict: Reduced caseload"
            not in lead_page.get_by_test_id("open-comments").inner_text()
        )
    finally:
        context.close()
