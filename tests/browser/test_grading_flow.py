"""Extraction in Chromium against a real Celery worker: a result with a custom field saved
through the page changes the verdict shown without a reload; a lead overrides it with a
rationale and sees the history. Needs PostgreSQL and Redis (the worker is another process)."""

import pytest

from grading.services import studies as study_services
from grading.services import verdicts as verdict_services
from reviewapp.models import Role
from tests.browser.helpers import login
from tests.factories.reviewapp import (
    MembershipFactory,
    ProjectFactory,
    TopicAreaFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_extraction_updates_the_verdict_live_and_a_lead_overrides_it(
    celery_worker, live_server, page, axe_check
):
    project = ProjectFactory(slug="caseloads", title="Caseloads review", language="en")
    topic_area = TopicAreaFactory(project=project, key="caseload", title="Caseworkers")
    lead = UserFactory(username="lead")
    MembershipFactory(project=project, user=lead, role=Role.LEAD)
    verdict_services.category_create(
        topic_area=topic_area, actor=lead, key="caseload", title="Reduced caseload"
    )
    study_services.extraction_field_create(
        project=project, actor=lead, key="months", label="Follow-up (months)", kind="number"
    )
    study = study_services.study_create(
        topic_area=topic_area,
        actor=lead,
        label="Hainmueller et al. (2016)",
        title="Do lower caseloads improve the performance of public employment services?",
        design="difference_in_differences",
        country="DE",
        peer_reviewed=True,
    )
    base = live_server.url
    login(page, base, "lead")

    page.goto(f"{base}{study.get_absolute_url()}")
    axe_check(page, "study")
    form = page.get_by_test_id("result-form")
    # Labels carry crispy's "*" for required fields: find the fields by name.
    form.locator("[name=category]").select_option(label="Reduced caseload")
    form.locator("[name=intervention]").fill("More caseworkers per job seeker")
    form.locator("[name=effect]").fill("Unemployment 1-2 points lower")
    form.locator("[name=direction]").select_option("positive")
    form.locator("[name=risk_of_bias]").select_option("low")
    form.locator("[name=x_months]").fill("18")
    form.get_by_role("button", name="Save result").click()
    page.get_by_text("Result saved; the verdict is being recomputed.").wait_for()
    assert page.get_by_test_id("extra-value").inner_text() == "Follow-up (months): 18.0"

    page.goto(f"{base}/projects/caseloads/topics/caseload/evidence/caseload/")
    # The worker recomputes; the page polls until the new level is there.
    page.get_by_test_id("verdict-level").filter(has_text="Indication").wait_for(timeout=20_000)
    axe_check(page, "verdict")

    final = page.get_by_test_id("final-form")
    final.locator("[name=level]").select_option(label="Moderate evidence")
    final.get_by_role("button", name="Save final level").click()
    assert page.get_by_text("A level other than the computed one needs a rationale.").is_visible()
    final = page.get_by_test_id("final-form")
    final.locator("[name=level]").select_option(label="Moderate evidence")
    final.locator("[name=rationale]").fill("Two careful studies of one reform; more are coming.")
    final.get_by_role("button", name="Save final level").click()
    page.get_by_text("Final level saved.").wait_for()
    assert page.get_by_test_id("verdict-level").inner_text() == "Moderate evidence"
    history = page.get_by_test_id("verdict-history").inner_text()
    assert "Final level set: Moderate evidence (lead)" in history
    assert "Two careful studies of one reform" in history
