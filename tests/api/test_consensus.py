"""Dual extraction through the API: the extraction and consensus pages' services, blinding
and permissions (grading.views.consensus)."""

import pytest

from grading.models import Consensus, Extraction
from grading.services.consensus import extraction_settings_update
from reviewapp.models import AuditEntry
from tests.api.conftest import SECRETS, topic_url

A = {"direction": "positive", "risk_of_bias": "low", "quality": "high", "effect": "Secret A"}
B = {"direction": "no_effect", "risk_of_bias": "low", "quality": "high", "effect": "Secret B"}


@pytest.fixture
def dual(topic_area, cast, review_data):
    extraction_settings_update(project=topic_area.project, actor=cast["lead"], dual_extraction=True)
    return review_data["result"]


def _extractions(topic_area, result):
    return topic_url(topic_area, f"results/{result.pk}/extractions/")


def _consensus(topic_area, result):
    return topic_url(topic_area, f"results/{result.pk}/consensus/")


@pytest.fixture
def extracted(api, topic_area, dual):
    for role, values in [("reviewer", A), ("reviewer2", B)]:
        saved = api[role].post(_extractions(topic_area, dual), {**values, "version": 0})
        assert saved.status_code == 200, saved.content
    return dual


def test_own_extraction_saved_with_its_version(api, topic_area, dual):
    url = _extractions(topic_area, dual)
    empty = api["reviewer"].get(url).json()
    assert empty == {
        "direction": "",
        "risk_of_bias": "",
        "quality": "",
        "transferability": "",
        "effect": "",
        "dual_extraction": True,
        "version": 0,
    }
    saved = api["reviewer"].post(url, {**A, "version": 0})
    assert saved.status_code == 200, saved.content
    assert (saved.json()["direction"], saved.json()["effect"], saved.json()["version"]) == (
        "positive",
        "Secret A",
        1,
    )
    assert AuditEntry.objects.filter(action="extraction.create").count() == 1
    assert api["reviewer"].post(url, {**A, "version": 0}).status_code == 409
    again = api["reviewer"].post(url, {**A, "effect": "Changed", "version": 1})
    assert again.json()["version"] == 2
    assert Extraction.objects.get(result=dual).values["effect"] == "Changed"

    missing = api["reviewer"].post(url, {"direction": "sideways", "version": 2})
    assert missing.status_code == 400
    assert "direction" in missing.json()["field_errors"]


def test_extraction_refused_without_dual_extraction(api, topic_area, review_data):
    url = _extractions(topic_area, review_data["result"])
    response = api["reviewer"].post(url, {**A, "version": 0})
    assert response.status_code == 400
    assert not Extraction.objects.exists()


def test_blind_a_reviewer_never_sees_the_others_extraction(api, topic_area, dual):
    api["reviewer"].post(_extractions(topic_area, dual), {**A, "version": 0})

    own = api["reviewer2"].get(_extractions(topic_area, dual))
    assert own.json()["version"] == 0
    assert "Secret A" not in own.content.decode()
    waiting = api["reviewer2"].get(_consensus(topic_area, dual))
    body = waiting.json()
    assert (body["extractions"], body["visible"], body["fields"], body["reviewer_a"]) == (
        1,
        False,
        [],
        None,
    )
    assert "Secret A" not in waiting.content.decode()
    # Even the lead waits for both before a consensus.
    early = api["lead"].post(_consensus(topic_area, dual), {**A, "version": 0})
    assert early.status_code == 400
    assert not Consensus.objects.exists()


def test_consensus_side_by_side_then_agreed(api, topic_area, extracted):
    url = _consensus(topic_area, extracted)
    shown = api["peer_reviewer"].get(url).json()
    assert (shown["visible"], shown["reviewer_a"], shown["reviewer_b"]) == (
        True,
        "reviewer",
        "reviewer2",
    )
    assert shown["can_settle"] is False
    assert {f["name"] for f in shown["fields"] if f["differs"]} == {"direction", "effect"}
    direction = next(f for f in shown["fields"] if f["name"] == "direction")
    assert (direction["value_a"], direction["value_b"], direction["agreed"]) == (
        "positive",
        "no_effect",
        "",
    )

    # One of the two extractors records it; the result takes the agreed values.
    agreed = api["reviewer2"].post(url, {**A, "effect": "Agreed effect", "version": 0})
    assert agreed.status_code == 200, agreed.content
    body = agreed.json()
    assert (body["direction"], body["effect"], body["decided_by"], body["version"]) == (
        "positive",
        "Agreed effect",
        "reviewer2",
        1,
    )
    extracted.refresh_from_db()
    assert (extracted.direction, extracted.effect) == ("positive", "Agreed effect")
    assert AuditEntry.objects.filter(action="consensus.create").count() == 1
    assert api["lead"].post(url, {**A, "version": 0}).status_code == 409
    assert api["lead"].post(url, {**A, "version": 1}).json()["version"] == 2


def test_extraction_agreement_per_field(api, topic_area, extracted):
    response = api["peer_reviewer"].get(topic_url(topic_area, "extraction-agreement/"))
    assert response.status_code == 200
    rows = {row["field"]: row for row in response.json()}
    assert set(rows) == {"risk_of_bias", "direction", "quality"}
    assert [rows[name]["n"] for name in ("risk_of_bias", "direction", "quality")] == [1, 1, 1]
    assert rows["direction"]["percent"] == 0
    assert rows["risk_of_bias"]["percent"] == 100


@pytest.mark.parametrize("url", [_extractions, _consensus])
def test_non_member_gets_404_with_data_present(api, topic_area, extracted, url):
    for method in ("get", "post"):
        response = getattr(api["outsider"], method)(url(topic_area, extracted), {**A, "version": 0})
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        for secret in [*SECRETS, "Secret A", "Secret B"]:
            assert secret not in response.content.decode()
    assert api["outsider"].get(topic_url(topic_area, "extraction-agreement/")).status_code == 404


@pytest.mark.parametrize("url", [_extractions, _consensus])
def test_peer_reviewer_may_not_write(api, topic_area, extracted, url):
    before = list(Extraction.objects.values_list("values", "version"))
    response = api["peer_reviewer"].post(url(topic_area, extracted), {**A, "version": 0})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "Secret B" not in response.content.decode()
    assert list(Extraction.objects.values_list("values", "version")) == before
    assert not Consensus.objects.exists()
