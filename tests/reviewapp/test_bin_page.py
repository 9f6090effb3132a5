"""The project's bin page: what was deleted, by whom, when it goes for good; Restore."""

import pytest
from django.urls import reverse

from grading.services import studies as study_services
from screening.models import ScreeningItem, Source
from screening.services.bin import source_delete
from screening.services.screening import stages_set_up
from tests.factories.grading import ResultFactory, StudyFactory
from tests.factories.reviewapp import MembershipFactory, ProjectFactory
from tests.factories.screening import RecordFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def binned(topic_area, lead):
    scopus = SourceFactory(topic_area=topic_area, name="Scopus")
    RecordFactory.create_batch(2, source=scopus)
    stages_set_up(topic_area=topic_area, actor=lead, preset="two")
    source_delete(source=scopus, actor=lead)
    result = ResultFactory(
        category__topic_area=topic_area, study__label="Koning (2009)", intervention="Meetings"
    )
    study_services.study_delete(study=result.study, actor=lead)  # its result goes with it
    return scopus, result


def _url(project):
    return reverse("project_bin", kwargs={"slug": project.slug})


def test_lead_sees_what_is_in_the_bin_and_restores_it(client, project, lead, binned):
    scopus, result = binned
    client.force_login(lead)
    page = client.get(_url(project)).content.decode()

    assert page.count('data-testid="bin-row"') == 2  # the study's result is listed with it
    assert "Study: Koning (2009)" in page
    assert "Source: Scopus" in page
    assert page.count("<td>lead</td>") == 2
    dashboard = client.get(reverse("project_dashboard", kwargs={"slug": project.slug}))
    assert 'data-testid="bin-link"' in dashboard.content.decode()

    restore = reverse(
        "bin_restore", kwargs={"slug": project.slug, "label": "screening.source", "pk": scopus.pk}
    )
    page = client.post(restore, follow=True).content.decode()

    assert "Source Scopus is restored." in page
    assert page.count('data-testid="bin-row"') == 1
    assert ScreeningItem.objects.filter(record__source=scopus).count() == 2


@pytest.mark.parametrize("who", ["reviewer", "peer_reviewer"])
def test_members_who_are_not_leads_get_403(client, project, cast, binned, who):
    scopus, _result = binned
    client.force_login(cast[who])

    assert client.get(_url(project)).status_code == 403
    restore = reverse(
        "bin_restore", kwargs={"slug": project.slug, "label": "screening.source", "pk": scopus.pk}
    )
    assert client.post(restore).status_code == 403
    assert not Source.objects.filter(pk=scopus.pk).exists()


def test_lead_of_another_project_gets_404_with_items_in_the_bin(client, project, binned):
    scopus, _result = binned
    other = MembershipFactory(project=ProjectFactory(), role="lead")
    client.force_login(other.user)

    assert client.get(_url(project)).status_code == 404
    restore = reverse(
        "bin_restore",
        kwargs={"slug": other.project.slug, "label": "screening.source", "pk": scopus.pk},
    )
    assert client.post(restore).status_code == 404
    assert not Source.objects.filter(pk=scopus.pk).exists()


def test_bin_page_queries_do_not_grow_with_items(
    client, project, topic_area, lead, django_assert_max_num_queries
):
    client.force_login(lead)
    for label in ["A (2010)"]:
        study_services.study_delete(
            study=StudyFactory(topic_area=topic_area, label=label), actor=lead
        )
    with django_assert_max_num_queries(30) as one:
        client.get(_url(project))
    for label in ["B (2011)", "C (2012)"]:
        study_services.study_delete(
            study=StudyFactory(topic_area=topic_area, label=label), actor=lead
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(_url(project)).content.decode()
    assert page.count('data-testid="bin-row"') == 3
