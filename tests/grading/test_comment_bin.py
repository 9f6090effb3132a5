"""Deleting a comment to the bin (its author or a lead) with its replies, and restoring it:
it leaves the threads, the dashboard's open comments, the home page's work and the API."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from grading.models import Comment
from grading.rules import can_delete_comment
from grading.services import comments as comment_services
from reviewapp.models import AuditEntry
from reviewapp.softdelete import bin_rows
from tests.api.conftest import token_client
from tests.factories.grading import StudyFactory
from tests.factories.reviewapp import MembershipFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(project, topic_area, cast):
    """A reviewer's open comment on a study with the lead's reply, and another comment."""
    study = StudyFactory(topic_area=topic_area, label="Koning (2009)")
    comment = comment_services.comment_create(
        project=project,
        author=cast["reviewer"],
        target_kind="study",
        target_id=study.pk,
        body="Is the sample size right?",
    )
    reply = comment_services.comment_reply(comment=comment, author=cast["lead"], body="Checking.")
    other = comment_services.comment_create(
        project=project,
        author=cast["peer_reviewer"],
        target_kind="study",
        target_id=study.pk,
        body="Which country?",
    )
    return comment, reply, other


def _url(name, project, suffix=""):
    return reverse(name, kwargs={"slug": project.slug}) + suffix


def test_author_deletes_a_comment_with_its_replies_and_a_lead_restores_it(project, cast, thread):
    comment, reply, other = thread
    comment_services.comment_delete(comment=comment, actor=cast["reviewer"])

    assert list(Comment.objects.values_list("body", flat=True)) == ["Which country?"]
    entry = AuditEntry.objects.get(action="comment.delete")
    assert (entry.actor, entry.object_id) == (cast["reviewer"], str(comment.pk))
    assert [row.pk for row in bin_rows(project)] == [comment.pk]  # the reply goes with it
    with pytest.raises(ValidationError, match="restore the thread"):
        comment_services.comment_restore(comment=reply, actor=cast["lead"])

    comment_services.comment_restore(comment=comment, actor=cast["lead"])

    assert list(Comment.objects.values_list("body", flat=True)) == [
        "Is the sample size right?",
        "Checking.",
        "Which country?",
    ]
    assert AuditEntry.objects.filter(action="comment.restore").count() == 1


def test_a_reply_deleted_on_its_own_stays_in_the_bin_when_its_thread_comes_back(cast, thread):
    comment, reply, _other = thread
    comment_services.comment_delete(comment=reply, actor=cast["lead"])
    comment_services.comment_delete(comment=comment, actor=cast["lead"])
    comment_services.comment_restore(comment=comment, actor=cast["lead"])

    assert list(comment.replies.all()) == []
    assert Comment.all_objects.get(pk=reply.pk).in_bin


def test_who_may_delete_a_comment(cast, thread):
    comment, _reply, other = thread
    other_lead = MembershipFactory(project=ProjectFactory(), role="lead").user

    assert can_delete_comment(cast["lead"], comment)
    assert can_delete_comment(cast["reviewer"], comment)  # its author
    for user in (cast["reviewer2"], cast["peer_reviewer"], cast["outsider"], other_lead):
        assert not can_delete_comment(user, comment)
    with pytest.raises(PermissionDenied):
        comment_services.comment_delete(comment=other, actor=cast["reviewer"])
    assert Comment.objects.filter(pk=other.pk).exists()


# --- the pages ---------------------------------------------------------------------------


def test_deleted_comment_leaves_the_threads_the_open_panel_and_the_home_page(
    client, project, cast, thread
):
    comment, reply, _other = thread
    client.force_login(cast["lead"])
    page = client.get(_url("comments", project)).content.decode()
    assert page.count('data-testid="comment-delete"') == 3  # a lead may delete each
    assert "2 open comments" in client.get(reverse("project_list")).content.decode()

    response = client.post(
        _url("comment_delete", project), {"comment": comment.pk, "back": "comments"}, follow=True
    )

    page = response.content.decode()
    assert "The comment is in the bin; a lead can restore it until" in page
    assert "Is the sample size right?" not in page
    assert "Checking." not in page
    assert "Which country?" in page
    panel = client.get(_url("comments", project, "?panel=open")).content.decode()
    assert f"#comment-{comment.pk}" not in panel
    assert "Which country?" in panel
    home = client.get(reverse("project_list")).content.decode()
    assert "1 open comment" in home and "2 open comments" not in home
    bin_page = client.get(_url("project_bin", project)).content.decode()
    assert bin_page.count('data-testid="bin-row"') == 1
    assert "Is the sample size right?" in bin_page


def test_reviewer_sees_delete_on_own_comment_only(client, project, cast, thread):
    comment, _reply, other = thread
    client.force_login(cast["reviewer"])
    page = client.get(_url("comments", project)).content.decode()
    assert page.count('data-testid="comment-delete"') == 1

    assert client.post(_url("comment_delete", project), {"comment": other.pk}).status_code == 403
    assert Comment.objects.filter(pk=other.pk).exists()


def test_page_lead_of_another_project_gets_404(client, project, thread):
    comment, _reply, _other = thread
    client.force_login(MembershipFactory(project=ProjectFactory(), role="lead").user)

    assert client.post(_url("comment_delete", project), {"comment": comment.pk}).status_code == 404
    assert Comment.objects.filter(pk=comment.pk).exists()


# --- the API -----------------------------------------------------------------------------


def _api(project, suffix):
    return f"/api/projects/{project.slug}/comments/{suffix}"


def test_api_delete_answers_204_and_restore_brings_the_thread_back(project, cast, thread):
    comment, _reply, _other = thread
    client = token_client(cast["reviewer"])

    response = client.delete(_api(project, f"{comment.pk}/"))
    assert (response.status_code, response.content) == (204, b"")
    assert client.get(_api(project, f"{comment.pk}/")).status_code == 404
    listed = client.get(_api(project, "")).json()["results"]
    assert [row["body"] for row in listed] == ["Which country?"]

    response = token_client(cast["lead"]).post(_api(project, f"{comment.pk}/restore/"))
    assert (response.status_code, response.json()["body"]) == (200, "Is the sample size right?")
    assert Comment.objects.count() == 3


def test_api_lead_of_another_project_gets_404_with_the_comment_present(project, thread):
    comment, _reply, _other = thread
    client = token_client(MembershipFactory(project=ProjectFactory(), role="lead").user)

    assert client.delete(_api(project, f"{comment.pk}/")).status_code == 404
    comment_services.comment_delete(comment=comment, actor=comment.author)
    assert client.post(_api(project, f"{comment.pk}/restore/")).status_code == 404
    assert Comment.all_objects.get(pk=comment.pk).in_bin


def test_api_reviewer_who_is_not_the_author_gets_403(project, cast, thread):
    comment, _reply, _other = thread
    client = token_client(cast["reviewer2"])

    assert client.delete(_api(project, f"{comment.pk}/")).status_code == 403
    comment_services.comment_delete(comment=comment, actor=cast["lead"])
    assert client.post(_api(project, f"{comment.pk}/restore/")).status_code == 403
    assert Comment.all_objects.get(pk=comment.pk).in_bin
