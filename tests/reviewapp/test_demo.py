import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from reviewapp.demo import DEMO_SLUG
from reviewapp.models import AuditEntry, Membership, Project, TopicArea


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
    assert authenticate(username="peer", password="demo-peer-2019") is not None


@pytest.mark.django_db
def test_demo_holds_the_reports_search_strategy():
    call_command("load_demo", stdout=io.StringIO())
    project = Project.objects.get(slug=DEMO_SLUG)
    distance, caseworkers = project.topic_areas.all()
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
