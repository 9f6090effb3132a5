"""Schemathesis against the API's own OpenAPI schema, through the WSGI app, authenticated as
a project lead with data present: no request may end in a 500, and every response must
match the schema (status code, content type, body, headers). A fixed number of examples per
operation, derandomised, so a run is repeatable and short."""

from hypothesis import HealthCheck, settings

from tests.api.schema_checks import CHECKS, schema


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
