"""Every export read back with its own library and checked for content."""

import csv
import io
import json
import zipfile

import docx
import openpyxl
import pytest
import rispy
from django.core.management import CommandError, call_command
from django.urls import reverse

from grading.services import comments as comment_services
from grading.services import report as report_services
from reviewapp.spreadsheets import neutralise
from tests.grading.test_report import build_small_report


@pytest.fixture
def report_data(topic_area, lead, peer_reviewer):
    data = build_small_report(topic_area, lead)
    comment_services.comment_create(
        project=topic_area.project,
        author=peer_reviewer,
        target_kind="study",
        target_id=data["studies"][0].pk,
        body="=1+1 Is the country right?",
    )
    return data


def _export(project, fmt, language="en"):
    content, filename, content_type = report_services.report_export(project, fmt, language)
    return content, filename, content_type


@pytest.mark.parametrize(
    "value",
    ["=SUM(A1)", "+1", "-2 points", "@ matching", "\tTab", "\rCR"],
)
def test_neutralise_prefixes_formula_starts(value):
    assert neutralise(value) == "'" + value


def test_neutralise_leaves_other_values():
    assert neutralise("Plain text") == "Plain text"
    assert neutralise(-3) == -3
    assert neutralise("– Danmark") == "– Danmark"


@pytest.mark.django_db
def test_xlsx_has_a_sheet_per_table_frozen_and_neutralised(project, report_data):
    content, filename, _type = _export(project, "xlsx")
    assert filename == "secret-review-report-en.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    names = workbook.sheetnames
    assert names == [
        "1 Categorisation of the lite",
        "1 Studies Reduced caseload",
        "1 Studies Referral mechanism",
        "1 Studies Other studies",
        "1 Count of studies",
        "1 Agreement between reviewer",
        "1 Verdicts",
        "1 Problems",
        "Comments",
    ]
    assert "Comments" in names
    study_sheet = workbook["1 Studies Reduced caseload"]
    assert study_sheet.freeze_panes == "A3"
    assert [c.value for c in study_sheet[2]] == [
        "Study",
        "Intervention",
        "Target group",
        "Effect",
        "Risk of bias",
    ]
    assert study_sheet["A3"].value.startswith("Hainmueller et al. (2016).*")
    assert study_sheet["A3"].alignment.wrap_text is True
    assert study_sheet.column_dimensions["A"].width >= 8
    referral = workbook["1 Studies Referral mechanism"]
    # The study's title and the intervention would run as formulas: neutralised.
    assert "=HYPERLINK" in referral["A3"].value
    assert referral["B3"].value == "'+ caseworker choice"
    assert referral["D3"].value == "'-2 points"
    counts = workbook["1 Count of studies"]
    values = [[c.value for c in row] for row in counts.iter_rows(min_row=3)]
    assert ["Total", 3] in values
    assert ["– Germany", 1] in values
    comments = workbook["Comments"]
    assert comments["G3"].value == "'=1+1 Is the country right?"
    assert comments["E3"].value == "peer"


