"""axe-core on every main page of the demo review, as its lead sees it (WCAG 2.1 AA:
serious or critical violations fail)."""

import io

import pytest
from django.core.management import call_command

from grading.models import InterventionCategory, Result, Study
from screening.models import Record, Stage
from tests.browser.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_main_pages_have_no_serious_accessibility_problems(live_server, page, axe_check):
    call_command("load_demo", stdout=io.StringIO())
    base = live_server.url
    login(page, base, "lead", "demo-lead-2019")

    project = "/projects/vive-2019-caseworkers"
    topic = f"{project}/topics/caseworkers"
    stage = Stage.objects.get(topic_area__key="caseworkers", position=1)
    fulltext = Stage.objects.get(topic_area__key="caseworkers", kind="fulltext")
    study = Study.objects.filter(topic_area__key="caseworkers").first()
    result = Result.objects.filter(study=study).first()
    category = InterventionCategory.objects.get(key="reduced-caseload")
    record = Record.objects.filter(topic_area__key="caseworkers", canonical__isnull=True).first()
    pages = {
        "home": "/",
        "dashboard": project + "/",
        "topic": topic + "/",
        "records": topic + "/records/",
        "duplicates": topic + "/duplicates/",
        "import": topic + "/import/",
        "screening-overview": topic + "/screening/",
        "stage-records": f"{topic}/screening/{stage.pk}/records/",
        "stage-edit": f"{topic}/screening/{stage.pk}/edit/",
        "fulltexts": f"{topic}/screening/{fulltext.pk}/fulltexts/",
        "flow": topic + "/flow/",
        "evidence": topic + "/evidence/",
        "verdict": f"{topic}/evidence/{category.key}/",
        "studies": topic + "/studies/",
        "study": f"{topic}/studies/{study.pk}/",
        "result-edit": f"{topic}/studies/{study.pk}/results/{result.pk}/edit/",
        "rob": f"{topic}/studies/{study.pk}/results/{result.pk}/risk-of-bias/",
        "extraction-form": project + "/extraction-form/",
        "activity": project + "/activity/",
        "report": project + "/report/",
        "comments": project + "/comments/",
        "prioritisation": f"{topic}/screening/{stage.pk}/prioritisation/",
        "conflicts": f"{topic}/screening/{stage.pk}/conflicts/",
        "record-history": f"{topic}/records/{record.pk}/history/",
        "study-history": f"{topic}/studies/{study.pk}/history/",
        "rob-charts": f"{topic}/evidence/{category.key}/risk-of-bias/",
        "summary-of-findings": topic + "/summary-of-findings/",
        "extraction-agreement": topic + "/extraction-agreement/",
        "profile": "/profile/",
    }
    for name, path in pages.items():
        response = page.goto(base + path)
        assert response.status == 200, (name, response.status)
        axe_check(page, name)
