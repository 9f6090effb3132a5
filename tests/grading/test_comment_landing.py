"""Reply and Resolve land on the thread, on the page they were sent from."""

import pytest
from django.urls import reverse

from tests.factories.grading import CommentFactory


@pytest.mark.parametrize(("back", "page"), [({"back": "comments"}, "comments"), ({}, "report")])
@pytest.mark.parametrize("action", ["comment_reply", "comment_resolve"])
def test_reply_and_resolve_land_on_the_thread(client, lead, topic_area, back, page, action):
    comment = CommentFactory(
        project=topic_area.project, topic_area=topic_area, target_id=topic_area.pk
    )
    client.force_login(lead)
    data = {"comment": comment.pk, "body": "Answered in the methods.", **back}
    response = client.post(reverse(action, kwargs={"slug": topic_area.project.slug}), data)
    assert response.status_code == 302
    expected = reverse(page, kwargs={"slug": topic_area.project.slug})
    assert response["Location"] == f"{expected}#comment-{comment.pk}"


def test_the_comments_page_sends_back_with_its_threads(client, lead, topic_area):
    comment = CommentFactory(
        project=topic_area.project, topic_area=topic_area, target_id=topic_area.pk
    )
    client.force_login(lead)
    body = client.get(reverse("comments", kwargs={"slug": topic_area.project.slug})).content
    assert f'value="{comment.pk}"><input type="hidden" name="back" value="comments">' in (
        body.decode()
    )
