"""Risk-of-bias assessments through the API: the assessment page's service and permissions."""

from grading.models import RobAssessment
from reviewapp.models import AuditEntry
from tests.api.conftest import SECRETS, topic_url

DOMAINS = ["D1", "D2", "D3", "D4", "D5"]


def _url(topic_area, result):
    return topic_url(topic_area, f"results/{result.pk}/risk-of-bias/")


def _body(judgement="low", version=0, **extra):
    return {
        "tool": "rob2",
        "answers": {},
        "domain_judgements": dict.fromkeys(DOMAINS, judgement),
        "overall": judgement,
        # No answers, so no proposals: every confirmed judgement gives its reason.
        "notes": dict.fromkeys([*DOMAINS, "overall"], "Judged from the trial's protocol"),
        "version": version,
        **extra,
    }


def test_rob_unassessed_then_saved(api, topic_area, review_data):
    result = review_data["result"]
    url = _url(topic_area, result)
    empty = api["peer_reviewer"].get(url).json()
    assert (empty["version"], empty["answers"], empty["assessed_by"]) == (0, {}, None)
    assert empty["tool"] in {"rob2", "rob2_cluster", "robins_i"}

    saved = api["reviewer"].post(url, _body("high"), format="json")
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert (body["tool"], body["overall"], body["version"], body["assessed_by"]) == (
        "rob2",
        "high",
        1,
        "reviewer",
    )
    assert body["domain_judgements"] == dict.fromkeys(DOMAINS, "high")
    result.refresh_from_db()
    assert result.risk_of_bias == "high"
    assert AuditEntry.objects.filter(action="rob_assessment.create").count() == 1
    assert api["lead"].post(url, _body("low"), format="json").status_code == 409
    again = api["lead"].post(url, _body("low", version=1), format="json")
    assert again.json()["version"] == 2
    assert AuditEntry.objects.filter(action="rob_assessment.update").count() == 1


def test_rob_refuses_bad_values_naming_the_field(api, topic_area, review_data):
    url = _url(topic_area, review_data["result"])
    cases = [
        (_body(tool="rob3"), "tool"),
        (_body(notes={}), "D1"),
        (_body(overall="fine"), "overall"),
        (_body(answers={"1.1": "x" * 21}), "answers.1.1"),
    ]
    for body, field in cases:
        response = api["lead"].post(url, body, format="json")
        assert response.status_code == 400, body
        assert field in response.json()["field_errors"], (field, response.json())
    without = _body()
    del without["version"]
    assert api["lead"].post(url, without, format="json").status_code == 428
    assert not RobAssessment.objects.exists()


def test_rob_denied_with_data_present(api, cast, topic_area, review_data):
    from grading.services.rob import rob_assessment_save

    result = review_data["result"]
    body = _body()
    body.pop("version")
    rob_assessment_save(result=result, actor=cast["lead"], expected_version=0, **body)
    url = _url(topic_area, result)
    for role, status in (("peer_reviewer", 403), ("outsider", 404)):
        response = api[role].post(url, _body("high", version=1), format="json")
        assert response.status_code == status, role
        for secret in [*SECRETS, "trial's protocol"]:
            assert secret not in response.content.decode(), (role, secret)
    outsider = api["outsider"].get(url)
    assert outsider.status_code == 404 and outsider.json()["code"] == "not_found"
    assert "trial's protocol" not in outsider.content.decode()
    missing = api["lead"].get(topic_url(topic_area, "results/999999/risk-of-bias/"))
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert RobAssessment.objects.get().overall == "low"
