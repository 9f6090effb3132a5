"""API clients for the fixed cast, each authenticated by a personal token of its own."""

import pytest
from rest_framework.test import APIClient

from reviewapp.api.tokens import api_token_create


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """The live server, started only once the test database exists (as tests/browser/ does):
    started earlier, its connections outlive the test database and block dropping it."""
    return live_server


def token_client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        _token, raw = api_token_create(user=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def api(cast):
    """role -> a client authenticated as that role's user ("anonymous": none)."""
    clients = {role: token_client(user) for role, user in cast.items()}
    clients["anonymous"] = token_client(None)
    return clients


def topic_url(topic_area, rest: str = "") -> str:
    return f"/api/projects/{topic_area.project.slug}/topic-areas/{topic_area.key}/{rest}"


@pytest.fixture
def review_data(topic_area, cast):
    """Something of everything, with secrets in it: an import waiting for its CSV mapping,
    three records (one merged), a pending pair, three stages with a reviewer's decision, a
    category with a study and a result, an extraction field."""
    from django.core.files.base import ContentFile

    from grading import services as grading_services
    from screening import services
    from screening.models import DuplicatePair, ImportJob, Record, Source

    lead, reviewer2 = cast["lead"], cast["reviewer2"]
    job = ImportJob(
        topic_area=topic_area,
        original_name="hidden-export.csv",
        source_name="Secret DB",
        status=ImportJob.Status.NEEDS_MAPPING,
        detected_format="csv",
        created_by=lead,
    )
    job.upload.save("hidden-export.csv", ContentFile(b"Heading A,Heading B\nx,y\n"), save=False)
    job.save()
    source = Source.objects.create(topic_area=topic_area, name="Secret DB")
    first, second, third = (
        Record.objects.create(
            topic_area=topic_area, source=source, position=i, title=f"Confidential record title {i}"
        )
        for i in (1, 2, 3)
    )
    Record.objects.filter(pk=third.pk).update(canonical=first)
    pair = DuplicatePair.objects.create(
        topic_area=topic_area, record_a=first, record_b=second, score=0.8
    )
    stage = services.stages_set_up(topic_area=topic_area, actor=lead, preset="three")[0]
    decision = services.decision_record(
        item=stage.items.get(record=first),
        reviewer=reviewer2,
        value="include",
        note="Secret decision note",
    )
    category = grading_services.category_create(
        topic_area=topic_area, actor=lead, key="hidden-category", title="Hidden category"
    )
    study = grading_services.study_create(
        topic_area=topic_area,
        actor=lead,
        label="Secret et al. (2016)",
        title="Confidential study",
        design="matching",
    )
    result = grading_services.result_save(
        study=study,
        actor=lead,
        category=category,
        intervention="Secret intervention",
        effect="Secret effect",
        direction="positive",
        risk_of_bias="low",
    )
    field = grading_services.extraction_field_create(
        project=topic_area.project, actor=lead, key="secret", label="Hidden field", kind="text"
    )
    from grading.services_report import comment_create

    comment = comment_create(
        project=topic_area.project,
        author=reviewer2,
        target_kind="study",
        target_id=study.pk,
        body="Secret comment body",
    )
    return {
        "comment": comment,
        "job": job,
        "source": source,
        "record": third,
        "record_first": first,
        "pair": pair,
        "stage": stage,
        "item": stage.items.get(record=second),
        "decision": decision,
        "category": category,
        "study": study,
        "result": result,
        "extraction_field": field,
    }


# What a denied response must never show.
SECRETS = [
    "Secret review of caseloads",
    "Hidden caseload topic",
    "reviewer2",
    "Confidential record title",
    "hidden-export.csv",
    "Secret decision note",
    "Secret intervention",
    "Hidden category",
    "Hidden field",
    "Confidential study",
    "Secret comment body",
]
