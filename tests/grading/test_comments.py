"""Peer review: every member comments; leads reply and resolve; peer reviewers export and
comment but change nothing else; non-members see nothing."""

import pytest
from django.urls import reverse

from grading.models import Comment, ReportSettings, Verdict
from grading.services import comments as comment_services
from reviewapp.models import AuditEntry
from tests.grading.test_report import build_small_report


@pytest.fixture
def report_data(topic_area, lead):
    return build_small_report(topic_area, lead)


def _url(name, project):
    return reverse(name, kwargs={"slug": project.slug})


@pytest.mark.django_db
def test_peer_reviewer_comments_on_a_verdict_and_the_lead_replies_and_resolves(
    client, project, report_data, cast
):
    verdict = Verdict.objects.get(category=report_data["categories"][0])
    client.force_login(cast["peer_reviewer"])
    response = client.post(
        _url("comments", project),
        {"target": f"verdict:{verdict.pk}", "body": "Why an indication, not moderate?"},
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert (comment.target_kind, comment.target_id, comment.target_label) == (
        "verdict",
        verdict.pk,
        "Reduced caseload",
    )
    assert AuditEntry.objects.filter(action="comment.create").count() == 1
    # The peer reviewer may not resolve it.
    resolve = client.post(_url("comment_resolve", project), {"comment": comment.pk})
    assert resolve.status_code == 403

    client.force_login(cast["lead"])
    dashboard = client.get(_url("project_dashboard", project)).content.decode()
    panel_url = _url("comments", project) + "?panel=open"
    assert panel_url in dashboard
    panel = client.get(panel_url).content.decode()
    assert "Open comments" in panel
    assert f"#comment-{comment.pk}" in panel
    client.post(
        _url("comment_reply", project), {"comment": comment.pk, "body": "Two studies only."}
    )
    client.post(_url("comment_resolve", project), {"comment": comment.pk})
    comment.refresh_from_db()
    assert comment.resolved_by == cast["lead"]
    assert [reply.body for reply in comment.replies.all()] == ["Two studies only."]
    assert f"#comment-{comment.pk}" not in client.get(panel_url).content.decode()
    page = client.get(_url("report", project)).content.decode()
    assert "Why an indication, not moderate?" in page
    assert "Two studies only." in page
    assert 'data-testid="comment-resolved"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("target", "label"),
    [("category", "Reduced caseload"), ("study", "Bech (2015)"), ("result", None), ("flow", None)],
)
def test_every_member_comments_on_each_kind_of_target(
    client, project, topic_area, report_data, cast, target, label
):
    ids = {
        "category": report_data["categories"][0].pk,
        "study": report_data["studies"][1].pk,
        "result": report_data["results"][0].pk,
        "flow": topic_area.pk,
    }
    for role in ("lead", "reviewer", "peer_reviewer"):
        client.force_login(cast[role])
        response = client.post(
            _url("comments", project), {"target": f"{target}:{ids[target]}", "body": role}
        )
        assert response.status_code == 302
    comments = list(Comment.objects.order_by("pk"))
    assert [c.body for c in comments] == ["lead", "reviewer", "peer_reviewer"]
    assert {c.topic_area_id for c in comments} == {topic_area.pk}
    if label:
        assert comments[0].target_label == label


@pytest.mark.django_db
def test_a_comment_on_another_projects_item_is_refused(client, project, report_data, cast):
    from tests.factories.reviewapp import ProjectFactory, TopicAreaFactory

    other = TopicAreaFactory(project=ProjectFactory(slug="other-review"))
    client.force_login(cast["peer_reviewer"])
    response = client.post(
        _url("comments", project), {"target": f"flow:{other.pk}", "body": "Sneaky"}
    )
    assert response.status_code == 400
    assert b"no such item" in response.content
    assert not Comment.objects.exists()
    empty = client.post(_url("comments", project), {"target": "flow:1", "body": " "})
    assert empty.status_code == 400


