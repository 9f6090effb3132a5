"""Snowballing: the references of an included record become a source, de-duplicated against
the topic area, screened from the first stage, and counted as "other methods"."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from screening import queries
from screening.models import ImportJob, Record, ScreeningItem, Source
from screening.services.screening import decision_record, stages_set_up
from screening.services.snowballing import snowball_references_add
from tests.factories.screening import RecordFactory, SourceFactory

REFERENCES_RIS = """TY  - JOUR
TI  - Sanctions and the exit from unemployment
AU  - Svarer, Michael
PY  - 2011
T2  - Economica
ER  -

TY  - JOUR
TI  - Database record already there
AU  - Hainmueller, Jens
PY  - 2016
T2  - Journal of Public Economics
VL  - 141
SP  - 1
EP  - 20
DO  - 10.1000/already
ER  -
"""


@pytest.fixture
def included(topic_area, lead, reviewer):
    """A record included through all three stages, and one excluded at the title stage."""
    source = SourceFactory(topic_area=topic_area)
    parent = RecordFactory(source=source, title="Caseworker caseloads and unemployment")
    RecordFactory(
        source=source,
        title="Database record already there",
        doi="10.1000/already",
        volume="141",
        pages="1-20",
    )
    excluded = RecordFactory(source=source, title="Off-topic record")
    stages = stages_set_up(topic_area=topic_area, actor=lead, preset="three")
    decision_record(
        item=ScreeningItem.objects.get(stage=stages[0], record=excluded),
        reviewer=reviewer,
        value="exclude",
    )
    for stage in stages:
        decision_record(
            item=ScreeningItem.objects.get(stage=stage, record=parent),
            reviewer=reviewer,
            value="include",
        )
    return parent, excluded, stages


def _snowball(record, reviewer, captured, **ways):
    with captured(execute=True):
        job = snowball_references_add(record=record, actor=reviewer, **ways)
    job.refresh_from_db()
    return job


def test_pasted_references_become_a_snowballing_source_deduplicated_and_queued(
    included, reviewer, django_capture_on_commit_callbacks
):
    parent, _excluded, stages = included

    job = _snowball(parent, reviewer, django_capture_on_commit_callbacks, text=REFERENCES_RIS)

    assert job.status == ImportJob.Status.DONE, job.error
    source = Source.objects.get(kind=Source.Kind.SNOWBALLING)
    assert source.parent_record == parent
    assert source.name == f"Snowballing: {parent.citation}"
    assert (job.summary["records"], job.summary["duplicates_existing"]) == (2, 1)
    new = Record.objects.get(title="Sanctions and the exit from unemployment")
    assert ScreeningItem.objects.filter(stage=stages[0], record=new, status="pending").exists()
    duplicate = Record.objects.get(source=source, title="Database record already there")
    assert duplicate.canonical is not None
    assert not ScreeningItem.objects.filter(record=duplicate).exists()

    counts, _undecided = queries.topic_area_flow(parent.topic_area)
    assert [(s.kind, s.count.value) for s in counts.sources][-1] == ("snowballing", 2)


def test_one_typed_reference_takes_the_same_path(
    included, reviewer, django_capture_on_commit_callbacks
):
    parent, _excluded, _stages = included
    reference = {
        "title": "Intensive coaching of new immigrants",
        "authors": ["Joona, Pernilla", "Nekby, Lena"],
        "year": 2012,
        "journal": "Scandinavian Journal of Economics",
        "doi": "https://doi.org/10.1111/J.1467-9442.2012.01713.X",
    }

    job = _snowball(parent, reviewer, django_capture_on_commit_callbacks, reference=reference)

    record = Record.objects.get(source=job.source)
    assert (record.title, record.authors, record.year) == (
        "Intensive coaching of new immigrants",
        ["Joona, Pernilla", "Nekby, Lena"],
        2012,
    )
    assert record.doi == "10.1111/j.1467-9442.2012.01713.x"


def test_only_a_finally_included_record_gets_references(included, reviewer):
    _parent, excluded, _stages = included
    with pytest.raises(ValidationError, match="included at the last stage"):
        snowball_references_add(record=excluded, actor=reviewer, text=REFERENCES_RIS)
    assert not Source.objects.filter(kind=Source.Kind.SNOWBALLING).exists()


def test_exactly_one_way_of_giving_references(included, reviewer):
    parent, _excluded, _stages = included
    with pytest.raises(ValidationError, match="one of the three"):
        snowball_references_add(record=parent, actor=reviewer)
    with pytest.raises(ValidationError, match="one of the three"):
        snowball_references_add(
            record=parent, actor=reviewer, text=REFERENCES_RIS, reference={"title": "x"}
        )


def _url(record):
    return reverse(
        "snowball",
        kwargs={
            "slug": record.topic_area.project.slug,
            "topic_key": record.topic_area.key,
            "record_id": record.pk,
        },
    )


def test_snowball_page_uploads_a_file_and_shows_the_import(
    client, included, reviewer, django_capture_on_commit_callbacks
):
    parent, _excluded, _stages = included
    client.force_login(reviewer)
    page = client.get(_url(parent)).content.decode()
    assert "Caseworker caseloads and unemployment" in page and 'data-testid="snowball-form"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(parent), {"upload": SimpleUploadedFile("refs.ris", REFERENCES_RIS.encode())}
        )

    job = ImportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert client.get(_url(parent)).content.decode().count('data-testid="snowball-source"') == 1


def test_snowball_page_names_the_problem_and_keeps_nothing(client, included, reviewer):
    parent, excluded, _stages = included
    client.force_login(reviewer)

    response = client.post(_url(parent), {"authors": "Svarer, Michael"})
    assert response.status_code == 400
    assert "A typed reference needs its title." in response.content.decode()

    response = client.post(_url(excluded), {"text": REFERENCES_RIS})
    assert response.status_code == 400
    assert "is not included at the last stage yet" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_included_records_link_to_snowballing_for_reviewers_not_peers(
    client, included, reviewer, peer_reviewer
):
    parent, _excluded, stages = included
    url = reverse(
        "stage_records",
        kwargs={
            "slug": parent.topic_area.project.slug,
            "topic_key": parent.topic_area.key,
            "stage_id": stages[2].pk,
        },
    )
    client.force_login(reviewer)
    assert client.get(url).content.decode().count('data-testid="snowball-link"') == 1
    client.force_login(peer_reviewer)
    assert 'data-testid="snowball-link"' not in client.get(url).content.decode()
    assert client.post(_url(parent), {"text": REFERENCES_RIS}).status_code == 403
