"""RoB 2 / ROBINS-I assessments: the service (proposals, overrides, the result's risk of bias,
the verdict), the assessment page (content, tools, read-only peer reviewers), and a
category's robvis charts (on the verdict page, as a fragment, as SVG downloads)."""

import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grading.models import Result, RobAssessment, Verdict
from grading.queries import verdicts as verdict_queries
from grading.services import rob as rob_services
from grading.services import studies as study_services
from grading.services import verdicts as verdict_services
from reviewapp.models import AuditEntry
from reviewapp.versioning import EditConflict
from tests.factories.grading import ResultFactory

# Every RoB 2 domain Low (effect of assignment); unasked conditional questions are NA.
ALL_LOW = {
    "1.1": "Y",
    "1.2": "Y",
    "1.3": "N",
    "2.1": "N",
    "2.2": "N",
    "2.3": "NA",
    "2.4": "NA",
    "2.5": "NA",
    "2.6": "Y",
    "2.7": "NA",
    "3.1": "Y",
    "3.2": "NA",
    "3.3": "NA",
    "3.4": "NA",
    "4.1": "N",
    "4.2": "N",
    "4.3": "N",
    "4.4": "NA",
    "4.5": "NA",
    "5.1": "Y",
    "5.2": "N",
    "5.3": "N",
}
DOMAINS = ["D1", "D2", "D3", "D4", "D5"]
LOW = dict.fromkeys(DOMAINS, "low")
RESULT = {
    "intervention": "Fewer job seekers per caseworker",
    "effect": "Unemployment lower",
    "direction": "positive",
    "risk_of_bias": "moderate",
}


@pytest.fixture
def result(category):
    """A result of a randomised study whose verdict is computed and up to date."""
    result = ResultFactory(category=category, study__label="Hainmueller et al. (2016)", **RESULT)
    verdict_services.verdict_recompute(category=category)
    return result


def _save(result, actor, **changes):
    arguments = {
        "result": result,
        "actor": actor,
        "tool": "rob2",
        "answers": ALL_LOW,
        "domain_judgements": LOW,
        "overall": "low",
        "notes": {},
        "expected_version": 0,
        **changes,
    }
    return rob_services.rob_assessment_save(**arguments)


def test_rob_assessment_save_sets_the_results_risk_of_bias_and_marks_the_verdict_stale(
    result, reviewer, django_capture_on_commit_callbacks
):
    assert Verdict.objects.get(category=result.category).stale_since is None

    with django_capture_on_commit_callbacks() as callbacks:
        assessment = _save(result, reviewer)

    assert assessment.version == 1 and assessment.tool_version == "RoB 2 (2019-08-22)"
    assert assessment.domain_judgements == LOW
    saved = Result.objects.get(pk=result.pk)
    assert saved.risk_of_bias == "low"
    assert saved.risk_of_bias_justification == (
        "RoB 2 (2019-08-22): Lav risiko (D1 Lav risiko; D2 Lav risiko; D3 Lav risiko; "
        "D4 Lav risiko; D5 Lav risiko)."
    )
    assert Verdict.objects.get(category=result.category).stale_since is not None
    assert len(callbacks) == 1  # the recompute, once the save commits
    entry = AuditEntry.objects.filter(action="rob_assessment.create").get()
    assert entry.after["proposed"] == LOW and entry.after["overall"] == "low"


def test_rob_assessment_save_recomputes_the_verdict_after_commit(
    result, reviewer, django_capture_on_commit_callbacks
):
    before = Verdict.objects.get(category=result.category)

    with django_capture_on_commit_callbacks(execute=True):
        _save(result, reviewer)

    verdict = Verdict.objects.get(category=result.category)
    assert verdict.stale_since is None
    assert verdict.inputs_hash != before.inputs_hash
    assert verdict.computed_at > before.computed_at
    assert verdict_queries.category_inputs(result.category)[0].quality == "high"


def test_rob_assessment_save_an_override_without_a_note_is_refused(result, reviewer):
    with pytest.raises(ValidationError) as error:
        _save(result, reviewer, domain_judgements={**LOW, "D2": "some_concerns"})

    assert error.value.message_dict == {
        "D2": ["A judgement other than the proposed one needs a note."]
    }
    assert not RobAssessment.objects.exists()
    assert Result.objects.get(pk=result.pk).risk_of_bias == "moderate"


