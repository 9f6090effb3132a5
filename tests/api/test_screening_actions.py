"""The screening page's *Undo* and *Maybe* through the API: the page's services
(decision_undo, screening_maybe) under its rule (a reviewer of the stage,
`stage_has_reviewer`), with data present that could leak."""

from reviewapp.models import AuditEntry
from screening.models import Decision, MaybeFlag
from tests.api.conftest import SECRETS, topic_url


def _stage_url(topic_area, stage, rest):
    return topic_url(topic_area, f"stages/{stage.pk}/{rest}")


def test_undo_takes_back_ones_latest_decision(api, cast, topic_area, review_data):
    stage, item = review_data["stage"], review_data["item"]
    decided = api["reviewer"].post(
        _stage_url(topic_area, stage, "decisions/"),
        {"record": item.record_id, "value": "exclude", "note": "Not about caseloads"},
    )
    assert decided.status_code == 201, decided.content[:300]

    response = api["reviewer"].post(_stage_url(topic_area, stage, "decisions/undo/"))

    assert response.status_code == 200, response.content[:300]
    undone = response.json()["undone"]
    assert {k: undone[k] for k in ("record", "stage", "reviewer", "value", "note")} == {
        "record": item.record_id,
        "stage": stage.pk,
        "reviewer": "reviewer",
        "value": "exclude",
        "note": "Not about caseloads",
    }
    assert not Decision.objects.filter(item=item).exists()
    entry = AuditEntry.objects.filter(action="decision.undo").get()
    assert (entry.actor, entry.before["note"]) == (cast["reviewer"], "Not about caseloads")
    # The other reviewer's decision on the first record stays.
    assert Decision.objects.filter(reviewer=cast["reviewer2"]).count() == 1


def test_undo_with_nothing_to_undo_leaves_the_others_decisions(api, cast, topic_area, review_data):
    stage = review_data["stage"]

    response = api["reviewer"].post(_stage_url(topic_area, stage, "decisions/undo/"))

    assert response.status_code == 200
    assert response.json() == {"undone": None}
    assert Decision.objects.filter(reviewer=cast["reviewer2"]).count() == 1
    assert not AuditEntry.objects.filter(action="decision.undo").exists()


def test_undo_denied_to_others(api, cast, topic_area, review_data):
    stage = review_data["stage"]
    url = _stage_url(topic_area, stage, "decisions/undo/")
    # reviewer2 decided; the stage's reviewers are now chosen, and they are not among them.
    stage.reviewers.set([cast["reviewer"]])
    for role, expected in [("reviewer2", 403), ("peer_reviewer", 403), ("outsider", 404)]:
        response = api[role].post(url)
        assert response.status_code == expected, (role, response.content[:300])
        for secret in SECRETS:
            assert secret not in response.content.decode(), (role, secret)
    assert Decision.objects.filter(reviewer=cast["reviewer2"]).count() == 1
    assert api["anonymous"].post(url).status_code == 401


def test_maybe_flags_the_record_privately(api, cast, topic_area, review_data):
    stage, item = review_data["stage"], review_data["item"]

    response = api["reviewer"].post(
        _stage_url(topic_area, stage, f"items/{item.pk}/maybe/"), {"note": "Ask about the design"}
    )

    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert (body["item"], body["record"], body["stage"], body["note"]) == (
        item.pk,
        item.record_id,
        stage.pk,
        "Ask about the design",
    )
    flag = MaybeFlag.objects.get()
    assert (flag.item, flag.reviewer, flag.note) == (item, cast["reviewer"], "Ask about the design")
    item.refresh_from_db()
    assert item.status == "pending"  # not a decision
    assert not Decision.objects.filter(item=item).exists()
    # On the reviewer's maybe pile, and on nobody else's.
    pile = _stage_url(topic_area, stage, "items/?maybe=true")
    assert [r["id"] for r in api["reviewer"].get(pile).json()["results"]] == [item.pk]
    assert api["lead"].get(pile).json()["results"] == []


def test_maybe_refused_once_decided(api, topic_area, review_data):
    stage = review_data["stage"]
    first = stage.items.get(record=review_data["record_first"])  # reviewer2 included it
    response = api["reviewer"].post(_stage_url(topic_area, stage, f"items/{first.pk}/maybe/"))
    assert response.status_code == 409, response.content[:300]
    assert response.json()["code"] == "taken"
    assert not MaybeFlag.objects.exists()


def test_maybe_denied_to_others(api, cast, topic_area, review_data):
    stage, item = review_data["stage"], review_data["item"]
    url = _stage_url(topic_area, stage, f"items/{item.pk}/maybe/")
    stage.reviewers.set([cast["reviewer2"]])
    for role, expected in [("reviewer", 403), ("peer_reviewer", 403), ("outsider", 404)]:
        response = api[role].post(url, {"note": "Must not be saved"})
        assert response.status_code == expected, (role, response.content[:300])
        for secret in SECRETS:
            assert secret not in response.content.decode(), (role, secret)
    assert api["anonymous"].post(url).status_code == 401
    assert (
        api["reviewer2"].post(_stage_url(topic_area, stage, "items/999999/maybe/")).status_code
        == 404
    )
    assert not MaybeFlag.objects.exists()
