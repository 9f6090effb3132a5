"""Dual extraction: two blind extractions per result, the consensus page (side by side,
differences marked, agreed values), only agreed values in the verdict, and agreement (kappa)
on risk of bias, direction and quality."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from grading.models import Consensus, Extraction, Result, Verdict
from grading.queries import consensus as consensus_queries
from grading.queries import verdicts as verdict_queries
from grading.rules import can_settle_consensus
from grading.services import consensus as consensus_services
from grading.services import studies as study_services
from reviewapp.models import Membership, Role
from reviewapp.versioning import EditConflict
from tests.factories.grading import ResultFactory

A = {"direction": "positive", "risk_of_bias": "low", "quality": "high", "effect": "Lower"}
B = {"direction": "no_effect", "risk_of_bias": "low", "quality": "high", "effect": "None"}


@pytest.fixture
def dual(topic_area, lead):
    consensus_services.extraction_settings_update(
        project=topic_area.project, actor=lead, dual_extraction=True
    )
    return topic_area


@pytest.fixture
def result(dual, category):
    return ResultFactory(category=category, study__label="Hainmueller et al. (2016)")


def _extract(result, reviewer, values, version=0):
    return consensus_services.extraction_save(
        result=result, reviewer=reviewer, values=values, expected_version=version
    )


@pytest.fixture
def extracted(result, reviewer, second_reviewer):
    _extract(result, reviewer, A)
    _extract(result, second_reviewer, B)
    return result


def _agree(result, actor, values, version=0):
    return consensus_services.consensus_record(
        result=result, actor=actor, values=values, expected_version=version
    )


# The services


def test_with_dual_extraction_only_results_with_a_consensus_count(
    extracted, lead, django_capture_on_commit_callbacks
):
    verdict = Verdict.objects.get(category=extracted.category)
    assert verdict.computed_level == "no_knowledge"  # extracted, not agreed: nothing counts
    assert verdict.trace["trace"]["results"] == []

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _agree(extracted, lead, A | {"effect": "Unemployment 1-2 points lower"})

    assert len(callbacks) == 1
    verdict = Verdict.objects.get(category=extracted.category)
    assert verdict.computed_level == "indication"
    saved = Result.objects.get(pk=extracted.pk)
    assert (saved.direction, saved.effect) == ("positive", "Unemployment 1-2 points lower")


def test_the_verdict_reads_the_agreed_values_not_later_edits(
    extracted, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _agree(extracted, lead, A)
    with django_capture_on_commit_callbacks(execute=True):
        # A direct write (the RoB tool sets risk of bias through result_save) changes the row...
        study_services.result_save(
            study=extracted.study, actor=lead, result=extracted, risk_of_bias="high"
        )

    # ...but the verdict still counts the agreed high quality.
    inputs = verdict_queries.category_inputs(extracted.category)
    assert [(i.direction, i.quality) for i in inputs] == [("positive", "high")]


def test_a_consensus_quality_other_than_the_default_is_kept_with_a_reason(extracted, lead):
    _agree(extracted, lead, A | {"quality": "limited"})
    saved = Result.objects.get(pk=extracted.pk)
    assert (saved.quality, saved.quality_override) == ("limited", "limited")
    assert saved.quality_reason == "Agreed at consensus."


def test_extraction_save_refuses_a_third_reviewer_and_bad_values(extracted, lead, reviewer):
    with pytest.raises(ValidationError, match="Two reviewers"):
        _extract(extracted, lead, A)
    with pytest.raises(ValidationError) as error:
        _extract(extracted, reviewer, A | {"direction": "sideways", "effect": ""}, version=1)
    assert set(error.value.message_dict) == {"direction", "effect"}


def test_extraction_save_a_stale_version_raises_edit_conflict(extracted, reviewer):
    with pytest.raises(EditConflict):
        _extract(extracted, reviewer, A, version=0)
    assert _extract(extracted, reviewer, B, version=1).version == 2


def test_extraction_save_needs_dual_extraction_and_a_reviewer(
    topic_area, lead, reviewer, peer_reviewer, category
):
    result = ResultFactory(category=category)
    with pytest.raises(ValidationError, match="does not use dual extraction"):
        _extract(result, reviewer, A)
    with pytest.raises(PermissionDenied):
        _extract(result, peer_reviewer, A)


def test_consensus_needs_two_extractions_and_the_lead_or_an_extractor(
    result, lead, reviewer, second_reviewer, peer_reviewer, project
):
    _extract(result, reviewer, A)
    with pytest.raises(ValidationError, match="two extractions"):
        _agree(result, lead, A)
    _extract(result, second_reviewer, B)
    with pytest.raises(PermissionDenied):
        _agree(result, peer_reviewer, A)
    # One of the two extractors may record what they agreed.
    assert _agree(result, second_reviewer, A).decided_by == second_reviewer
    with pytest.raises(EditConflict):
        _agree(result, lead, B, version=0)


def test_turning_dual_extraction_off_counts_every_result_again(
    extracted, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        consensus_services.extraction_settings_update(
            project=extracted.study.topic_area.project, actor=lead, dual_extraction=False
        )
    assert Verdict.objects.get(category=extracted.category).computed_level == "indication"


def test_extraction_settings_only_a_lead(topic_area, reviewer):
    with pytest.raises(PermissionDenied):
        consensus_services.extraction_settings_update(
            project=topic_area.project, actor=reviewer, dual_extraction=True
        )


def test_extraction_agreement_kappa_over_the_extracted_results(
    dual, lead, reviewer, second_reviewer, category
):
    # Direction: agree, agree, differ, agree on four results -> po 3/4.
    pairs = [
        ("positive", "positive"),
        ("no_effect", "no_effect"),
        ("positive", "no_effect"),
        ("positive", "positive"),
    ]
    for number, (first, second) in enumerate(pairs):
        result = ResultFactory(category=category, study__label=f"Study {number} (2020)")
        _extract(result, reviewer, A | {"direction": first})
        _extract(result, second_reviewer, A | {"direction": second})
    _extract(
        ResultFactory(category=category, study__label="Single (2021)"), reviewer, A
    )  # one only: left out

    stats = consensus_queries.extraction_agreement(dual)

    direction = stats["direction"]
    assert (direction.n, direction.observed) == (4, 0.75)
    # Margins: A positive 3/4, no effect 1/4; B positive 2/4, no effect 2/4.
    # pe = 3/4*2/4 + 1/4*2/4 = 1/2, kappa = (3/4 - 1/2) / (1 - 1/2) = 1/2.
    assert direction.kappa == 0.5
    assert stats["risk_of_bias"].observed == 1.0
    assert list(stats) == ["risk_of_bias", "direction", "quality"]


# The pages


def _kw(result, **extra):
    topic_area = result.study.topic_area
    return {
        "slug": topic_area.project.slug,
        "topic_key": topic_area.key,
        "study_id": result.study_id,
        "result_id": result.pk,
        **extra,
    }


def _post(values, version=0):
    return {"version": version, **values}


def test_extraction_page_is_blind_and_saves_the_reviewers_own(
    client, result, reviewer, second_reviewer
):
    _extract(result, second_reviewer, B)
    client.force_login(reviewer)
    url = reverse("result_extraction", kwargs=_kw(result))

    page = client.get(url).content.decode()
    assert "None" not in page.split('data-testid="extraction-form"')[1]  # B's effect text
    assert "selected>No effect" not in page

    response = client.post(url, _post(A))

    assert response.status_code == 302
    assert Extraction.objects.get(reviewer=reviewer).values == A | {"transferability": ""}


def test_consensus_page_hides_extractions_until_both_are_in(client, result, reviewer, lead):
    _extract(result, reviewer, A)
    client.force_login(lead)

    body = client.get(reverse("result_consensus", kwargs=_kw(result))).content.decode()

    assert "1 of 2 reviewers has extracted this result." in body
    assert 'data-testid="consensus-table"' not in body and "Lower" not in body


def test_consensus_page_shows_both_side_by_side_and_marks_differences(
    client, extracted, lead, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    url = reverse("result_consensus", kwargs=_kw(extracted))

    body = client.get(url).content.decode()

    rows = body.split('data-testid="consensus-row"')[1:]
    direction = next(row for row in rows if "Direction" in row.split("</th>")[0])
    assert "consensus-differs" in direction
    assert "<td>Positive</td><td>No effect</td>" in direction
    quality = next(row for row in rows if "Quality" in row.split("</th>")[0])
    assert "consensus-differs" not in quality
    # Agreed fields are proposed; differing ones are left for the lead.
    form = body.split('data-testid="consensus-form"')[1]
    assert '<option value="high" selected>' in form
    assert '<option value="positive" selected>' not in form

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _post(A))

    assert response.status_code == 302
    assert Consensus.objects.get().values["direction"] == "positive"
    assert (
        "<td>Positive</td><td>No effect</td><td>Positive</td>" in client.get(url).content.decode()
    )


def test_consensus_page_peer_reviewers_read_but_do_not_agree(client, extracted, peer_reviewer):
    client.force_login(peer_reviewer)
    url = reverse("result_consensus", kwargs=_kw(extracted))

    body = client.get(url).content.decode()

    assert 'data-testid="consensus-table"' in body and 'data-testid="consensus-form"' not in body
    assert client.post(url, _post(A)).status_code == 403
    assert not Consensus.objects.exists()


def test_result_form_locks_the_agreed_fields(client, extracted, lead, reviewer):
    _agree(extracted, lead, A)
    client.force_login(reviewer)
    url = reverse("result_edit", kwargs=_kw(extracted))
    post = {
        "category": extracted.category_id,
        "intervention": "Changed",
        "effect": "Changed too",
        "direction": "negative",
        "risk_of_bias": "high",
        "version": Result.objects.get(pk=extracted.pk).version,
    }

    response = client.post(url, post)

    assert response.status_code == 302
    saved = Result.objects.get(pk=extracted.pk)
    assert (saved.intervention, saved.direction, saved.effect) == ("Changed", "positive", "Lower")


def test_agreement_page_shows_kappa_per_field(client, extracted, peer_reviewer):
    client.force_login(peer_reviewer)
    topic_area = extracted.study.topic_area
    url = reverse(
        "extraction_agreement", kwargs={"slug": topic_area.project.slug, "topic_key": "caseload"}
    )

    body = client.get(url).content.decode()

    rows = body.split('data-testid="agreement-row"')[1:]
    assert len(rows) == 3
    assert "Risk of bias" in rows[0] and '<td class="text-end">1</td>' in rows[0]
    assert "Direction" in rows[1] and '<td class="text-end">0.0</td>' in rows[1]


def test_agreement_page_lists_the_results_waiting_for_consensus(
    client, extracted, lead, reviewer, category
):
    topic_area = extracted.study.topic_area
    half = ResultFactory(category=category, study__label="Behncke et al. (2010)")
    ResultFactory(category=category, study__label="Rosholm (2014)")
    _extract(half, reviewer, A)
    url = reverse(
        "extraction_agreement", kwargs={"slug": topic_area.project.slug, "topic_key": "caseload"}
    )
    client.force_login(lead)

    body = client.get(url).content.decode()

    waiting = body.split('data-testid="awaiting-consensus"')[1].split("</ul>")[0]
    assert "Hainmueller et al. (2016)" in waiting and "Behncke" not in waiting
    consensus_url = reverse("result_consensus", kwargs=_kw(extracted))
    assert f'href="{consensus_url}"' in waiting
    second = body.split('data-testid="awaiting-second"')[1].split("</ul>")[0]
    assert "Behncke et al. (2010)" in second and "Rosholm" not in second
    for stage, count in [("awaiting_consensus", 1), ("awaiting_second", 1), ("awaiting_first", 1)]:
        assert f'data-testid="count-{stage}">{count}<' in body
    assert 'data-testid="count-agreed">0<' in body

    studies = client.get(
        reverse("studies", kwargs={"slug": topic_area.project.slug, "topic_key": "caseload"})
    ).content.decode()
    assert f'href="{url}" data-testid="extraction-agreement-link"' in studies
    _agree(extracted, lead, A)
    body = client.get(url).content.decode()
    assert 'data-testid="awaiting-consensus"' not in body
    assert 'data-testid="count-agreed">1<' in body


def test_agreement_page_queries_do_not_grow_with_the_results(client, extracted, lead, category):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    topic_area = extracted.study.topic_area
    url = reverse(
        "extraction_agreement", kwargs={"slug": topic_area.project.slug, "topic_key": "caseload"}
    )
    client.force_login(lead)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(4):
        ResultFactory(category=category, study__label=f"Study {number}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)


def test_extraction_form_page_turns_dual_extraction_on(client, lead, topic_area):
    client.force_login(lead)
    slug = topic_area.project.slug

    response = client.post(
        reverse("extraction_settings", kwargs={"slug": slug}), {"dual_extraction": "on"}
    )

    assert response.status_code == 302
    assert consensus_queries.dual_extraction_on(topic_area.project)
    page = client.get(reverse("extraction_form", kwargs={"slug": slug})).content.decode()
    assert "Turn dual extraction off" in page


# Who may settle a consensus: one rule (grading.rules.can_settle_consensus), asked by the
# consensus page and the service alike.


def _third_reviewer(project):
    """A reviewer of the project who did not extract the result."""
    user = get_user_model().objects.create_user(username="reviewer3", password="x")
    Membership.objects.create(project=project, user=user, role=Role.REVIEWER)
    return user


def _demoted_extractor(project, reviewer):
    """One of the two extractors, a peer reviewer since (who may no longer extract)."""
    Membership.objects.filter(project=project, user=reviewer).update(role=Role.PEER_REVIEWER)
    return get_user_model().objects.get(pk=reviewer.pk)


DENIED = {
    "peer_reviewer": lambda project, cast: cast["peer_reviewer"],
    "third_reviewer": lambda project, cast: _third_reviewer(project),
    "demoted_extractor": lambda project, cast: _demoted_extractor(project, cast["reviewer"]),
}


def _settle_by_page(client, result, user):
    client.force_login(user)
    response = client.post(reverse("result_consensus", kwargs=_kw(result)), _post(A))
    assert response.status_code == 403


def _settle_by_service(client, result, user):
    with pytest.raises(PermissionDenied):
        _agree(Result.objects.get(pk=result.pk), user, A)


@pytest.mark.parametrize("who", sorted(DENIED))
@pytest.mark.parametrize("caller", [_settle_by_page, _settle_by_service])
def test_settle_consensus_denied_to_all_but_a_lead_and_the_extractors(
    client, extracted, cast, who, caller
):
    user = DENIED[who](extracted.study.topic_area.project, cast)

    assert not can_settle_consensus(user, extracted)
    caller(client, extracted, user)
    assert not Consensus.objects.exists()


@pytest.mark.parametrize("who", ["lead", "reviewer", "reviewer2"])
def test_settle_consensus_allowed_to_a_lead_and_the_extractors(extracted, cast, who):
    assert can_settle_consensus(cast[who], extracted)
    _agree(extracted, cast[who], A)
    assert Consensus.objects.get().decided_by == cast[who]
