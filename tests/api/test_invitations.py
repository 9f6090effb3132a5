"""Invitations through the API: the members page's pending list, its invitation form and its
*Withdraw*, through the page's services (the same mail goes out), leads only; the answer
never carries the link's token."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviewapp.accounts.tokens import invitation_token
from reviewapp.models import AuditEntry, Invitation, Role
from tests.api.conftest import SECRETS
from tests.factories.reviewapp import InvitationFactory


def _url(project, rest=""):
    return f"/api/projects/{project.slug}/invitations/{rest}"


def test_lead_invites_and_the_mail_goes_out(
    api, cast, project, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api["lead"].post(
            _url(project), {"email": "New.Person@Example.org", "role": "reviewer"}
        )

    assert response.status_code == 201, response.content[:300]
    invitation = Invitation.objects.get()
    body = response.json()
    assert {k: body[k] for k in ("id", "email", "role", "language", "invited_by", "status")} == {
        "id": invitation.pk,
        "email": "new.person@example.org",
        "role": "reviewer",
        "language": "en",
        "invited_by": "lead",
        "status": "pending",
    }
    assert body["revoke"] == (
        f"http://testserver/api/projects/{project.slug}/invitations/{invitation.pk}/revoke/"
    )
    [mail] = mailoutbox
    assert mail.to == ["new.person@example.org"]
    assert mail.subject == "Invitation to the review “Secret review of caseloads”"
    token = invitation_token(invitation.pk)
    assert token in mail.body
    # The link is the invitee's key: by mail only, never in the API's answer.
    assert token not in response.content.decode()
    assert AuditEntry.objects.filter(action="invitation.create").count() == 1


def test_invitation_in_danish_and_refused_twice(
    api, cast, project, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = api["lead"].post(
            _url(project), {"email": "x@example.org", "role": "lead", "language": "da"}
        )
    assert first.status_code == 201
    assert (first.json()["language"], first.json()["role"]) == ("da", "lead")
    again = api["lead"].post(_url(project), {"email": "X@example.org", "role": "reviewer"})
    assert again.status_code == 400
    assert "already has a pending invitation" in again.json()["field_errors"]["email"][0]
    member = api["lead"].post(_url(project), {"email": cast["reviewer"].email, "role": "lead"})
    assert member.status_code == 400
    assert list(member.json()["field_errors"]) == ["email"]
    assert Invitation.objects.count() == 1
    assert len(mailoutbox) == 1


def test_lead_lists_pending_invitations_only(api, project):
    pending = InvitationFactory(project=project, email="pending@example.org")
    revoked = InvitationFactory(project=project, email="gone@example.org")
    api["lead"].post(_url(project, f"{revoked.pk}/revoke/"))
    InvitationFactory(email="elsewhere@example.org")  # another project's

    response = api["lead"].get(_url(project))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["id"], r["email"], r["status"]) for r in rows] == [
        (pending.pk, "pending@example.org", "pending")
    ]
    assert invitation_token(pending.pk) not in response.content.decode()


def test_lead_revokes_and_the_link_stops_working(api, client, project):
    invitation = InvitationFactory(project=project, email="invitee@example.org")

    response = api["lead"].post(_url(project, f"{invitation.pk}/revoke/"))

    assert response.status_code == 200, response.content[:300]
    assert (response.json()["status"], response.json()["revoke"]) == ("revoked", None)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    entry = AuditEntry.objects.get(action="invitation.revoke")
    assert entry.before == {"email": "invitee@example.org", "role": Role.REVIEWER}
    again = api["lead"].post(_url(project, f"{invitation.pk}/revoke/"))
    assert again.status_code == 400
    assert again.json()["message"] == "This invitation is no longer pending."
    elsewhere = InvitationFactory(email="elsewhere@example.org")
    assert api["lead"].post(_url(project, f"{elsewhere.pk}/revoke/")).status_code == 404
    assert Invitation.objects.get(pk=elsewhere.pk).revoked_at is None


@pytest.mark.parametrize(
    ("role", "expected"),
    [("reviewer", 403), ("peer_reviewer", 403), ("outsider", 404), ("anonymous", 401)],
)
def test_invitations_denied_to_all_but_leads(api, project, review_data, mailoutbox, role, expected):
    invitation = review_data["invitation"]  # hidden-invitee@example.org, pending
    client = api[role]
    responses = [
        client.get(_url(project)),
        client.post(_url(project), {"email": "must-not@example.org", "role": "lead"}),
        client.post(_url(project, f"{invitation.pk}/revoke/")),
    ]
    for response in responses:
        assert response.status_code == expected, response.content[:300]
        for secret in SECRETS:
            assert secret not in response.content.decode(), secret
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert Invitation.objects.count() == 1
    assert mailoutbox == []


def test_invitation_list_queries_do_not_grow(api, project, django_assert_num_queries):
    client = api["lead"]
    InvitationFactory(project=project)
    client.get(_url(project))  # the token's last use is written once a while: not counted
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(_url(project)).json()["results"]) == 1
    InvitationFactory.create_batch(2, project=project)
    with django_assert_num_queries(len(one)):
        assert len(client.get(_url(project)).json()["results"]) == 3
