"""Which fields a form, a service and a serializer accept: one list per model, beside the
service (reviewapp.services), that the form and the API's serializer are built from."""

from reviewapp.api.serializers import ProjectSerializer, TopicAreaSerializer
from reviewapp.forms import ProjectForm, TopicAreaForm
from reviewapp.services import PROJECT_FIELDS, TOPIC_AREA_FIELDS


def _writable(serializer) -> set[str]:
    return {name for name, field in serializer.fields.items() if not field.read_only} - {"version"}


def test_project_form_and_serializer_take_the_project_fields():
    assert ProjectForm.Meta.fields == PROJECT_FIELDS
    assert _writable(ProjectSerializer()) == set(PROJECT_FIELDS)


def test_topic_area_form_and_serializer_take_the_topic_area_fields():
    assert TopicAreaForm.Meta.fields == TOPIC_AREA_FIELDS
    assert _writable(TopicAreaSerializer()) == set(TOPIC_AREA_FIELDS)
