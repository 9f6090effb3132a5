"""The weighted mode's per-result factors in the application: the result form asks for them
when the project grades with the weighted framework (and only then), they feed the verdict,
and the verdict page's trace shows each result's factors and weight."""

from decimal import Decimal

import pytest
from django.urls import reverse

from grading.forms.studies import ResultForm
from grading.models import Result, Verdict
from grading.services import studies as study_services
from tests.factories.grading import StudyFactory

RESULT_POST = {
    "intervention": "Fewer job seekers per caseworker",
    "effect": "Unemployment 1-2 points lower",
    "direction": "positive",
    "risk_of_bias": "moderate",
}


@pytest.fixture
def weighted(topic_area):
    project = topic_area.project
    project.evidence_framework = "danish_weighted"
    project.save(update_fields=["evidence_framework"])
    return topic_area


@pytest.fixture
def study(topic_area):
    # Econometric, Danish, not in a journal: the jobeffekter.dk worked example's study.
    return StudyFactory(
        topic_area=topic_area,
        label="Rosholm et al. (2017)",
        title="Caseloads",
        design="difference_in_differences",
        country="DK",
        peer_reviewed=False,
    )


def _kw(topic_area, **extra):
    return {"slug": topic_area.project.slug, "topic_key": topic_area.key, **extra}


def test_result_form_asks_for_the_factors_only_in_the_weighted_mode(topic_area, weighted):
    form = ResultForm(topic_area=weighted)
    assert {"quality_assessment", "combination", "target_share"} <= set(form.fields)
    assert form.fields["combination"].initial == "none"

    topic_area.project.evidence_framework = "danish_count"
    assert not {"quality_assessment", "combination", "target_share"} & set(
        ResultForm(topic_area=topic_area).fields
    )


def test_a_reviewer_enters_the_factors_and_the_trace_shows_the_worked_example(
    client, reviewer, weighted, category, study, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    url = reverse("result_create", kwargs=_kw(weighted, study_id=study.pk))
    post = {
        **RESULT_POST,
        "category": category.pk,
        "quality_assessment": "satisfactory",
        "combination": "none",
        "target_share": "main",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, post)

    assert response.status_code == 302
    result = Result.objects.get()
    assert (result.quality_assessment, result.combination, result.target_share) == (
        "satisfactory",
        "none",
        "main",
    )
    trace = Verdict.objects.get(category=category).trace["trace"]
    # 0.5 x 0.8 x 1 x 0.5 x 1 x 1 = 0.20: below 1, "few studies".
    assert trace["results"][0]["weight"] == 0.2
    assert trace["few_studies"] is True
    body = client.get(reverse("verdict", kwargs=_kw(weighted, category_key="caseload")))
    body = body.content.decode()
    row = body.split('data-testid="weighted-row"')[1].split("</tr>")[0]
    assert "Rosholm et al. (2017)" in row
    for shown in ("0.5", "satisfactory", "0.8", "econometric (difference_in_differences)"):
        assert shown in row
    assert "not published in a journal" in row and "<strong>0.2</strong>" in row
    assert '<th scope="col">Combination</th>' in body


def test_changing_a_factor_recomputes_the_verdict(
    reviewer, weighted, category, study, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = study_services.result_save(
            study=study,
            actor=reviewer,
            category=category,
            quality_assessment="good",
            **RESULT_POST,
        )
    before = Verdict.objects.get(category=category)
    assert before.trace["trace"]["total_weight"] == 0.4  # 1 x 0.8 x 1 x 0.5

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        study_services.result_save(
            study=study, actor=reviewer, result=result, target_share="subgroup"
        )

    assert len(callbacks) == 1
    after = Verdict.objects.get(category=category)
    assert after.inputs_hash != before.inputs_hash
    assert after.trace["trace"]["total_weight"] == 0.2
    factors = {f["name"]: f for f in after.trace["trace"]["results"][0]["factors"]}
    assert factors["target_share"] == {"name": "target_share", "value": 0.5, "basis": "subgroup"}


def test_an_empty_quality_assessment_is_derived_and_the_trace_says_so(
    reviewer, weighted, category, study, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        study_services.result_save(study=study, actor=reviewer, category=category, **RESULT_POST)

    factors = Verdict.objects.get(category=category).trace["trace"]["results"][0]["factors"]
    assert factors[0]["basis"] == "satisfactory (derived from limited quality)"


def test_saving_the_result_form_in_count_mode_keeps_the_factors(
    client, reviewer, topic_area, category, study
):
    result = study_services.result_save(
        study=study,
        actor=reviewer,
        category=category,
        combination="both",
        **RESULT_POST,
    )
    client.force_login(reviewer)
    url = reverse("result_edit", kwargs=_kw(topic_area, study_id=study.pk, result_id=result.pk))

    response = client.post(url, {**RESULT_POST, "category": category.pk, "version": 1})

    assert response.status_code == 302
    assert Result.objects.get(pk=result.pk).combination == "both"


def test_the_weighted_result_form_rejects_an_unknown_factor(
    client, reviewer, weighted, category, study
):
    client.force_login(reviewer)
    url = reverse("result_create", kwargs=_kw(weighted, study_id=study.pk))

    response = client.post(url, {**RESULT_POST, "category": category.pk, "combination": "all"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Result.objects.exists()
    assert Decimal("0.2") == Decimal("0.5") * Decimal("0.8") * Decimal("0.5")