def test_rob_assessment_save_an_override_with_a_note_is_kept(result, reviewer):
    assessment = _save(
        result,
        reviewer,
        domain_judgements={**LOW, "D2": "some_concerns"},
        overall="some_concerns",
        notes={"D2": "  Co-interventions unbalanced.  "},
    )

    assert assessment.notes == {"D2": "Co-interventions unbalanced."}
    assert Result.objects.get(pk=result.pk).risk_of_bias == "moderate"


def test_rob_assessment_save_the_overall_proposal_follows_the_confirmed_domains(result, reviewer):
    judgements = {**LOW, "D5": "high"}
    notes = {"D5": "Outcome switched from the protocol."}
    with pytest.raises(ValidationError) as error:
        _save(result, reviewer, domain_judgements=judgements, overall="low", notes=notes)
    assert error.value.message_dict == {
        "overall": ["An overall judgement other than the proposed one needs a note."]
    }

    _save(result, reviewer, domain_judgements=judgements, overall="high", notes=notes)
    assert Result.objects.get(pk=result.pk).risk_of_bias == "high"


def test_rob_assessment_save_rejects_answers_the_tool_does_not_allow(result, reviewer):
    with pytest.raises(ValidationError) as error:
        _save(result, reviewer, answers={**ALL_LOW, "1.1": "NA"})
    assert "1.1: NA is not allowed" in error.value.message_dict["answers"][0]

    with pytest.raises(ValidationError) as error:
        _save(result, reviewer, answers={"9.9": "Y"})
    assert "unknown signalling question '9.9'" in error.value.message_dict["answers"][0]


def test_rob_assessment_save_missing_answers_need_a_note_for_every_judgement(result, reviewer):
    with pytest.raises(ValidationError) as error:
        _save(result, reviewer, answers={"1.1": "Y"})
    assert set(error.value.message_dict) == set(DOMAINS)


def test_rob_assessment_save_a_stale_version_raises_edit_conflict(result, reviewer, lead):
    _save(result, reviewer)
    with pytest.raises(EditConflict):
        _save(result, lead, expected_version=0)

    second = _save(result, lead, expected_version=1, overall="low")
    assert second.version == 2 and second.assessed_by == lead


def test_rob_assessment_save_robins_i_maps_serious_onto_the_scale(result, reviewer):
    answers = {"7.1": "Y", "7.2": "N", "7.3": "N"}
    judgements = dict.fromkeys(["D1", "D2", "D3", "D4", "D5", "D6"], "moderate")
    judgements["D7"] = "serious"
    notes = dict.fromkeys(["D1", "D2", "D3", "D4", "D5", "D6"], "Reviewer's judgement.")

    _save(
        result,
        reviewer,
        tool="robins_i",
        answers=answers,
        domain_judgements=judgements,
        overall="serious",
        notes=notes,
    )

    assert Result.objects.get(pk=result.pk).risk_of_bias == "moderate_high"


def test_rob_assessment_save_peer_reviewer_is_denied(result, peer_reviewer):
    with pytest.raises(PermissionDenied):
        _save(result, peer_reviewer)
    assert not RobAssessment.objects.exists()


def test_risk_of_bias_scale_covers_every_judgement_of_both_tools():
    for tool, module in rob_services.TOOLS.items():
        assert set(rob_services.RISK_OF_BIAS_SCALE[tool]) == set(module.Judgement)


# The assessment page


def _url(result):
    topic_area = result.study.topic_area
    args = [topic_area.project.slug, topic_area.key, result.study_id, result.pk]
    return reverse("rob_assessment", args=args)


def _post(result, **changes):
    data = {"tool": "rob2", "effect": "assignment", "version": 0}
    data |= {f"q_{q.replace('.', '_')}": a for q, a in ALL_LOW.items()}
    data |= {f"judgement_{d}": "low" for d in DOMAINS} | {"judgement_overall": "low"}
    return data | changes


@pytest.fixture
def assessed(result, reviewer):
    """The result, assessed with D3 judged High against the tool's Low, with a note."""
    notes = {"D3": "Half the sample lost."}
    high = {**LOW, "D3": "high"}
    _save(result, reviewer, domain_judgements=high, overall="high", notes=notes)
    return result


