"""GRADE judgements through the API: the GRADE page's service and permissions."""

from grading.models import GradeAssessment
from reviewapp.models import AuditEntry
from tests.api.conftest import SECRETS, topic_url


def _url(topic_area, category):
    return topic_url(topic_area, f"categories/{category.key}/grade/")


def test_grade_unassessed_then_saved(api, topic_area, review_data):
    url = _url(topic_area, review_data["category"])
    empty = api["peer_reviewer"].get(url).json()
    assert empty["version"] == 0
    assert empty["steps"]["imprecision"] == 0 and set(empty["steps"]) >= {"risk_of_bias"}

    body = {
        "steps": {"imprecision": 1},
        "reasons": {"imprecision": "Few participants", "inconsistency": "dropped"},
        "outcome": "Caseload",
        "version": 0,
    }
    saved = api["lead"].post(url, body, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["steps"]["imprecision"] == 1
    assert saved.json()["reasons"] == {"imprecision": "Few participants"}
    assert (saved.json()["outcome"], saved.json()["version"]) == ("Caseload", 1)
    assert saved.json()["assessed_by"] == "lead"
    assert AuditEntry.objects.filter(action="grade_assessment.create").count() == 1
    assert api["lead"].post(url, body, format="json").status_code == 409


def test_grade_refuses_bad_values_naming_the_field(api, topic_area, review_data):
    url = _url(topic_area, review_data["category"])
    cases = [
        ({"steps": {"luck": 1}}, "steps"),
        ({"steps": {"imprecision": -1}}, "steps.imprecision"),
        ({"steps": {"imprecision": 1}}, "reason_imprecision"),
        ({"steps": {}, "outcome": "x" * 301}, "outcome"),
        ({"steps": {}, "evidence": "anecdotal"}, "evidence"),
    ]
    for body, field in cases:
        response = api["lead"].post(url, {**body, "version": 0}, format="json")
        assert response.status_code == 400, body
        assert field in response.json()["field_errors"], (field, response.json())
    assert not GradeAssessment.objects.exists()


def test_grade_denied_with_data_present(api, cast, topic_area, review_data):
    from grading.services.grade import grade_assessment_save

    category = review_data["category"]
    grade_assessment_save(
        category=category,
        actor=cast["lead"],
        expected_version=0,
        steps={"imprecision": 1},
        reasons={"imprecision": "Secret reason"},
    )
    url = _url(topic_area, category)
    body = {"steps": {}, "version": 1}
    for role, status in (("reviewer", 403), ("peer_reviewer", 403), ("outsider", 404)):
        response = api[role].post(url, body, format="json")
        assert response.status_code == status, role
        for secret in [*SECRETS, "Secret reason"]:
            assert secret not in response.content.decode(), (role, secret)
    outsider = api["outsider"].get(url)
    assert outsider.status_code == 404 and outsider.json()["code"] == "not_found"
    missing = api["lead"].get(topic_url(topic_area, "categories/no-such/grade/"))
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert GradeAssessment.objects.get().imprecision == 1
