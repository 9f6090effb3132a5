"""Schemathesis against the API's own OpenAPI schema, through the WSGI app, authenticated as
a project lead with data present: no request may end in a 500, and every response must
match the schema (status code, content type, body, headers). A fixed number of examples per
operation, derandomised, so a run is repeatable and short."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from reviewapp.wsgi import application
from tests.api.conftest import token_client

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
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


# Loaded when the module is collected: the schema view reads no data.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
# The coverage phase sends several hundred boundary cases per operation (five minutes for
# the whole API on two cores); fuzzing with a fixed number of examples keeps the run short.
schema.config.phases.coverage.enabled = False


@schema.parametrize()
@settings(
    max_examples=10,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(
    case, keep_the_test_connection, lead_token, topic_area, review_data
):
    # Random slugs and ids would only ever meet 404: point them at the data present.
    known = {
        "project_slug": topic_area.project.slug,
        "topic_key": topic_area.key,
        "stage_id": review_data["stage"].pk,
        "category_key": review_data["category"].key,
    }
    for name, value in known.items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = value
    case.call_and_validate(headers={"Authorization": lead_token}, checks=CHECKS)
