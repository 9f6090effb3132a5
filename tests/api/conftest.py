"""API clients for the fixed cast, each authenticated by a personal token of its own."""

import pytest
from rest_framework.test import APIClient

from reviewapp.api.tokens import api_token_create
from tests.secret_data import secret_review_data


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """The live server, started only once the test database exists (as tests/browser/ does):
    started earlier, its connections outlive the test database and block dropping it."""
    return live_server


def token_client(user) -> APIClient:
    _token, raw = api_token_create(user=user, name="tests") if user is not None else (None, None)
    return raw_token_client(raw)


def raw_token_client(raw: str | None) -> APIClient:
    """A client sending the token `raw` (None: anonymous)."""
    client = APIClient()
    if raw is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def build_tokens(cast) -> dict:
    """role -> a personal token of that role's user ("anonymous": None)."""
    tokens = {role: api_token_create(user=user, name="tests")[1] for role, user in cast.items()}
    return {**tokens, "anonymous": None}


@pytest.fixture
def api(cast):
    """role -> a client authenticated as that role's user ("anonymous": none)."""
    return {role: raw_token_client(raw) for role, raw in build_tokens(cast).items()}


def topic_url(topic_area, rest: str = "") -> str:
    return f"/api/projects/{topic_area.project.slug}/topic-areas/{topic_area.key}/{rest}"


@pytest.fixture
def review_data(topic_area, cast):
    return build_review_data(topic_area, cast)


def build_review_data(topic_area, cast) -> dict:
    """The secret review data (tests/secret_data.py) and a comment by reviewer2."""
    from grading.services.comments import comment_create
    from screening.models import Stage
    from screening.services.bulk import records_bulk_label
    from screening.services.fulltext import fulltext_mark_not_retrievable
    from screening.services.screening import stage_enter_records
    from tests.factories.reviewapp import InvitationFactory

    data = secret_review_data(topic_area, cast["lead"], cast["reviewer2"])
    comment = comment_create(
        project=topic_area.project,
        author=cast["reviewer2"],
        target_kind="study",
        target_id=data["study"].pk,
        body="Secret comment body",
    )
    # A record at the full-text stage, marked not retrievable with a note.
    fulltext_stage = topic_area.stages.get(kind=Stage.Kind.FULLTEXT)
    stage_enter_records(stage=fulltext_stage, record_ids=[data["record_first"].pk])
    fulltext_mark_not_retrievable(
        record=data["record_first"], actor=cast["lead"], note="Secret full-text note"
    )
    # A lead's bulk action at the first stage: a label on the first record.
    bulk = records_bulk_label(
        stage=data["stage"],
        actor=cast["lead"],
        items=data["stage"].items.filter(record=data["record_first"]),
        name="Secret bulk label",
    )
    # A lead's pending invitation (a factory's: no mail, no audit entry).
    invitation = InvitationFactory(
        project=topic_area.project, email="hidden-invitee@example.org", invited_by=cast["lead"]
    )
    return {
        **data,
        "comment": comment,
        "fulltext_stage": fulltext_stage,
        "bulk": bulk,
        "invitation": invitation,
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
    "Secret full-text note",
    "Secret bulk label",
    "hidden-invitee",
]


@pytest.fixture
def keep_the_test_connection():
    """Schemathesis calls the WSGI app itself, not through Django's test client, so Django's
    request signals would close the test's database connection (inside its transaction) after
    every request; the test client disconnects them too."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def lead_token(cast):
    client = token_client(cast["lead"])
    return client._credentials["HTTP_AUTHORIZATION"]
