"""Every CSV and XLSX the application writes, walked with hostile names in every place a name
reaches a cell: no cell may start a formula (reviewapp.spreadsheets)."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from grading.demo.review import DEMO_SLUG, demo_load
from grading.models import InterventionCategory, Study
from grading.services.report import report_tables_rebuild
from reviewapp.models import Project
from reviewapp.spreadsheets import FORMULA_STARTS, SafeDictWriter, SafeWriter, neutralise
from screening.models import ScreeningItem, Source, Stage

HOSTILE = '=HYPERLINK("http://attacker.example/","Click")'


def _cells_of_csv(data: bytes):
    text = data.decode("utf-8-sig")
    for row in csv.reader(io.StringIO(text)):
        yield from row


def _cells_of_xlsx(data: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            yield from (value for value in row if value is not None)


def _cells(name: str, data: bytes):
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                yield from _cells(member, archive.read(member))
    elif name.endswith(".xlsx"):
        yield from _cells_of_xlsx(data)
    elif name.endswith(".csv"):
        yield from _cells_of_csv(data)


@pytest.fixture
def hostile_demo(db):
    demo_load()
    project = Project.objects.get(slug=DEMO_SLUG)
    Source.objects.filter(topic_area__project=project).update(name=HOSTILE)
    Stage.objects.filter(topic_area__project=project).update(name="@" + HOSTILE[1:])
    ScreeningItem.objects.filter(stage__topic_area__project=project).exclude(
        exclusion_reason=""
    ).update(exclusion_reason="+" + HOSTILE[1:])
    InterventionCategory.objects.filter(topic_area__project=project).update(title=HOSTILE)
    Study.objects.filter(topic_area__project=project).update(title="-" + HOSTILE[1:])
    reviewer = project.memberships.get(user__username="reviewer1").user
    reviewer.username = "=cmd|' /C calc'!A0"
    reviewer.save()
    for topic_area in project.topic_areas.all():
        report_tables_rebuild(topic_area=topic_area)
    return project


def _export_urls(project):
    for topic_area in project.topic_areas.all():
        kwargs = {"slug": project.slug, "topic_key": topic_area.key}
        yield f"prisma-{topic_area.key}.csv", reverse("flow_csv", kwargs=kwargs)
        yield f"agreement-{topic_area.key}.csv", reverse("agreement_csv", kwargs=kwargs)
    report = reverse("report_export", kwargs={"slug": project.slug})
    for fmt, name in [("xlsx", "report.xlsx"), ("csv", "report.zip"), ("prisma-csv", None)]:
        for language in ("da", "en"):
            yield name, f"{report}?format={fmt}&language={language}"


def test_no_export_cell_starts_a_formula(client, hostile_demo):
    client.force_login(hostile_demo.memberships.get(user__username="lead").user)
    live, neutralised = [], 0
    for name, url in _export_urls(hostile_demo):
        response = client.get(url)
        assert response.status_code == 200, url
        filename = name or response["Content-Disposition"].split('filename="')[1].rstrip('"')
        for cell in _cells(filename, response.content):
            if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
                live.append((url, cell[:60]))
            if isinstance(cell, str) and cell.startswith("'") and "attacker.example" in cell:
                neutralised += 1
    assert live == []
    # The hostile names did reach the files (neutralised): the walk tested something.
    assert neutralised > 10


def test_the_writers_neutralise_every_cell_and_the_header():
    buffer = io.StringIO()
    writer = SafeDictWriter(buffer, fieldnames=["=name", "value"])
    writer.writeheader()
    writer.writerows([{"=name": "@x", "value": 3}, {"=name": "plain", "value": "-1+1"}])
    plain = SafeWriter(buffer)
    plain.writerows([["+a", 1.5]])
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows == [["'=name", "value"], ["'@x", "3"], ["plain", "'-1+1"], ["'+a", "1.5"]]
    assert neutralise(-3) == -3
