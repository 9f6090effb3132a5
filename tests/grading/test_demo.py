import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.http import HttpRequest

from grading.demo.review import DEMO_SLUG
from reviewapp.models import AuditEntry, Membership, Project, TopicArea

# The seed review's two topic areas; the third (grading.demo.in_progress) has its own tests.
SEED_KEYS = ["distance-meetings", "caseworkers"]


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_prints_logins(capsys):
    call_command("load_demo")
    first = capsys.readouterr().out
    counts = (
        Project.objects.count(),
        TopicArea.objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
    )
    call_command("load_demo")
    assert (
        Project.objects.count(),
        TopicArea.objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
    ) == counts
    assert "lead       demo-lead-2019" in first
    # django-axes checks every password login against its lockouts: it needs the request.
    login = {"username": "peer", "password": "demo-peer-2019"}
    assert authenticate(request=HttpRequest(), **login) is not None


@pytest.mark.django_db
def test_demo_holds_the_reports_search_strategy():
    call_command("load_demo", stdout=io.StringIO())
    project = Project.objects.get(slug=DEMO_SLUG)
    distance, caseworkers = project.topic_areas.filter(key__in=SEED_KEYS).order_by("position")
    assert distance.intervention_terms[:3] == ["video", "virtual", "telephone"]
    assert "case load" in caseworkers.intervention_terms
    assert "job counsellor" in caseworkers.population_terms
    assert len(caseworkers.databases) == 15
    assert (caseworkers.year_from, caseworkers.year_to) == (2000, 2019)
    assert caseworkers.languages == ["da", "en", "no", "sv"]
    assert caseworkers.regions == ["OECD countries"]
    roles = dict(project.memberships.values_list("user__username", "role"))
    assert roles == {
        "lead": "lead",
        "reviewer1": "reviewer",
        "reviewer2": "reviewer",
        "peer": "peer_reviewer",
    }


@pytest.mark.django_db
def test_demo_screening_reproduces_the_reports_flow_figures():
    from screening import flow, queries
    from screening.models import Decision, ScreeningItem

    call_command("load_demo", stdout=io.StringIO())
    project = Project.objects.get(slug=DEMO_SLUG)
    distance, caseworkers = project.topic_areas.filter(key__in=SEED_KEYS).order_by("position")

    counts, _undecided = queries.topic_area_flow(caseworkers)
    assert [stage.screened.value for stage in counts.stages] == [1008, 54]
    assert counts.fulltext.sought.value == 24
    assert counts.fulltext.included == 16
    assert counts.other.sought.value == 3  # snowballing, counted from its records
    assert counts.included_studies == flow.Count(19)  # counted, not entered
    assert [p.code for p in flow.flow_check(counts) if p.severity == "error"] == []

    counts, _undecided = queries.topic_area_flow(distance)
    assert [stage.screened.value for stage in counts.stages] == [627, 13]
    assert counts.included_studies == flow.Count(1)

    # Real records and both reviewers' decisions through every stage; nothing invented.
    assert caseworkers.records.count() == 19 and distance.records.count() == 1
    assert (
        ScreeningItem.objects.filter(stage__topic_area=caseworkers, status="included").count() == 57
    )
    assert Decision.objects.filter(item__stage__topic_area=caseworkers).count() == 114
    call_command("load_demo", stdout=io.StringIO())
    assert Decision.objects.filter(item__stage__topic_area=caseworkers).count() == 114


@pytest.mark.django_db
def test_demo_verdicts_equal_the_reports_table_1():
    from grading.models import InterventionCategory, Result, Study

    call_command("load_demo", stdout=io.StringIO())
    project = Project.objects.get(slug=DEMO_SLUG)
    levels = {
        category.key: category.verdict.level
        for category in InterventionCategory.objects.filter(
            topic_area__project=project, graded=True
        ).select_related("verdict")
    }
    assert levels == {
        "distance-meetings": "indication",
        "relative-effectiveness": "indication",
        "referral-mechanism": "indication",
        "reduced-caseload": "moderate",
    }
    assert Study.objects.filter(topic_area__project=project).count() == 20
    assert Result.objects.filter(study__topic_area__project=project).count() == 21
    # Each study is linked to the record it was screened as.
    assert not Study.objects.filter(topic_area__project=project, records=None).exists()
    call_command("load_demo", stdout=io.StringIO())
    assert Result.objects.filter(study__topic_area__project=project).count() == 21