@pytest.mark.django_db
def test_docx_lays_out_the_tables_with_landscape_study_tables(project, report_data):
    content, _name, content_type = _export(project, "docx", "da")
    assert content_type.endswith("wordprocessingml.document")
    document = docx.Document(io.BytesIO(content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Studier: Reduced caseload" in headings
    assert "Optælling af studier" in headings
    assert "Bilag: kommentarer fra fagfællebedømmelsen" in headings
    texts = [p.text for p in document.paragraphs]
    assert any(t.startswith("Anm.: * Indikerer") for t in texts)
    study_table = next(t for t in document.tables if t.rows[0].cells[0].text == "Studie")
    assert study_table.rows[1].cells[0].text.startswith("Hainmueller et al. (2016).*")
    orientations = {section.orientation for section in document.sections}
    assert len(orientations) == 2  # portrait, and landscape for the study tables
    landscape = [s for s in document.sections if s.page_width > s.page_height]
    assert landscape
    appendix = document.tables[-1]
    assert appendix.rows[1].cells[6].text == "=1+1 Is the country right?"


@pytest.mark.django_db
def test_csv_zip_holds_a_file_per_table(project, topic_area, report_data):
    content, filename, _type = _export(project, "csv")
    assert filename.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = archive.namelist()
    assert f"{topic_area.key}/counts-{topic_area.key}.csv" in names
    assert "comments.csv" in names
    text = archive.read(f"{topic_area.key}/study-{topic_area.key}-referral.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Study", "Intervention", "Target group", "Effect", "Risk of bias"]
    assert rows[1][1] == "'+ caseworker choice"
    assert rows[1][0].startswith("Bech (2015).")
    counts = list(
        csv.reader(
            io.StringIO(
                archive.read(f"{topic_area.key}/counts-{topic_area.key}.csv").decode("utf-8-sig")
            )
        )
    )
    assert counts[-1] == ["Total", "3"]


@pytest.mark.django_db
def test_json_holds_every_table(project, report_data):
    content, _name, _type = _export(project, "json")
    document = json.loads(content)
    topic = document["topics"][0]
    kinds = [table["kind"] for table in topic["tables"]]
    assert kinds == ["summary", "study", "study", "study", "counts", "agreement"]
    counts = topic["tables"][4]
    assert counts["rows"][-1] == ["Total", 3]
    assert document["comments"][0]["body"] == "=1+1 Is the country right?"


@pytest.mark.django_db
def test_ris_reads_back_with_rispy(project, report_data):
    content, filename, _type = _export(project, "ris")
    assert filename == "secret-review-included.ris"
    entries = rispy.loads(content.decode("utf-8"))
    assert len(entries) == 1
    entry = entries[0]
    assert entry["type_of_reference"] == "JOUR"
    assert entry["title"].startswith("Do lower caseloads")
    assert entry["authors"] == ["Hainmueller, Jens", "Hofmann, Barbara"]
    assert entry["year"] == "2016"
    assert entry["doi"] == "10.1016/j.jpubeco.2016.02.002"
    assert (entry["start_page"], entry["end_page"]) == ("1", "13")


@pytest.mark.django_db
def test_prisma_csv_has_the_packages_fields(project, topic_area, lead, report_data):
    from screening import flow
    from screening.services.screening import stages_set_up

    stages_set_up(topic_area=topic_area, actor=lead, preset="three")
    content, filename, _type = _export(project, "prisma-csv")
    assert filename == f"prisma-{topic_area.key}.csv"
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    assert list(rows[0]) == list(flow.PRISMA_CSV_FIELDS)
    by_data = {row["data"]: row["n"] for row in rows}
    assert by_data["database_results"] == "1"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["lead", "peer_reviewer"])
def test_the_report_page_downloads_exports(client, cast, project, report_data, role):
    client.force_login(cast[role])
    url = reverse("report_export", kwargs={"slug": project.slug})
    response = client.get(url, {"format": "xlsx", "language": "da"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="secret-review-report-da.xlsx"'
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "Kommentarer" in workbook.sheetnames
    assert client.get(url, {"format": "pdf"}).status_code == 400


@pytest.mark.django_db
def test_export_report_command_writes_each_format(project, report_data, tmp_path):
    for fmt in ("xlsx", "docx", "csv", "json", "ris", "prisma-csv"):
        output = tmp_path / f"report.{fmt}"
        call_command(
            "export_report",
            project.slug,
            "--format",
            fmt,
            "--output",
            str(output),
            "--language",
            "en",
            stdout=io.StringIO(),
        )
        assert output.stat().st_size > 0, fmt
    document = json.loads((tmp_path / "report.json").read_text())
    assert document["language"] == "en"
    with pytest.raises(CommandError, match="no project"):
        call_command("export_report", "nope", "--format", "json", "--output", str(output))