@pytest.mark.django_db
def test_peer_reviewer_replies_to_own_thread_only(client, project, report_data, cast):

    study = report_data["studies"][0]
    mine = comment_services.comment_create(
        project=project,
        author=cast["peer_reviewer"],
        target_kind="study",
        target_id=study.pk,
        body="Mine",
    )
    theirs = comment_services.comment_create(
        project=project,
        author=cast["reviewer"],
        target_kind="study",
        target_id=study.pk,
        body="Theirs",
    )
    client.force_login(cast["peer_reviewer"])
    ok = client.post(_url("comment_reply", project), {"comment": mine.pk, "body": "More"})
    denied = client.post(_url("comment_reply", project), {"comment": theirs.pk, "body": "No"})
    assert (ok.status_code, denied.status_code) == (302, 403)
    assert list(theirs.replies.values_list("body", flat=True)) == []


@pytest.mark.django_db
def test_peer_reviewer_exports_and_comments_but_changes_nothing_else(
    client, project, topic_area, report_data, cast
):
    client.force_login(cast["peer_reviewer"])
    export = client.get(_url("report_export", project), {"format": "json"})
    assert export.status_code == 200
    settings = client.post(
        _url("report_settings", project),
        {
            "topic": topic_area.key,
            f"settings-{topic_area.key}-topic": topic_area.key,
            f"settings-{topic_area.key}-version": 0,
            f"settings-{topic_area.key}-moderate_high_counts_as": "high",
            f"settings-{topic_area.key}-low_moderate_counts_as": "middle",
        },
    )
    assert settings.status_code == 403
    assert not ReportSettings.objects.exists()
    page = client.get(_url("report", project)).content.decode()
    assert _url("report_settings", project) not in page
    assert _url("comment_resolve", project) not in page
    assert 'data-testid="comment-form"' in page
    dashboard = client.get(_url("project_dashboard", project)).content.decode()
    assert "?panel=open" not in dashboard  # the open-comments panel is for leads
    assert _url("report_export", project) in page
    # A reviewer neither exports nor sees the export form.
    client.force_login(cast["reviewer"])
    assert client.get(_url("report_export", project), {"format": "json"}).status_code == 403
    assert (
        _url("report_export", project) not in client.get(_url("report", project)).content.decode()
    )


@pytest.mark.django_db
def test_lead_saves_report_settings_through_the_page(
    client, project, topic_area, report_data, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast["lead"])
    prefix = f"settings-{topic_area.key}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("report_settings", project),
            {
                "topic": topic_area.key,
                f"{prefix}-topic": topic_area.key,
                f"{prefix}-version": 0,
                f"{prefix}-moderate_high_counts_as": "high",
                f"{prefix}-low_moderate_counts_as": "middle",
                f"{prefix}-statement_caseload": "Lower caseloads help.",
            },
        )
    assert response.status_code == 302
    page = client.get(_url("report", project)).content.decode()
    assert "Lower caseloads help." in page
    assert "“Moderate to high” is counted as “high”." in page
    stale = client.post(
        _url("report_settings", project),
        {
            "topic": topic_area.key,
            f"{prefix}-topic": topic_area.key,
            f"{prefix}-version": 0,
            f"{prefix}-moderate_high_counts_as": "middle",
            f"{prefix}-low_moderate_counts_as": "middle",
        },
        follow=True,
    )
    assert "Someone else saved this in the meantime" in stale.content.decode()
    assert ReportSettings.objects.get().moderate_high_counts_as == "high"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["report", "comments", "report_export"])
def test_non_members_get_404(client, project, report_data, cast, name):
    client.force_login(cast["outsider"])
    assert client.get(_url(name, project), {"format": "xlsx"}).status_code == 404


@pytest.mark.django_db
def test_comments_page_lists_open_and_all_threads(client, project, report_data, cast):
    first = comment_services.comment_create(
        project=project,
        author=cast["peer_reviewer"],
        target_kind="category",
        target_id=report_data["categories"][1].pk,
        body="Open one",
    )
    second = comment_services.comment_create(
        project=project,
        author=cast["peer_reviewer"],
        target_kind="category",
        target_id=report_data["categories"][1].pk,
        body="Closed one",
    )
    comment_services.comment_resolve(comment=second, actor=cast["lead"])
    client.force_login(cast["peer_reviewer"])
    open_page = client.get(_url("comments", project)).content.decode()
    assert "Open one" in open_page and "Closed one" not in open_page
    all_page = client.get(_url("comments", project), {"show": "all"}).content.decode()
    assert "Closed one" in all_page
    assert first.is_open and not Comment.objects.get(pk=second.pk).is_open
