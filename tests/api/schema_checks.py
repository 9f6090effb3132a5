"""The OpenAPI schema as Schemathesis loads it through the WSGI app, and the checks every
response must pass; shared by the per-operation and the stateful runs."""

import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from reviewapp.wsgi import application

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


# Loaded when the module is collected: the schema view reads no data.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
# The coverage phase sends several hundred boundary cases per operation (five minutes for
# the whole API on two cores); fuzzing with a fixed number of examples keeps the run short.
schema.config.phases.coverage.enabled = False
