"""A RoB 2 assessment in Chromium: open a cluster-randomised result's risk-of-bias page, answer
the signalling questions (the page says which conditional questions are not asked), see the
proposed judgements, confirm them, then see the result's risk of bias and the robvis charts."""

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

# Every domain Low; the conditional questions these answers leave unasked are not answered.
ANSWERS = {
    "1.1": "Y",
    "1.2": "Y",
    "1.3": "N",
    "1b.1": "N",
    "1b.2": "N",
    "1b.3": "N",
    "2.1": "N",
    "2.2": "N",
    "2.6": "Y",
    "3.1": "Y",
    "4.1": "N",
    "4.2": "N",
    "4.3": "N",
    "5.1": "Y",
    "5.2": "N",
    "5.3": "N",
}
DOMAINS = ["D1", "D1b", "D2", "D3", "D4", "D5"]


def _radio(page, question, answer):
    return page.locator(f"input[name=q_{question.replace('.', '_')}][value={answer}]")


def test_rob2_cluster_assessment_proposes_is_confirmed_and_charted(live_server, page, axe_check):
    project = ProjectFactory(slug="caseloads", title="Caseloads review", language="en")
    topic_area = TopicAreaFactory(project=project, key="caseload", title="Caseworkers")
    reviewer = UserFactory(username="reviewer")
    MembershipFactory(project=project, user=reviewer, role=Role.REVIEWER)
    category = verdict_services.category_create(
        topic_area=topic_area, actor=reviewer, key="meetings", title="Early meetings"
    )
    study = study_services.study_create(
        topic_area=topic_area,
        actor=reviewer,
        label="Rosholm et al. (2017)",
        title="Early meetings with caseworkers",
        design="randomised_cluster",
    )
    study_services.result_save(
        study=study,
        actor=reviewer,
        category=category,
        intervention="Meetings every fortnight",
        effect="Shorter unemployment",
        direction="positive",
        risk_of_bias="moderate",
    )
    base = live_server.url
    login(page, base, "reviewer")

    page.goto(f"{base}{study.get_absolute_url()}")
    page.get_by_test_id("rob-link").click()
    page.get_by_role("heading", name="Risk of bias: Rosholm et al. (2017)").wait_for()
    # A cluster-randomised trial gets the cluster variant, with domain 1b.
    assert page.locator("#rob-tool").input_value() == "rob2_cluster"
    assert page.get_by_test_id("rob-domain").count() == 6
    axe_check(page, "rob-assessment")

    for question, answer in ANSWERS.items():
        _radio(page, question, answer).check()
    # Nobody knew the assignment (2.1, 2.2 No): the page says 2.3 is not asked.
    page.locator("#asked-q_2_3").filter(has_text="Not asked").wait_for()
    assert "Not asked" not in page.locator("#asked-q_1b_2").inner_text()
    overall = page.get_by_test_id("rob-proposal-overall")
    overall.filter(has_text="Low").wait_for()
    proposals = page.get_by_test_id("rob-proposal").all_inner_texts()
    assert [text.split("\t")[0] for text in proposals] == DOMAINS
    assert all("Low" in text for text in proposals)
    assert "1b.2 N/PN, 1b.3 N/PN/NI" in proposals[1]

    form = page.get_by_test_id("rob-form")
    for domain in DOMAINS:
        form.locator(f"[name=judgement_{domain}]").select_option("low")
    form.locator("[name=judgement_overall]").select_option("low")
    form.get_by_role("button", name="Save assessment").click()
    page.get_by_text("Risk-of-bias assessment saved; the verdict is being recomputed.").wait_for()
    card = page.get_by_test_id("result-card")
    assert "Risk of bias: Low" in card.inner_text()

    page.goto(f"{base}/projects/caseloads/topics/caseload/evidence/meetings/")
    charts = page.get_by_test_id("rob-charts")
    charts.locator("svg").first.wait_for()
    text = charts.inner_text()
    assert "RoB 2 for cluster-randomised trials (1 result)" in text
    assert "Rosholm et al. (2017)" in charts.locator("svg").first.text_content()
    assert "D1b" in charts.locator("svg").first.text_content()
