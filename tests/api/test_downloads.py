"""Every file the exports list links downloads with the API's token, with the page's
permission: the XLSX opens with the report's content; a non-member's token is 404, no token
401 (not a redirect to the login page)."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.conftest import SECRETS, topic_url

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _links(api, topic_area) -> dict[str, str]:
    answer = api["lead"].get(topic_url(topic_area, "exports/")).json()
    return {link["name"]: link["url"] for link in answer["results"]}


def test_the_xlsx_export_downloads_with_a_token_and_opens(api, topic_area, review_data):
    url = _links(api, topic_area)["report:xlsx"] + "&language=en"

    response = api["peer_reviewer"].get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="secret-review-report-en.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    cells = {
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    assert "Hidden category" in cells
    assert any("Secret et al." in cell for cell in cells)  # the study, in its result's row


def test_every_linked_file_downloads_as_an_attachment(api, topic_area, review_data):
    links = _links(api, topic_area)
    # The charts of a tool no assessment used are 404, as on the page; the rest are files.
    files = {name: url for name, url in links.items() if not name.startswith("rob_")}
    assert set(files) == {
        "flow_svg",
        "flow_csv",
        "agreement_csv",
        *(f"report:{fmt}" for fmt in ["xlsx", "docx", "csv", "json", "ris", "prisma-csv"]),
    }
    for name, url in files.items():
        response = api["lead"].get(url)
        assert response.status_code == 200, (name, response.content[:200])
        assert response["Content-Disposition"].startswith('attachment; filename="'), name
        assert url.startswith("http://testserver/api/projects/secret-review/"), name
    svg = api["lead"].get(links["flow_svg"])
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content[:200]
    csv = api["lead"].get(links["agreement_csv"])
    assert csv["Content-Disposition"] == 'attachment; filename="agreement-caseload.csv"'


@pytest.mark.parametrize("role", ["outsider", "anonymous"])
def test_a_download_is_404_for_a_non_member_and_401_without_a_token(
    api, topic_area, review_data, role
):
    links = _links(api, topic_area)
    for name, url in links.items():
        response = api[role].get(url)
        expected = {"outsider": (404, "not_found"), "anonymous": (401, "not_authenticated")}
        assert (response.status_code, response.json()["code"]) == expected[role], name
        assert "Location" not in response  # not a redirect to the login page
        for secret in SECRETS:
            assert secret not in response.content.decode(), (name, secret)
    if role == "anonymous":
        assert api[role].get(links["report:xlsx"])["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_reviewer_may_not_export_the_report_as_on_the_page(api, topic_area, review_data):
    response = api["reviewer"].get(_links(api, topic_area)["report:xlsx"])
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_an_unknown_export_format_is_400_naming_it(api, topic_area, review_data):
    url = f"/api/projects/{topic_area.project.slug}/report/export/?format=pdf"
    response = api["lead"].get(url)
    assert response.status_code == 400
    assert list(response.json()["field_errors"]) == ["format"]


def test_a_full_text_pdf_downloads_from_the_link_its_record_gives(
    api, cast, topic_area, review_data
):
    from screening.services.fulltext import fulltext_attach, fulltext_remove

    record, stage = review_data["record_first"], review_data["fulltext_stage"]
    fulltext_remove(record=record, actor=cast["lead"])  # its "not retrievable" mark
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    fulltext_attach(
        record=record,
        actor=cast["lead"],
        upload=SimpleUploadedFile("paper.pdf", pdf, content_type="application/pdf"),
    )
    listed = api["peer_reviewer"].get(topic_url(topic_area, f"stages/{stage.pk}/fulltexts/"))
    entry = next(e for e in listed.json()["results"] if e["record"] == record.pk)

    response = api["peer_reviewer"].get(entry["pdf"])

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf
    assert response["Content-Disposition"] == 'attachment; filename="paper.pdf"'
    assert api["outsider"].get(entry["pdf"]).status_code == 404
    assert api["anonymous"].get(entry["pdf"]).status_code == 401


def test_the_risk_of_bias_charts_download_once_an_assessment_is_saved(
    api, cast, topic_area, review_data
):
    from grading.services.rob import rob_assessment_save
    from tests.api.test_rob import _body

    body = _body()
    body.pop("version")
    rob_assessment_save(
        result=review_data["result"], actor=cast["lead"], expected_version=0, **body
    )
    links = _links(api, topic_area)
    key = review_data["category"].key

    for chart in ("traffic_light", "summary"):
        response = api["peer_reviewer"].get(links[f"rob_{chart}_svg:{key}:rob2"])
        assert response.status_code == 200, chart
        assert response["Content-Type"] == "image/svg+xml"
        name = f"rob-{key}-rob2-{chart.replace('_', '-')}.svg"
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'
        assert "Hidden category" in response.content.decode()  # the chart's title
        assert api["outsider"].get(links[f"rob_{chart}_svg:{key}:rob2"]).status_code == 404
    # A tool no assessment used has no chart, as on the page.
    assert api["lead"].get(links[f"rob_summary_svg:{key}:robins_i"]).status_code == 404
