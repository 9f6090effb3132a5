"""Full texts in Chromium: a reviewer attaches a PDF on the full-texts page and finds it shown
beside the decision form on the screening page."""

import pytest

from screening.models import FullText
from screening.services.screening import stage_enter_records, stages_set_up
from tests.browser.helpers import login
from tests.factories.screening import RecordFactory, SourceFactory
from tests.screening.test_fulltext_services import tiny_pdf

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def review(topic_area, lead, reviewer):
    """The shared cast's project with one record waiting at the full-text stage."""
    record = RecordFactory(source=SourceFactory(topic_area=topic_area))
    fulltext = stages_set_up(topic_area=topic_area, actor=lead, preset="three")[2]
    stage_enter_records(stage=fulltext, record_ids=[record.pk])
    return fulltext, record


def test_reviewer_attaches_a_pdf_and_sees_it_beside_the_decision_form(
    live_server, page, review, axe_check
):
    stage, record = review
    base = f"{live_server.url}/projects/secret-review/topics/caseload/screening/{stage.pk}"
    data = tiny_pdf("Caseworker caseloads")
    login(page, live_server.url, "reviewer")

    page.goto(f"{base}/")
    assert page.get_by_test_id("screening-record").is_visible()
    assert page.get_by_test_id("fulltext-missing").inner_text() == (
        "No full text yet. Upload the PDF"
    )
    page.get_by_test_id("fulltext-missing").get_by_role("link").click()
    page.wait_for_url(f"{base}/fulltexts/#record-{record.pk}")
    axe_check(page, "fulltexts")

    row = page.locator(f"#record-{record.pk}")
    row.get_by_label("Upload the PDF").set_input_files(
        {"name": "Hainmueller 2016.pdf", "mimeType": "application/pdf", "buffer": data}
    )
    row.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_text("Hainmueller 2016.pdf attached.").wait_for()
    assert "PDF attached" in page.locator(f"#record-{record.pk}").inner_text()
    assert FullText.objects.get(record=record).original_name == "Hainmueller 2016.pdf"

    page.get_by_role("link", name="Screen the full texts").click()
    viewer = page.get_by_test_id("fulltext-object")
    viewer.wait_for()
    pdf_url = viewer.get_attribute("data")
    assert pdf_url == f"{base.removeprefix(live_server.url)}/fulltexts/{record.pk}/pdf/"
    box = viewer.bounding_box()
    assert box["width"] > 400 and box["height"] > 400
    form = page.get_by_test_id("decision-form").bounding_box()
    assert form["x"] > box["x"] + box["width"] - 1  # beside it, to the right
    axe_check(page, "screening-fulltext")

    served = page.request.get(f"{live_server.url}{pdf_url}")
    assert served.status == 200
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"] == 'inline; filename="Hainmueller 2016.pdf"'
    assert served.body() == data
