"""Grading pages: extraction through the forms, the verdict chain, final levels, query counts."""

import pytest
from django.urls import reverse

from grading.models import Result, Study, Verdict
from grading.services import studies as study_services
from grading.services import verdicts as verdict_services
from screening.models import ScreeningItem
from screening.services.screening import decision_record, stages_set_up
from tests.factories.grading import StudyFactory
from tests.factories.screening import RecordFactory, SourceFactory


@pytest.fixture
def category(topic_area, lead):
    return verdict_services.category_create(
        topic_area=topic_area, actor=lead, key="caseload", title="Reduced caseload"
    )


def _kw(topic_area, **extra):
    return {"slug": topic_area.project.slug, "topic_key": topic_area.key, **extra}


RESULT_POST = {
    "intervention": "Fewer job seekers per caseworker",
    "target_group": "Unemployed in 14 German job centres",
    "effect": "Unemployment 1-2 points lower",
    "direction": "positive",
    "risk_of_bias": "low",
    "transferability": "moderate",
}


def test_a_reviewer_extracts_a_result_and_the_verdict_follows(
    client, reviewer, topic_area, lead, category, django_capture_on_commit_callbacks
):
    study = StudyFactory(topic_area=topic_area, label="Hainmueller et al. (2016)")
    client.force_login(reviewer)
    url = reverse("result_create", kwargs=_kw(topic_area, study_id=study.pk))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**RESULT_POST, "category": category.pk})

    assert response.status_code == 302
    assert Result.objects.get().intervention == "Fewer job seekers per caseworker"
    page = client.get(reverse("verdict", kwargs=_kw(topic_area, category_key="caseload")))
    body = page.content.decode()
    assert 'data-testid="verdict-level">Indication</p>' in body
    assert "Hainmueller et al. (2016)" in body and "Fewer job seekers per caseworker" in body


def test_a_bad_result_names_the_field_and_saves_nothing(
    client, reviewer, topic_area, lead, category
):
    study = StudyFactory(topic_area=topic_area, label="Hainmueller et al. (2016)")
    client.force_login(reviewer)
    response = client.post(
        reverse("result_create", kwargs=_kw(topic_area, study_id=study.pk)),
        {
            **RESULT_POST,
            "category": category.pk,
            "risk_of_bias": "moderate",
            "quality_override": "high",
        },
    )
    assert response.status_code == 400
    assert "A quality other than the default needs a reason." in response.content.decode()
    assert not Result.objects.exists()


def test_the_verdict_page_shows_the_chain_down_to_the_screening_decisions(
    client, peer_reviewer, reviewer, topic_area, lead, category
):
    source = SourceFactory(topic_area=topic_area)
    record = RecordFactory(source=source, title="Lower caseloads")
    stages = stages_set_up(topic_area=topic_area, actor=lead, preset="three")
    for stage in stages:
        decision_record(
            item=ScreeningItem.objects.get(stage=stage, record=record),
            reviewer=reviewer,
            value="include",
        )
    study = study_services.study_create(
        topic_area=topic_area,
        actor=lead,
        records=[record],
        label="Hainmueller et al. (2016)",
        title="Lower caseloads",
        design="matching",
        country="DE",
        peer_reviewed=True,
    )
    study_services.result_save(
        study=study,
        actor=reviewer,
        category=category,
        intervention="Caseload",
        effect="x",
        direction="positive",
        risk_of_bias="low",
        risk_of_bias_justification="Credible matching on rich register data",
    )
    verdict_services.verdict_recompute(category=category)
    client.force_login(peer_reviewer)

    body = client.get(
        reverse("verdict", kwargs=_kw(topic_area, category_key="caseload"))
    ).content.decode()

    assert "Hainmueller et al. (2016)</a>* (DE)" in body
    assert "Credible matching on rich register data" in body
    assert "Fuldtekst: Included · reviewer include" in body
    assert 'data-testid="final-form"' not in body  # peer reviewers read


def test_only_a_lead_sets_the_final_level_and_the_history_shows_it(
    client, lead, reviewer, topic_area, category
):
    verdict = Verdict.objects.get(category=category)
    url = reverse("verdict_final", kwargs=_kw(topic_area, category_key="caseload"))
    form = {"level": "indication", "rationale": "", "version": verdict.version}

    client.force_login(reviewer)
    assert client.post(url, form).status_code == 403
    client.force_login(lead)
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert "A level other than the computed one needs a rationale." in refused.content.decode()

    form["rationale"] = "One careful study; the report would say the same."
    assert client.post(url, form).status_code == 302
    verdict.refresh_from_db()
    assert (verdict.level, verdict.computed_level) == ("indication", "no_knowledge")
    body = client.get(
        reverse("verdict", kwargs=_kw(topic_area, category_key="caseload"))
    ).content.decode()
    assert "Set by a lead; the framework gives Uncertain knowledge." in body
    assert "One careful study" in body
    assert 'data-testid="verdict-history"' in body


def test_a_study_is_extracted_from_an_included_record(client, reviewer, topic_area, lead):
    source = SourceFactory(topic_area=topic_area)
    record = RecordFactory(source=source, title="Job search assistance", year=2017)
    stages = stages_set_up(topic_area=topic_area, actor=lead, preset="two")
    for stage in stages:
        decision_record(
            item=ScreeningItem.objects.get(stage=stage, record=record),
            reviewer=reviewer,
            value="include",
        )
    client.force_login(reviewer)
    listing = client.get(reverse("studies", kwargs=_kw(topic_area))).content.decode()
    assert listing.count('data-testid="awaiting-record"') == 1

    url = reverse("study_create", kwargs=_kw(topic_area)) + f"?record={record.pk}"
    form = client.get(url).context["form"]
    assert form.initial["title"] == "Job search assistance"
    response = client.post(
        url,
        {"record": record.pk, "label": "Cheung et al. (2017)", "title": "Job search assistance",
         "year": 2017, "country": "se", "design": "randomised_cluster"},
    )  # fmt: skip
    study = Study.objects.get()
    assert response["Location"] == study.get_absolute_url()
    assert list(study.records.all()) == [record] and study.country == "SE"
    listing = client.get(reverse("studies", kwargs=_kw(topic_area))).content.decode()
    assert 'data-testid="awaiting-record"' not in listing


@pytest.mark.parametrize("count", [1, 3])
def test_evidence_and_studies_pages_use_a_fixed_number_of_queries(
    client, lead, topic_area, django_assert_num_queries, count
):
    for i in range(count):
        category = verdict_services.category_create(
            topic_area=topic_area, actor=lead, key=f"c{i}", title=f"Category {i}"
        )
        study_services.result_save(
            study=StudyFactory(topic_area=topic_area, label=f"S{i} (2010)"),
            actor=lead,
            category=category,
            intervention="x",
            effect="y",
            direction="positive",
            risk_of_bias="low",
        )
    client.force_login(lead)
    # session, user, project with the role, topic area, categories with verdicts
    with django_assert_num_queries(5):
        body = client.get(reverse("evidence", kwargs=_kw(topic_area))).content.decode()
    assert body.count('data-testid="category-row"') == count
    # ... studies with counts, their results (prefetched), the last stage (none here),
    # whether the project uses dual extraction
    with django_assert_num_queries(8):
        body = client.get(reverse("studies", kwargs=_kw(topic_area))).content.decode()
    assert body.count('data-testid="study-row"') == count
