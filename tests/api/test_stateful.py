"""Stateful Schemathesis: sequences of API calls linked by the schema (a project created, then
its topic areas, categories, studies, results, comments... read back and changed with the
slugs and ids the earlier responses gave). Schemathesis infers the links between operations
from the schema's parameters and response bodies. Every response must be no 500 and inside the
schema, as in tests/api/test_schema.py, whose checks and connection handling this reuses."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings

from grading.models import InterventionCategory
from reviewapp.models import Project, TopicArea
from screening.models import Stage
from tests.api.schema_checks import CHECKS, schema

pytestmark = pytest.mark.django_db

# At least this many links between operations: the schema's response bodies carry the keys
# and ids that later operations take (drops if a resource stops exposing its key).
MINIMUM_LINKS = 200
# Distinct operations that must answer 2xx somewhere in the run (8 to 15 as the schema grew;
# strict bodies make more random calls a 400). A run of 404s alone would prove nothing.
MINIMUM_OPERATIONS_REACHED = 6


def test_the_schema_links_its_operations():
    machine = schema.as_state_machine()
    assert machine is not None
    assert schema.statistic.transitions.total >= MINIMUM_LINKS


def test_linked_call_sequences_stay_inside_the_schema(
    keep_the_test_connection, lead_token, topic_area, review_data
):
    project = topic_area.project
    anchors = {
        "project_slug": (
            lambda p: Project.objects.filter(slug=p["project_slug"]).exists(),
            project.slug,
        ),
        "topic_key": (
            lambda p: TopicArea.objects.filter(
                project__slug=p.get("project_slug"), key=p["topic_key"]
            ).exists(),
            topic_area.key,
        ),
        "stage_id": (
            lambda p: (
                str(p["stage_id"]).isdigit()
                and Stage.objects.filter(pk=int(p["stage_id"])).exists()
            ),
            review_data["stage"].pk,
        ),
        "category_key": (
            lambda p: InterventionCategory.objects.filter(key=p["category_key"]).exists(),
            review_data["category"].key,
        ),
    }
    seen: list[tuple[str, int]] = []
    base = schema.as_state_machine()

    class Workflow(base):
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": lead_token}}

        def setup(self):
            # Each sequence starts from the same data: what one wrote is rolled back, so
            # Hypothesis sees the same responses when it replays a sequence.
            self.sequence = transaction.atomic()
            self.sequence.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.sequence.__exit__(None, None, None)

        def before_call(self, case):
            # A root call's random slug or key would only meet 404; links from earlier
            # responses carry real ones, which are kept.
            parameters = case.path_parameters or {}
            for name, (exists, known) in anchors.items():
                if name in parameters and not exists(parameters):
                    parameters[name] = known

        def after_call(self, response, case):
            seen.append((case.operation.label, response.status_code))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Workflow.run(
        settings=settings(
            max_examples=50,
            stateful_step_count=6,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    # The sequences reached real data: a run that met only 404s would prove nothing.
    succeeded = {label for label, status in seen if 200 <= status < 300}
    assert len(succeeded) >= MINIMUM_OPERATIONS_REACHED, sorted(succeeded)
