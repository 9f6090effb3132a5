"""GRADE in the application: a lead's judgements per category feed the framework (through the
recompute), the GRADE page, the verdict's trace, and the topic area's Summary of Findings."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grading.models import GradeAssessment, Verdict
from grading.services import grade as grade_services
from grading.services import studies as study_services
from grading.services import verdicts as verdict_services
from reviewapp.models import AuditEntry
from reviewapp.versioning import EditConflict
from tests.factories.grading import InterventionCategoryFactory, ResultFactory

RESULT = {
    "intervention": "Fewer job seekers per caseworker",
    "effect": "Unemployment lower",
    "direction": "positive",
    "risk_of_bias": "moderate",
}
DOWN = ["risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias"]
UP = ["large_effect", "dose_response", "plausible_confounding"]


@pytest.fixture
def grade_project(topic_area):
    project = topic_area.project
    project.evidence_framework = "grade"
    project.save(update_fields=["evidence_framework"])
    return project


@pytest.fixture
def category(grade_project, category):
    """The category with two observational results (start: low), its verdict up to date."""
    for label, participants in [
        ("Hainmueller et al. (2016)", 1200),
        ("Behncke et al. (2010)", 800),
    ]:
        ResultFactory(
            category=category,
            study__label=label,
            study__design="matching",
            participants=participants,
            **RESULT,
        )
    verdict_services.verdict_recompute(category=category)
    return category


def _save(category, actor, steps=None, reasons=None, expected_version=0, **fields):
    return grade_services.grade_assessment_save(
        category=category,
        actor=actor,
        expected_version=expected_version,
        steps=steps or {},
        reasons=reasons or {},
        **fields,
    )


def test_grade_assessment_save_feeds_the_verdict_after_commit(
    category, lead, django_capture_on_commit_callbacks
):
    assert Verdict.objects.get(category=category).computed_level == "low"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assessment = _save(
            category,
            lead,
            steps={"large_effect": 1},
            reasons={"large_effect": "Unemployment halved", "imprecision": "ignored"},
        )

    assert len(callbacks) == 1
    verdict = Verdict.objects.get(category=category)
    assert verdict.computed_level == "moderate"  # low 2, +1
    ratings = verdict.trace["trace"]["ratings"]
    assert [(r["domain"], r["change"], r["footnote"]) for r in ratings] == [
        ("large_effect", 1, "Unemployment halved")
    ]
    # Only the reasons of domains that move the level are kept.
    assert assessment.reasons == {"large_effect": "Unemployment halved"}
    assert AuditEntry.objects.filter(action="grade_assessment.create").count() == 1


def test_grade_rating_down_clamps_at_very_low(category, lead, django_capture_on_commit_callbacks):
    reasons = {"risk_of_bias": "Selection into caseloads", "imprecision": "Wide intervals"}
    with django_capture_on_commit_callbacks(execute=True):
        _save(category, lead, steps={"risk_of_bias": 2, "imprecision": 2}, reasons=reasons)

    verdict = Verdict.objects.get(category=category)
    assert (verdict.computed_level, verdict.trace["trace"]["score"]) == ("very_low", -2)


def test_grade_assessment_save_names_each_domain_without_its_reason(category, lead):
    with pytest.raises(ValidationError) as error:
        _save(
            category,
            lead,
            steps={"inconsistency": 1, "risk_of_bias": 1},
            reasons={"risk_of_bias": "Self-selection"},
        )
    assert set(error.value.message_dict) == {"reason_inconsistency"}
    assert not GradeAssessment.objects.exists()


@pytest.mark.parametrize(
    ("steps", "field"),
    [({"imprecision": 4}, "imprecision"), ({"risk_of_bias": 3}, "risk_of_bias")],
)
def test_grade_assessment_save_refuses_steps_beyond_the_domain(category, lead, steps, field):
    with pytest.raises(ValidationError) as error:
        _save(category, lead, steps=steps, reasons=dict.fromkeys(steps, "Why"))
    assert field in error.value.message_dict


def test_grade_assessment_save_refuses_rating_up_randomised_evidence(category, lead):
    with pytest.raises(ValidationError) as error:
        _save(
            category,
            lead,
            steps={"dose_response": 1},
            reasons={"dose_response": "More meetings, more jobs"},
            evidence="randomised",
        )
    assert "large_effect" in error.value.message_dict


def test_grade_upgrades_lapse_when_the_evidence_becomes_randomised(
    category, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _save(category, lead, steps={"large_effect": 1}, reasons={"large_effect": "Halved"})
    with django_capture_on_commit_callbacks(execute=True):
        for result in category.results.select_related("study"):
            study = result.study
            study_services.study_update(
                study=study,
                actor=lead,
                expected_version=study.version,
                design="randomised_individual",
            )

    verdict = Verdict.objects.get(category=category)
    assert verdict.computed_level == "high"  # randomised start high; the +1 no longer applies
    assert verdict.trace["trace"]["ratings"] == []


def test_grade_assessment_save_only_a_lead(category, reviewer, peer_reviewer):
    for actor in (reviewer, peer_reviewer):
        with pytest.raises(PermissionDenied):
            _save(category, actor)
    assert not GradeAssessment.objects.exists()


def test_grade_assessment_save_a_stale_version_raises_edit_conflict(category, lead):
    _save(category, lead)
    with pytest.raises(EditConflict):
        _save(category, lead, expected_version=0)
    assert _save(category, lead, expected_version=1).version == 2


def test_grade_assessment_save_refuses_an_ungraded_category(grade_project, topic_area, lead):
    other = verdict_services.category_create(
        topic_area=topic_area, actor=lead, key="other", title="Other studies", graded=False
    )
    with pytest.raises(ValidationError):
        _save(other, lead)


# The pages


def _kw(topic_area, **extra):
    return {"slug": topic_area.project.slug, "topic_key": topic_area.key, **extra}


def _form(**changes):
    data = {"version": 0, **dict.fromkeys(DOWN + UP, 0)}
    return data | changes


def test_grade_page_a_lead_saves_and_the_verdict_shows_the_rating(
    client, lead, topic_area, category, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    url = reverse("grade_assessment", kwargs=_kw(topic_area, category_key=category.key))
    assert 'data-testid="grade-form"' in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            _form(
                risk_of_bias=1,
                reason_risk_of_bias="Caseloads chosen by the job centres",
                outcome="Unemployment after 12 months",
            ),
        )

    assert response.status_code == 302
    verdict_page = client.get(response["Location"]).content.decode()
    assert 'data-testid="verdict-level">Very low</p>' in verdict_page
    trace = verdict_page.split('data-testid="grade-trace"')[1].split("</div>")[0]
    assert "Starting level: Low (observational studies start low)" in trace
    assert "Risk of bias: -1 – Caseloads chosen by the job centres" in trace


def test_grade_page_a_missing_reason_names_the_domain(client, lead, topic_area, category):
    client.force_login(lead)
    url = reverse("grade_assessment", kwargs=_kw(topic_area, category_key=category.key))

    response = client.post(url, _form(imprecision=1))

    assert response.status_code == 400
    body = response.content.decode()
    assert "A rating down or up needs its reason." in body
    assert 'id="error_1_id_reason_imprecision"' in body
    assert not GradeAssessment.objects.exists()


def test_grade_page_is_read_only_for_reviewers(client, lead, reviewer, topic_area, category):
    _save(category, lead, steps={"indirectness": 1}, reasons={"indirectness": "US job centres"})
    client.force_login(reviewer)
    url = reverse("grade_assessment", kwargs=_kw(topic_area, category_key=category.key))

    body = client.get(url).content.decode()

    assert 'data-testid="grade-form"' not in body
    judgements = body.split('data-testid="grade-judgements"')[1].split("</dl>")[0]
    assert "Indirectness" in judgements and "−1 – US job centres" in judgements
    assert client.post(url, _form()).status_code == 403


def test_summary_of_findings_lists_outcomes_with_certainty_and_footnotes(
    client, lead, peer_reviewer, topic_area, category, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _save(
            category,
            lead,
            steps={"risk_of_bias": 1, "large_effect": 1},
            reasons={"risk_of_bias": "Self-selection", "large_effect": "Unemployment halved"},
            outcome="Unemployment after 12 months",
            relative_effect="RR 0.45 (0.30 to 0.70)",
            comments="Two German studies",
        )
    client.force_login(peer_reviewer)

    body = client.get(reverse("summary_of_findings", kwargs=_kw(topic_area))).content.decode()

    assert '<th scope="col">Certainty of the evidence (GRADE)</th>' in body
    row = body.split('data-testid="sof-row"')[1].split("</tr>")[0]
    assert "Unemployment after 12 months" in row
    assert "RR 0.45 (0.30 to 0.70)" in row
    assert "<td>2,000 (2)</td>" in row
    assert "⊕⊕◯◯ Low a,b" in row  # low 2, -1, +1
    assert "Two German studies" in row
    footnotes = body.split('data-testid="sof-footnotes"')[1].split("</ol>")[0]
    assert "<sup>a</sup> Risk of bias: Self-selection" in footnotes
    assert "<sup>b</sup> Large effect: Unemployment halved" in footnotes


def test_summary_of_findings_shows_a_leads_final_level_and_why(client, lead, topic_area, category):
    verdict = Verdict.objects.get(category=category)
    verdict_services.verdict_set_final(
        verdict=verdict,
        actor=lead,
        level="moderate",
        rationale="Borderline concerns only",
        expected_version=verdict.version,
    )
    client.force_login(lead)

    body = client.get(reverse("summary_of_findings", kwargs=_kw(topic_area))).content.decode()

    assert "⊕⊕⊕◯ Moderate a" in body
    assert "Certainty set by a lead: Borderline concerns only" in body
    # No GRADE judgements yet: the category's title is the outcome.
    assert "Reduced caseload</a>" in body


def test_summary_of_findings_without_grade_says_so(client, reviewer, topic_area):
    client.force_login(reviewer)
    body = client.get(reverse("summary_of_findings", kwargs=_kw(topic_area))).content.decode()
    assert 'data-testid="sof-not-used"' in body and 'data-testid="sof-table"' not in body


def test_summary_of_findings_costs_the_same_queries_for_one_and_three_outcomes(
    client, lead, topic_area, category, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    url = reverse("summary_of_findings", kwargs=_kw(topic_area))

    def count():
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return len(queries)

    one = count()
    with django_capture_on_commit_callbacks(execute=True):
        for key in ("meetings", "assignment"):
            other = InterventionCategoryFactory(topic_area=topic_area, key=key, title=key.title())
            ResultFactory(
                category=other, study__label=f"{key} (2019)", study__design="matching", **RESULT
            )
            _save(other, lead, steps={"imprecision": 1}, reasons={"imprecision": "Few"})

    assert count() == one
    assert client.get(url).content.decode().count('data-testid="sof-row"') == 3