def test_assessment_page_shows_questions_and_proposals_from_the_saved_answers(
    client, reviewer, assessed
):
    result = assessed
    client.force_login(reviewer)

    body = client.get(_url(result)).content.decode()

    assert "Risk of bias: Hainmueller et al. (2016)" in body
    assert "1.2 Was the allocation sequence concealed until participants were enrolled" in body
    assert body.count('data-testid="rob-domain"') == 5
    assert body.count('data-testid="rob-proposal"') == 5
    assert "3.1 Y/PY" in body  # the path that gave D3's proposal
    assert "Half the sample lost." in body
    assert 'name="q_1_1" value="Y"' in body and "checked" in body
    assert 'data-testid="rob-form"' in body


def test_assessment_page_proposes_robins_i_for_a_non_randomised_study(
    client, reviewer, result, topic_area, lead
):
    study_services.study_update(
        study=result.study, actor=lead, expected_version=1, design="matching"
    )
    client.force_login(reviewer)

    body = client.get(_url(result)).content.decode()

    assert body.count('data-testid="rob-domain"') == 7
    assert "Bias due to confounding" in body
    assert '<option value="robins_i" selected>' in body


def test_assessment_page_htmx_reproposes_from_the_answers_so_far(client, reviewer, result):
    client.force_login(reviewer)
    answers = {"tool": "rob2", "effect": "assignment", "q_1_1": "Y", "q_1_2": "N"}

    response = client.get(_url(result), answers, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<section id="proposals"')
    assert "<td>High</td>" in body and "1.2 N/PN" in body
    assert "needs an answer to 2.1" in body


def test_assessment_post_saves_and_updates_the_result(
    client, reviewer, result, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(result), _post(result))

    assert response.status_code == 302
    assert response["Location"] == result.study.get_absolute_url()
    assert RobAssessment.objects.get().answers == ALL_LOW
    assert Result.objects.get(pk=result.pk).risk_of_bias == "low"
    study_page = client.get(result.study.get_absolute_url()).content.decode()
    assert _url(result) in study_page


def test_assessment_post_an_override_without_a_note_names_the_domain(client, reviewer, result):
    client.force_login(reviewer)

    response = client.post(_url(result), _post(result, judgement_D4="high"))

    assert response.status_code == 400
    body = response.content.decode()
    assert "A judgement other than the proposed one needs a note." in body
    assert 'name="judgement_D4"' in body
    assert not RobAssessment.objects.exists()


def test_assessment_post_with_a_stale_version_says_so(client, reviewer, lead, result):
    _save(result, lead)
    client.force_login(reviewer)

    response = client.post(_url(result), _post(result, version=0))

    assert response.status_code == 400
    assert "Someone else saved this in the meantime" in response.content.decode()
    assert RobAssessment.objects.get().assessed_by == lead


def test_assessment_page_is_read_only_for_peer_reviewers(client, peer_reviewer, assessed):
    result = assessed
    client.force_login(peer_reviewer)

    body = client.get(_url(result)).content.decode()
    denied = client.post(_url(result), _post(result, version=1))

    assert 'data-testid="rob-form"' not in body and 'data-testid="rob-tool-form"' not in body
    assert 'name="q_1_1"' not in body and 'name="judgement_D1"' not in body
    assert "Half the sample lost." in body
    assert "(proposed: Low)" in body
    assert "Assessed by reviewer" in body
    assert denied.status_code == 403
    assert RobAssessment.objects.get().version == 1


def test_assessment_page_is_not_found_for_outsiders(client, outsider, reviewer, result):
    _save(result, reviewer, notes={"overall": "Secret reason"})
    client.force_login(outsider)

    for response in (client.get(_url(result)), client.post(_url(result), _post(result))):
        assert response.status_code == 404
        assert "Hainmueller" not in response.content.decode()
        assert "Secret reason" not in response.content.decode()
    assert RobAssessment.objects.get().version == 1


# A category's robvis charts

SVG = "{http://www.w3.org/2000/svg}"
ROBINS_I_DOMAINS = ["D1", "D2", "D3", "D4", "D5", "D6", "D7"]


def _robins_i(result, actor, overall, worst="moderate"):
    judgements = dict.fromkeys(ROBINS_I_DOMAINS, "moderate") | {"D6": worst}
    return rob_services.rob_assessment_save(
        result=result,
        actor=actor,
        tool="robins_i",
        answers={},
        domain_judgements=judgements,
        overall=overall,
        notes=dict.fromkeys(ROBINS_I_DOMAINS, "The reviewers' judgement."),
        expected_version=0,
    )


@pytest.fixture
def charted(topic_area, lead, category):
    """Two non-randomised results charted with ROBINS-I, a third not charted."""
    labels = ["Hainmueller et al. (2016)", "Behncke <& Frölich> (2010)", "Unassessed (2020)"]
    results = [
        ResultFactory(category=category, study__label=label, study__design="matching", **RESULT)
        for label in labels
    ]
    _robins_i(results[0], lead, "moderate")
    _robins_i(results[1], lead, "critical", worst="critical")
    return category


def _kw(category, **extra):
    topic_area = category.topic_area
    return {
        "slug": topic_area.project.slug,
        "topic_key": topic_area.key,
        "category_key": category.key,
        **extra,
    }


def _svgs(body):
    return [
        ET.fromstring(f"<svg{part.split('</svg>')[0]}</svg>")  # noqa: S314 (our own output)
        for part in body.split("<svg")[1:]
    ]


def test_verdict_page_loads_the_category_charts(client, peer_reviewer, charted):
    client.force_login(peer_reviewer)

    body = client.get(reverse("verdict", kwargs=_kw(charted))).content.decode()

    assert reverse("rob_charts", kwargs=_kw(charted)) in body
    assert 'hx-trigger="load"' in body


def test_chart_fragment_shows_both_charts_inline_escaped_and_accessible(
    client, peer_reviewer, charted
):
    client.force_login(peer_reviewer)

    response = client.get(
        reverse("rob_charts", kwargs=_kw(charted)), headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="rob-charts"')
    assert "Behncke &lt;&amp; Frölich&gt; (2010)" in body
    assert "Unassessed (2020)" not in body
    traffic, summary = _svgs(body)
    assert traffic.get("role") == "img" and summary.get("role") == "img"
    assert traffic.find(f"{SVG}title").text == (
        "Risk of bias by study and domain: Reduced caseload (ROBINS-I (2016))"
    )
    rows = [el.text for el in traffic.iter(f"{SVG}text")]
    assert "Hainmueller et al. (2016)" in rows and "Behncke <& Frölich> (2010)" in rows
    tips = [el.text for el in traffic.iter(f"{SVG}title")]
    assert "Behncke <& Frölich> (2010), D6: Critical" in tips
    assert "Hainmueller et al. (2016), Overall: Moderate" in tips
    assert summary.find(f"{SVG}desc").text.startswith("2 studies")
    assert reverse("rob_summary_svg", kwargs=_kw(charted, tool="robins_i")) in body


def test_chart_download_is_an_svg_file_that_names_the_studies(client, reviewer, charted):
    client.force_login(reviewer)

    response = client.get(reverse("rob_traffic_light_svg", kwargs=_kw(charted, tool="robins_i")))

    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == (
        'attachment; filename="rob-caseload-robins_i-traffic-light.svg"'
    )
    root = ET.fromstring(response.content)  # noqa: S314 (our own output)
    texts = [el.text for el in root.iter(f"{SVG}text")]
    assert "Hainmueller et al. (2016)" in texts and "Behncke <& Frölich> (2010)" in texts


def test_chart_download_for_a_tool_without_assessments_is_not_found(client, reviewer, charted):
    client.force_login(reviewer)

    response = client.get(reverse("rob_summary_svg", kwargs=_kw(charted, tool="rob2")))

    assert response.status_code == 404


def test_charts_are_not_found_for_outsiders(client, outsider, charted):
    client.force_login(outsider)

    for name in ("rob_charts", "rob_traffic_light_svg", "rob_summary_svg"):
        kwargs = _kw(charted) if name == "rob_charts" else _kw(charted, tool="robins_i")
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 404
        assert "Hainmueller" not in response.content.decode()


def test_charts_without_assessments_say_so(client, reviewer, category):
    client.force_login(reviewer)

    body = client.get(reverse("rob_charts", kwargs=_kw(category))).content.decode()

    assert "No result in this category has a RoB 2 or ROBINS-I assessment yet." in body
    assert "<svg" not in body.split("<main", 1)[-1]


def test_charts_cost_the_same_queries_for_two_and_three_assessments(
    client, reviewer, lead, charted
):
    client.force_login(reviewer)
    url = reverse("rob_charts", kwargs=_kw(charted))
    with CaptureQueriesContext(connection) as two:
        client.get(url, headers={"HX-Request": "true"})
    unassessed = charted.results.get(study__label="Unassessed (2020)")
    _robins_i(unassessed, lead, "moderate")

    with CaptureQueriesContext(connection) as three:
        body = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert "Unassessed (2020)" in body
    assert len(three) == len(two)
