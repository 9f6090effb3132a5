"""Correcting a record in Chromium: a reviewer fixes an abstract imported garbled through the
record's edit page, the history page shows the abstract as imported and as corrected, and
the screening page hands the record out with the corrected abstract."""

import pytest

from reviewapp.models import Role
from screening.models import Record
from screening.services.screening import stages_set_up
from tests.browser.helpers import login, review_with_members
from tests.factories.screening import RecordFactory, SourceFactory

pytestmark = pytest.mark.django_db(transaction=True)

GARBLED = "Caseworkers with lower caseloads shorten unemploy- ment spells by 3 weeks."
CORRECTED = "Caseworkers with lower caseloads shorten unemployment spells by three weeks."


@pytest.fixture
def review():
    """An abstract stage with one record, whose abstract came in broken across a line."""
    topic_area, users = review_with_members(
        "corrections", {"lead": Role.LEAD, "anna": Role.REVIEWER}
    )
    record = RecordFactory(
        source=SourceFactory(topic_area=topic_area),
        title="Caseworker caseloads and the duration of unemployment",
        abstract=GARBLED,
    )
    stage = stages_set_up(topic_area=topic_area, actor=users["lead"], preset="two")[0]
    return stage, record, users


def test_a_corrected_abstract_is_in_the_history_and_on_the_screening_page(
    live_server, page, review, axe_check
):
    stage, record, users = review
    topic = f"{live_server.url}/projects/corrections/topics/caseload"
    login(page, live_server.url, "anna")

    # From the screening page, where the reviewer notices it, to the edit page.
    page.goto(f"{topic}/screening/{stage.pk}/")
    assert page.get_by_test_id("record-abstract").inner_text() == GARBLED
    page.get_by_test_id("record-edit-link").click()
    page.wait_for_url(f"**/records/{record.pk}/edit/")
    abstract = page.get_by_label("Abstract")
    assert abstract.input_value() == GARBLED
    axe_check(page, "record-edit")
    abstract.fill(CORRECTED)
    page.get_by_role("button", name="Save correction").click()

    # The history page: version 2 is current, version 1 (as imported) kept, old → new.
    page.wait_for_url(f"**/records/{record.pk}/history/")
    assert "Record corrected" in page.locator("main > .alert-success").inner_text()
    versions = page.get_by_test_id("history-versions")
    assert "Version 2 (current)." in versions.inner_text()
    version = versions.get_by_test_id("record-version")
    assert version.count() == 1
    assert "Version 1 (as imported)" in version.inner_text()
    assert "Corrected by anna" in version.inner_text()
    assert version.get_by_test_id("version-old").all_inner_texts() == [GARBLED]
    assert version.get_by_test_id("version-new").all_inner_texts() == [CORRECTED]
    axe_check(page, "record-history-corrected")

    stored = Record.objects.get(pk=record.pk)
    assert (stored.abstract, stored.version) == (CORRECTED, 2)
    assert stored.versions.get().fields["abstract"] == GARBLED

    # The screening page hands the same record out, with the corrected abstract only.
    page.goto(f"{topic}/screening/{stage.pk}/")
    assert page.get_attribute("[data-testid=screening-record]", "data-item") == str(
        stage.items.get(record=record).pk
    )
    assert page.get_by_test_id("record-abstract").inner_text() == CORRECTED
    assert GARBLED not in page.content()
