"""The project's own extraction fields: rendered after the built-in ones, stored per
result, and never lost when the form changes."""

import pytest
from django.urls import reverse

from grading.models import Result
from grading.services import studies as study_services
from tests.factories.grading import StudyFactory

POST = {
    "intervention": "Fewer job seekers per caseworker",
    "effect": "Shorter unemployment",
    "direction": "positive",
    "risk_of_bias": "low",
}


@pytest.fixture
def setup(topic_area, lead, category):
    study = StudyFactory(topic_area=topic_area, label="Koning (2009)", title="PES", design="other")
    project = topic_area.project
    fields = {
        "months": study_services.extraction_field_create(
            project=project, actor=lead, key="months", label="Follow-up (months)", kind="number",
            required=True,
        ),
        "setting": study_services.extraction_field_create(
            project=project, actor=lead, key="setting", label="Setting", kind="choice",
            choices=["Job centre", "Municipality"],
        ),
        "outcomes": study_services.extraction_field_create(
            project=project, actor=lead, key="outcomes", label="Outcomes", kind="multiple_choice",
            choices=["Employment", "Education", "Earnings"],
        ),
        "pilot": study_services.extraction_field_create(
            project=project, actor=lead, key="pilot", label="A pilot?", kind="yes_no"
        ),
    }  # fmt: skip
    return category, study, fields


def _url(name, topic_area, **kwargs):
    return reverse(
        name, kwargs={"slug": topic_area.project.slug, "topic_key": topic_area.key, **kwargs}
    )


def test_project_fields_are_on_the_form_and_stored_with_the_result(
    client, reviewer, topic_area, setup
):
    category, study, _fields = setup
    client.force_login(reviewer)
    page = client.get(_url("study_detail", topic_area, study_id=study.pk)).content.decode()
    assert "Follow-up (months)" in page and "Municipality" in page

    response = client.post(
        _url("result_create", topic_area, study_id=study.pk),
        {**POST, "category": category.pk, "x_months": "18", "x_setting": "Job centre",
         "x_outcomes": ["Employment", "Earnings"], "x_pilot": "True"},
    )  # fmt: skip

    assert response.status_code == 302
    assert Result.objects.get().extra == {
        "months": 18.0,
        "setting": "Job centre",
        "outcomes": ["Employment", "Earnings"],
        "pilot": True,
    }
    page = client.get(_url("study_detail", topic_area, study_id=study.pk)).content.decode()
    assert "Follow-up (months):</strong> 18.0" in page
    assert "Outcomes:</strong> Employment, Earnings" in page
    assert "A pilot?:</strong> Yes" in page


def test_required_and_choice_fields_are_checked(client, reviewer, topic_area, setup):
    category, study, _fields = setup
    client.force_login(reviewer)
    response = client.post(
        _url("result_create", topic_area, study_id=study.pk),
        {**POST, "category": category.pk, "x_setting": "The moon"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in body
    assert "Select a valid choice. The moon is not one of the available choices." in body
    assert not Result.objects.exists()


def test_switching_a_field_off_keeps_its_values(client, lead, reviewer, topic_area, setup):
    category, study, fields = setup
    result = study_services.result_save(
        study=study, actor=reviewer, category=category, **POST,
        extra={"months": 18.0, "setting": "Municipality"},
    )  # fmt: skip
    client.force_login(lead)
    client.post(
        reverse(
            "extraction_field_toggle",
            kwargs={"slug": topic_area.project.slug, "field_id": fields["setting"].pk},
        )
    )
    fields["setting"].refresh_from_db()
    assert not fields["setting"].active

    # The edit form no longer shows the field; saving it keeps the value.
    edit = _url("result_edit", topic_area, study_id=study.pk, result_id=result.pk)
    assert "x_setting" not in client.get(edit).context["form"].fields
    client.post(
        edit, {**POST, "category": category.pk, "x_months": "24", "version": result.version}
    )
    result.refresh_from_db()
    assert result.extra == {
        "months": 24.0,
        "setting": "Municipality",
        "outcomes": [],
        "pilot": None,
    }


def test_a_choice_field_needs_choices_and_keys_are_unique(topic_area, lead, setup):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="needs its choices"):
        study_services.extraction_field_create(
            project=topic_area.project, actor=lead, key="x", label="X", kind="choice"
        )
    with pytest.raises(ValidationError):
        study_services.extraction_field_create(
            project=topic_area.project, actor=lead, key="months", label="Again", kind="text"
        )


def test_the_form_builder_page_lists_fields_for_everyone_and_edits_for_leads(
    client, lead, peer_reviewer, topic_area, setup
):
    url = reverse("extraction_form", kwargs={"slug": topic_area.project.slug})
    client.force_login(peer_reviewer)
    body = client.get(url).content.decode()
    assert body.count('data-testid="extraction-field"') == 4
    assert 'data-testid="extraction-field-form"' not in body
    client.force_login(lead)
    response = client.post(
        reverse("extraction_field_create", kwargs={"slug": topic_area.project.slug}),
        {"label": "Country group", "key": "country-group", "kind": "text"},
    )
    assert response.status_code == 302
    assert client.get(url).content.decode().count('data-testid="extraction-field"') == 5
