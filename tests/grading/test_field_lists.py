"""Which fields a form, a service and a serializer accept: one list per model, beside the
service (grading.services.*), that the form and the API's serializer are built from."""

import inspect

from grading.api.serializers import ExtractionFieldSerializer, ResultSerializer, StudySerializer
from grading.forms.grade import GradeAssessmentForm
from grading.forms.studies import ExtractionFieldForm, ResultForm, StudyForm
from grading.frameworks import grade
from grading.services import grade as grade_services
from grading.services.studies import EXTRACTION_FIELD_FIELDS, RESULT_FIELDS, STUDY_FIELDS

# What a serializer takes beyond the model's own list: the optimistic lock, and the
# relations set when the object is created.
NOT_FIELDS = {"version", "records", "study"}


def _writable(serializer) -> list[str]:
    return [
        name
        for name, field in serializer.fields.items()
        if not field.read_only and name not in NOT_FIELDS
    ]


def test_study_form_and_serializer_take_the_study_fields():
    assert list(StudyForm.Meta.fields) == STUDY_FIELDS
    assert [name for name in StudyForm.base_fields if name != "version"] == STUDY_FIELDS
    assert _writable(StudySerializer()) == STUDY_FIELDS


def test_result_form_and_serializer_take_the_result_fields():
    # The project's own fields come in `extra`: the form adds one field each (x_<key>).
    assert list(ResultForm.Meta.fields) == [name for name in RESULT_FIELDS if name != "extra"]
    assert sorted(_writable(ResultSerializer())) == sorted(RESULT_FIELDS)


def test_grade_form_and_service_take_the_figure_fields():
    form = GradeAssessmentForm(domains=grade.DOMAINS, language="en")
    domain_fields = {d.id for d in grade.DOMAINS} | {f"reason_{d.id}" for d in grade.DOMAINS}
    assert [n for n in form.fields if n not in domain_fields | {"version"}] == (
        grade_services.FIGURE_FIELDS
    )
    signature = inspect.signature(grade_services.grade_assessment_save).parameters
    assert [n for n in signature if n in grade_services.FIGURE_FIELDS] == (
        grade_services.FIGURE_FIELDS
    )


def test_extraction_field_form_and_serializer_take_the_extraction_field_fields():
    assert _writable(ExtractionFieldSerializer()) == EXTRACTION_FIELD_FIELDS
    # The form creates a field, which starts switched on: everything but `active` (in the
    # order a lead fills them in).
    assert sorted(ExtractionFieldForm.base_fields) == sorted(
        name for name in EXTRACTION_FIELD_FIELDS if name != "active"
    )
