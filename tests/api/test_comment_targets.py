"""Every commentable resource says what to send to comment on it (`comment_target`): a client
comments on a verdict with only what the verdict resource gave, and the report page shows
the comment at that verdict."""

import re

from django.urls import reverse

from tests.api.conftest import topic_url


def test_a_comment_on_a_verdict_by_its_comment_target_shows_at_the_verdict_on_the_report(
    api, client, cast, topic_area, review_data
):
    category = review_data["category"]
    verdict = api["peer_reviewer"].get(topic_url(topic_area, f"verdicts/{category.key}/")).json()
    comments = f"/api/projects/{topic_area.project.slug}/comments/"

    created = api["peer_reviewer"].post(
        comments, {**verdict["comment_target"], "body": "Is one study enough here?"}
    )

    assert created.status_code == 201, created.content
    assert (created.json()["target_kind"], created.json()["target_label"]) == (
        "verdict",
        "Hidden category",
    )
    client.force_login(cast["lead"])
    page = client.get(reverse("report", kwargs={"slug": topic_area.project.slug})).content.decode()
    anchor = f'id="verdict-{verdict["comment_target"]["target_id"]}"'
    box = re.search(anchor + r".*?</details>", page, re.S)
    assert box is not None, "the verdict's comment box is on the report"
    assert "Is one study enough here?" in box.group(0)


def test_every_commentable_resource_gives_its_own_comment_target(api, topic_area, review_data):
    lead = api["lead"]
    category, study, result = review_data["category"], review_data["study"], review_data["result"]
    verdict = category.verdict

    targets = {
        "category": lead.get(topic_url(topic_area, f"categories/{category.key}/")),
        "verdict": lead.get(topic_url(topic_area, f"verdicts/{category.key}/")),
        "study": lead.get(topic_url(topic_area, f"studies/{study.pk}/")),
        "result": lead.get(topic_url(topic_area, f"results/{result.pk}/")),
    }
    report = lead.get(f"/api/projects/{topic_area.project.slug}/report/").json()

    assert {kind: answer.json()["comment_target"] for kind, answer in targets.items()} == {
        "category": {"target_kind": "category", "target_id": category.pk},
        "verdict": {"target_kind": "verdict", "target_id": verdict.pk},
        "study": {"target_kind": "study", "target_id": study.pk},
        "result": {"target_kind": "result", "target_id": result.pk},
    }
    entries = report["results"]
    assert entries[0]["flow_comment_target"] == {"target_kind": "flow", "target_id": topic_area.pk}
    # Each target is accepted as it is, the flow's too.
    comments = f"/api/projects/{topic_area.project.slug}/comments/"
    for target in [
        *(a.json()["comment_target"] for a in targets.values()),
        entries[0]["flow_comment_target"],
    ]:
        answer = lead.post(comments, {**target, "body": "Checked."})
        assert answer.status_code == 201, (target, answer.content)
