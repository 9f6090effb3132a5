"""Dual extraction and GRADE in Chromium: a reviewer extracts blind, the lead sees both
extractions side by side with the difference marked and agrees the values; a lead rates a
GRADE outcome down and reads the Summary of Findings. Pages checked with axe-core."""

import pytest

from grading.services import consensus as consensus_services
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

A = {"direction": "positive", "risk_of_bias": "low", "quality": "high", "effect": "Lower"}


def _project(framework="danish_count"):
    project = ProjectFactory(
        slug="caseloads", title="Caseloads review", language="en", evidence_framework=framework
    )
    topic_area = TopicAreaFactory(project=project, key="caseload", title="Caseworkers")
    users = {}
    for username, role in (("lead", Role.LEAD), ("reviewer", Role.REVIEWER), ("r2", Role.REVIEWER)):
        users[username] = UserFactory(username=username)
        MembershipFactory(project=project, user=users[username], role=role)
    category = verdict_services.category_create(
        topic_area=topic_area, actor=users["lead"], key="caseload", title="Reduced caseload"
    )
    study = study_services.study_create(
        topic_area=topic_area,
        actor=users["lead"],
        label="Hainmueller et al. (2016)",
        title="Lower caseloads",
        design="difference_in_differences",
    )
    result = study_services.result_save(
        study=study,
        actor=users["lead"],
        category=category,
        intervention="Fewer job seekers per caseworker",
        effect="Lower unemployment",
        direction="positive",
        risk_of_bias="low",
        participants=1500,
    )
    return project, users, study, result


def test_dual_extraction_blind_then_consensus(live_server, page, axe_check):
    project, users, study, result = _project()
    consensus_services.extraction_settings_update(
        project=project, actor=users["lead"], dual_extraction=True
    )
    consensus_services.extraction_save(
        result=result, reviewer=users["r2"], values=A | {"direction": "no_effect"},
        expected_version=0,
    )  # fmt: skip
    base = live_server.url
    login(page, base, "reviewer")

    page.goto(f"{base}{study.get_absolute_url()}")
    page.get_by_test_id("consensus-link").click()
    page.get_by_test_id("consensus-waiting").wait_for()  # r2's extraction stays hidden
    page.get_by_role("link", name="Extract this result").click()
    axe_check(page, "extraction")
    form = page.get_by_test_id("extraction-form")
    form.locator("[name=direction]").select_option("positive")
    form.locator("[name=risk_of_bias]").select_option("low")
    form.locator("[name=quality]").select_option("high")
    form.locator("[name=effect]").fill("Lower")
    form.get_by_role("button", name="Save my extraction").click()
    page.get_by_text("Your extraction is saved.").wait_for()
    differs = page.get_by_test_id("consensus-row").filter(
        has=page.get_by_test_id("consensus-differs")
    )
    assert differs.count() == 1 and "Direction" in differs.inner_text()
    axe_check(page, "consensus")

    consensus = page.get_by_test_id("consensus-form")
    consensus.locator("[name=direction]").select_option("positive")
    consensus.get_by_role("button", name="Save the consensus").click()
    page.get_by_text("Consensus saved; the verdict is being recomputed.").wait_for()
    page.goto(f"{base}/projects/caseloads/topics/caseload/evidence/caseload/")
    page.get_by_test_id("verdict-level").filter(has_text="Indication").wait_for()


def test_grade_judgements_and_summary_of_findings(live_server, page, axe_check):
    _project(framework="grade")
    base = live_server.url
    login(page, base, "lead")

    page.goto(f"{base}/projects/caseloads/topics/caseload/evidence/caseload/")
    page.get_by_test_id("grade-links").get_by_role("link", name="GRADE judgements").click()
    axe_check(page, "grade")
    form = page.get_by_test_id("grade-form")
    form.get_by_label("Imprecision").select_option("1")
    form.get_by_role("button", name="Save GRADE judgements").click()
    page.get_by_text("A rating down or up needs its reason.").wait_for()
    form = page.get_by_test_id("grade-form")
    form.locator("[name=reason_imprecision]").fill("One study of 1,500 people")
    form.locator("[name=outcome]").fill("Unemployment after a year")
    form.get_by_role("button", name="Save GRADE judgements").click()
    page.get_by_text("GRADE judgements saved; the certainty is being recomputed.").wait_for()
    page.get_by_test_id("verdict-level").filter(has_text="Very low").wait_for()

    page.get_by_test_id("grade-links").get_by_role("link", name="Summary of Findings").click()
    axe_check(page, "summary-of-findings")
    row = page.get_by_test_id("sof-row").inner_text()
    assert "Unemployment after a year" in row and "1,500 (1)" in row and "Very low a" in row
    assert (
        "Imprecision: One study of 1,500 people"
        in page.get_by_test_id("sof-footnotes").inner_text()
    )
