"""Two clients editing one object: the second of two updates from the same version gets 409
and nothing is lost; an update without a version is refused (428)."""

import threading

import pytest
from django.db import connection

from grading.models import Result
from tests.api.conftest import token_client, topic_url

EDITS = {
    # resource: (path under the topic area or project, method, change, how to read it back)
    "result": ("results/{result}/", "patch", {"intervention": "Changed by {who}"}),
    "study": ("studies/{study}/", "patch", {"label": "Changed by {who}"}),
    "stage": ("stages/{stage}/", "patch", {"name": "Changed by {who}"}),
    "record": ("records/{record}/", "patch", {"abstract": "Changed by {who}"}),
    "topic area": ("", "patch", {"title": "Changed by {who}"}),
    "verdict": ("verdicts/{category}/final/", "post", {"level": "", "rationale": "By {who}"}),
}


def _url(topic_area, data, path):
    return topic_url(
        topic_area,
        path.format(
            result=data["result"].pk,
            study=data["study"].pk,
            stage=data["stage"].pk,
            record=data["record"].pk,
            category=data["category"].key,
        ),
    )


def _body(change, who, version):
    return {**{k: v.format(who=who) for k, v in change.items()}, "version": version}


@pytest.mark.parametrize("resource", EDITS)
def test_the_second_of_two_updates_from_one_version_gets_409(
    api, topic_area, review_data, resource
):
    path, method, change = EDITS[resource]
    url = _url(topic_area, review_data, path)
    read_url = url.removesuffix("final/")
    first, second = (
        api["lead"],
        token_client(review_data["study"].topic_area.project.memberships.get(role="lead").user),
    )
    version = first.get(read_url).json()["version"]
    assert second.get(read_url).json()["version"] == version

    saved = getattr(first, method)(url, _body(change, "first", version))
    refused = getattr(second, method)(url, _body(change, "second", version))

    assert saved.status_code == 200, saved.json()
    assert saved.json()["version"] == version + 1
    assert refused.status_code == 409
    assert refused.json() == {
        "message": refused.json()["message"],
        "code": "edit_conflict",
        "field_errors": {},
        "current_version": version + 1,
    }
    now = first.get(read_url).json()
    assert now["version"] == version + 1
    assert "first" in str(now) and "second" not in str(now)


@pytest.mark.parametrize("resource", [r for r in EDITS if r != "verdict"])
def test_an_update_without_a_version_is_refused(api, topic_area, review_data, resource):
    path, method, change = EDITS[resource]
    url = _url(topic_area, review_data, path)
    before = api["lead"].get(url).json()

    response = getattr(api["lead"], method)(url, {k: v.format(who="x") for k, v in change.items()})

    assert response.status_code == 428
    assert response.json()["code"] == "version_required"
    assert api["lead"].get(url).json() == before


def test_if_match_carries_the_version(api, topic_area, review_data):
    url = topic_url(topic_area, f"results/{review_data['result'].pk}/")
    saved = api["lead"].patch(url, {"effect": "Larger"}, HTTP_IF_MATCH='"1"')
    stale = api["lead"].patch(url, {"effect": "Smaller"}, HTTP_IF_MATCH='"1"')
    assert (saved.status_code, saved.json()["version"], saved.json()["effect"]) == (
        200,
        2,
        "Larger",
    )
    assert stale.status_code == 409
    assert Result.objects.get().effect == "Larger"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_updates_one_wins_and_the_other_gets_409(cast, topic_area):
    """Two clients send their update at the same moment: the row lock orders them, the
    second sees the first's version and is refused; the first's change stands whole."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    from grading.services import studies as study_services
    from grading.services import verdicts as verdict_services

    lead = cast["lead"]
    category = verdict_services.category_create(
        topic_area=topic_area, actor=lead, key="c", title="C"
    )
    study = study_services.study_create(
        topic_area=topic_area, actor=lead, label="S", title="S", design="matching"
    )
    result = study_services.result_save(
        study=study, actor=lead, category=category, intervention="Original",
        effect="e", direction="positive", risk_of_bias="low",
    )  # fmt: skip
    url = topic_url(topic_area, f"results/{result.pk}/")
    clients = {who: token_client(lead) for who in ("first", "second")}
    barrier = threading.Barrier(2)
    answers = {}

    def edit(who):
        try:
            barrier.wait(timeout=10)
            response = clients[who].patch(
                url, {"intervention": f"By {who}", "effect": f"Effect by {who}", "version": 1}
            )
            answers[who] = response.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(who,)) for who in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(answers.values()) == [200, 409]
    winner = next(who for who, code in answers.items() if code == 200)
    result.refresh_from_db()
    assert (result.intervention, result.effect, result.version) == (
        f"By {winner}",
        f"Effect by {winner}",
        2,
    )
