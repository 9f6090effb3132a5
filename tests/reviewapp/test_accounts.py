"""Accounts: invitations, password reset, two-factor login, sessions, who creates projects,
the admin, and the mail they send (Django's outbox)."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from reviewapp.accounts import services
from reviewapp.accounts.tokens import invitation_token
from reviewapp.env import ImproperlyConfiguredEnv, env_email
from reviewapp.mail import mail_render
from reviewapp.models import Invitation, Membership, Role, UserSession
from tests.factories.reviewapp import (
    PASSWORD,
    InvitationFactory,
    MembershipFactory,
    UserFactory,
    UserProfileFactory,
    UserSessionFactory,
)

LINK = re.compile(r"https?://[^\s\"<>]+")


def _link(mail) -> str:
    return LINK.search(mail.body).group(0)


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def _code(device: TOTPDevice, ahead: int = 0) -> str:
    device.refresh_from_db()
    return (
        f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead):06d}"
    )


# --- Settings ---------------------------------------------------------------------------


def test_email_url_gives_smtp_with_starttls_and_quoted_credentials():
    settings = env_email({"EMAIL_URL": "smtp://mailer%40uni.dk:p%2Fss@smtp.uni.dk:587?tls=1"})
    assert settings == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.uni.dk",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer@uni.dk",
        "EMAIL_HOST_PASSWORD": "p/ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
    }


def test_email_variables_and_the_console_default():
    assert env_email({})["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    settings = env_email(
        {"EMAIL_HOST": "mailpit", "EMAIL_PORT": "1025", "EMAIL_USER": "u", "EMAIL_PASSWORD": "p"}
    )
    assert (settings["EMAIL_HOST"], settings["EMAIL_PORT"], settings["EMAIL_HOST_USER"]) == (
        "mailpit",
        1025,
        "u",
    )
    assert env_email({"EMAIL_URL": "smtps://h"})["EMAIL_PORT"] == 465


@pytest.mark.parametrize(
    "environ",
    [
        {"EMAIL_URL": "http://smtp.uni.dk"},
        {"EMAIL_URL": "smtp://smtp.uni.dk:port"},
        {"EMAIL_URL": "smtp://h?tls=maybe"},
        {"EMAIL_HOST": "h", "EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"},
    ],
)
def test_bad_email_settings_fail_loudly(environ):
    with pytest.raises(ImproperlyConfiguredEnv):
        env_email(environ)


# --- The mail helper --------------------------------------------------------------------


def test_a_mail_is_rendered_in_the_recipients_language_as_text_and_html():
    context = {"user_name": "Anna", "username": "anna", "link": "http://x/reset/1/"}
    subject_da, text_da, html_da = mail_render(
        template="password_reset", language="da", context=context
    )
    subject_en, text_en, html_en = mail_render(
        template="password_reset", language="en", context=context
    )
    assert subject_en == "Reset your Reviewapp password"
    assert "Hello Anna," in text_en and "http://x/reset/1/" in text_en
    assert '<a href="http://x/reset/1/">' in html_en and '<html lang="en">' in html_en
    assert '<html lang="da">' in html_da


# --- Invitations ------------------------------------------------------------------------


def test_lead_invites_by_email_and_the_invitation_is_listed(
    client, cast, project, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(cast["lead"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invitation_create", kwargs={"slug": project.slug}),
            {"email": "New.Person@Example.org", "role": Role.REVIEWER, "language": "en"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "new.person@example.org",
        Role.REVIEWER,
        cast["lead"],
    )
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    [mail] = mailoutbox
    assert mail.to == ["new.person@example.org"]
    assert mail.subject == "Invitation to the review “Secret review of caseloads”"
    assert "as Reviewer" in mail.body
    assert _path(_link(mail)) == reverse(
        "invitation_accept", kwargs={"token": invitation_token(invitation.pk)}
    )
    assert mail.alternatives[0].mimetype == "text/html"
    page = client.get(reverse("members", kwargs={"slug": project.slug})).content.decode()
    assert "new.person@example.org" in page
    assert page.count('data-testid="invitation-row"') == 1


def test_invitation_of_a_member_or_a_pending_address_is_refused(
    client, cast, project, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(cast["lead"])
    url = reverse("invitation_create", kwargs={"slug": project.slug})
    member = client.post(url, {"email": cast["reviewer"].email, "role": "lead", "language": "en"})
    assert member.status_code == 400
    assert "is already a member of this project" in member.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"email": "x@example.org", "role": "reviewer", "language": "en"})
    again = client.post(url, {"email": "X@example.org", "role": "reviewer", "language": "en"})
    assert again.status_code == 400
    assert "already has a pending invitation" in again.content.decode()
    assert Invitation.objects.count() == 1
    assert len(mailoutbox) == 1


def test_an_existing_user_gets_the_invitation_in_their_own_language(cast, project, mailoutbox):
    UserProfileFactory(user=cast["outsider"], language="da")
    invitation = services.invitation_create(
        project=project,
        actor=cast["lead"],
        email=cast["outsider"].email,
        role=Role.REVIEWER,
        language="en",
        base_url="http://testserver/",
    )
    assert invitation.language == "da"


def test_reviewer_cannot_invite_or_revoke_and_sees_no_pending_invitation(client, cast, project):
    invitation = InvitationFactory(project=project, email="hidden-invitee@example.org")
    client.force_login(cast["reviewer"])
    invite = client.post(
        reverse("invitation_create", kwargs={"slug": project.slug}),
        {"email": "friend@example.org", "role": "lead", "language": "en"},
    )
    revoke = client.post(
        reverse("invitation_revoke", kwargs={"slug": project.slug, "invitation_id": invitation.pk})
    )
    page = client.get(reverse("members", kwargs={"slug": project.slug})).content.decode()
    assert (invite.status_code, revoke.status_code) == (403, 403)
    assert list(Invitation.objects.values_list("email", "revoked_at")) == [
        ("hidden-invitee@example.org", None)
    ]
    assert "hidden-invitee@example.org" not in page


def test_non_member_gets_404_on_invitations_and_nothing_leaks(client, cast, project):
    invitation = InvitationFactory(project=project, email="hidden-invitee@example.org")
    client.force_login(cast["outsider"])
    for response in [
        client.post(
            reverse("invitation_create", kwargs={"slug": project.slug}),
            {"email": "friend@example.org", "role": "lead", "language": "en"},
        ),
        client.post(
            reverse(
                "invitation_revoke", kwargs={"slug": project.slug, "invitation_id": invitation.pk}
            )
        ),
    ]:
        assert response.status_code == 404
        assert "hidden-invitee" not in response.content.decode()
        assert "Secret review of caseloads" not in response.content.decode()
    assert Invitation.objects.count() == 1


def test_a_new_person_accepts_sets_name_and_password_and_is_logged_in(client, project):
    invitation = InvitationFactory(project=project, email="new@example.org", role=Role.REVIEWER)
    url = reverse("invitation_accept", kwargs={"token": invitation_token(invitation.pk)})
    page = client.get(url)
    assert page.status_code == 200
    assert "Join “Secret review of caseloads”" in page.content.decode()
    response = client.post(
        url,
        {
            "first_name": "Nina",
            "last_name": "Nørgaard",
            "username": "nina",
            "password1": "a-good-long-passphrase",
            "password2": "a-good-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    membership = Membership.objects.get(project=project, user__username="nina")
    user = membership.user
    assert (user.email, user.get_full_name(), membership.role) == (
        "new@example.org",
        "Nina Nørgaard",
        Role.REVIEWER,
    )
    assert user.check_password("a-good-long-passphrase")
    assert user.profile.language == "en"
    assert client.get(project.get_absolute_url()).status_code == 200
    invitation.refresh_from_db()
    assert (invitation.accepted_by, invitation.accepted_at is not None) == (user, True)


def test_an_invitation_link_works_once(client, project):
    invitation = InvitationFactory(project=project)
    url = reverse("invitation_accept", kwargs={"token": invitation_token(invitation.pk)})
    client.force_login(UserFactory(username="ole"))
    assert client.post(url).status_code == 302
    client.logout()
    again = client.get(url)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    client.force_login(UserFactory(username="per"))
    assert client.post(url).status_code == 410
    assert list(Membership.objects.filter(project=project).values_list("user__username")) == [
        ("ole",)
    ]


def test_an_invitation_expires_after_seven_days_by_its_signature_and_its_row(
    client, project, settings
):
    invitation = InvitationFactory(project=project)
    url = reverse("invitation_accept", kwargs={"token": invitation_token(invitation.pk)})
    settings.INVITATION_MAX_AGE = timedelta(seconds=-1)  # the signature is older than allowed
    assert client.get(url).status_code == 410
    settings.INVITATION_MAX_AGE = timedelta(days=7)
    assert client.get(url).status_code == 200
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    response = client.get(url)
    assert response.status_code == 410
    assert "has expired" in response.content.decode()


def test_a_revoked_or_altered_invitation_is_refused(client, cast, project):
    invitation = InvitationFactory(project=project)
    token = invitation_token(invitation.pk)
    client.force_login(cast["lead"])
    client.post(
        reverse("invitation_revoke", kwargs={"slug": project.slug, "invitation_id": invitation.pk})
    )
    client.logout()
    response = client.get(reverse("invitation_accept", kwargs={"token": token}))
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    other = InvitationFactory(project=project)
    # Another invitation's signature on this one's id.
    _payload, stamp, signature = invitation_token(other.pk).split(":")
    payload = signing.b64_encode(b'{"invitation":%d}' % invitation.pk).decode()
    forged = ":".join([payload, stamp, signature])
    assert client.get(reverse("invitation_accept", kwargs={"token": forged})).status_code == 404
    tampered = invitation_token(other.pk)[:-2] + "xx"
    assert client.get(reverse("invitation_accept", kwargs={"token": tampered})).status_code == 404


def test_existing_logged_in_user_accepts(client, cast, project):
    invitation = InvitationFactory(project=project, role=Role.PEER_REVIEWER)
    client.force_login(cast["outsider"])
    url = reverse("invitation_accept", kwargs={"token": invitation_token(invitation.pk)})
    assert "Accept as outsider?" in client.get(url).content.decode()
    client.post(url)
    assert Membership.objects.get(project=project, user=cast["outsider"]).role == (
        Role.PEER_REVIEWER
    )


@pytest.mark.parametrize("count", [1, 3])
def test_members_page_queries_do_not_grow_with_invitations(
    client, cast, project, django_assert_num_queries, count
):
    for _ in range(count):
        InvitationFactory(project=project)
    client.force_login(cast["lead"])
    url = reverse("members", kwargs={"slug": project.slug})
    client.get(url)
    with django_assert_num_queries(5):
        client.get(url)


# --- Password reset and change ------------------------------------------------------------


def _reset(client, email, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def test_password_reset_through_the_mail_and_the_link_used_twice_is_refused(client, db, mailoutbox):
    anna = UserFactory(username="anna", email="anna@example.org", first_name="Anna")
    UserProfileFactory(user=anna, language="en")
    response = _reset(client, "ANNA@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    [mail] = mailoutbox
    assert (mail.to, mail.subject) == (["anna@example.org"], "Reset your Reviewapp password")
    assert "Your username is anna." in mail.body
    link = _path(_link(mail))
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "another-long-secret", "new_password2": "another-long-secret"}
    )
    assert done["Location"] == reverse("password_reset_complete")
    anna.refresh_from_db()
    assert anna.check_password("another-long-secret")

    again = client.get(link, follow=True)
    assert 'data-testid="reset-link-invalid"' in again.content.decode()
    post_again = client.post(
        set_url, {"new_password1": "third-long-secret", "new_password2": "third-long-secret"}
    )
    assert 'data-testid="reset-link-invalid"' in post_again.content.decode()
    anna.refresh_from_db()
    assert anna.check_password("another-long-secret")


def test_reset_of_an_unknown_address_answers_the_same_and_sends_nothing(client, db, mailoutbox):
    response = _reset(client, "nobody@example.org")
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []


def test_reset_mail_is_in_the_persons_language(client, db, mailoutbox):
    bo = UserFactory(username="bo", email="bo@example.org")
    UserProfileFactory(user=bo, language="da")
    _reset(client, "bo@example.org")
    [mail] = mailoutbox
    assert (
        mail.body
        == mail_render(
            template="password_reset",
            language="da",
            context={"user_name": "bo", "username": "bo", "link": _link(mail)},
        )[1]
    )


def test_reset_requests_are_throttled_per_address_and_per_client(client, db, mailoutbox, settings):
    settings.PASSWORD_RESET_PER_EMAIL = 3
    settings.PASSWORD_RESET_PER_IP = 5
    UserFactory(username="anna", email="anna@example.org")
    for _ in range(4):
        assert _reset(client, "anna@example.org").status_code == 302
    assert len(mailoutbox) == 3  # the fourth answers the same, sends nothing
    assert _reset(client, "other@example.org").status_code == 302
    blocked = _reset(client, "other@example.org")
    assert blocked.status_code == 429
    assert "Too many password reset requests" in blocked.content.decode()
    elsewhere = _reset(client, "other@example.org", REMOTE_ADDR="198.51.100.7")
    assert elsewhere.status_code == 302


def test_password_change_keeps_this_session_listed(client, db):
    anna = UserFactory(username="anna")
    client.post(reverse("login"), {"username": "anna", "password": PASSWORD})
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-changed-passphrase",
            "new_password2": "a-changed-passphrase",
        },
    )
    assert response["Location"] == reverse("password_change_done")
    assert UserSession.objects.filter(user=anna, session_id=client.session.session_key).exists()


# --- Two-factor login ---------------------------------------------------------------------


def _log_in(client, username):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def _turn_on(client) -> tuple[TOTPDevice, list[str]]:
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(reverse("two_factor_setup"), {"token": _code(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li>(\w+)</li>", response.content.decode())
    return device, codes


def test_setup_shows_an_svg_qr_code_and_turns_on_with_a_code(client, cast):
    client.force_login(cast["reviewer"])
    page = client.get(reverse("two_factor_setup")).content.decode()
    assert "<svg" in page and "<script" not in page.split("<main", 1)[1]
    wrong = client.post(reverse("two_factor_setup"), {"token": "000000"})
    assert wrong.status_code == 400
    assert not services.two_factor_enabled(cast["reviewer"])


def test_login_asks_for_the_code_and_a_recovery_code_works_once(client, cast, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    _log_in(client, "reviewer")
    device, codes = _turn_on(client)
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=cast["reviewer"]).count() == 10
    client.post(reverse("logout"))

    response = _log_in(client, "reviewer")
    dashboard = reverse("project_list")
    assert client.get(dashboard)["Location"] == (f"{reverse('two_factor_verify')}?next=%2F")
    assert client.get(reverse("profile")).status_code == 302
    wrong = client.post(reverse("two_factor_verify"), {"token": "123456", "next": "/"})
    assert wrong.status_code == 400
    ok = client.post(reverse("two_factor_verify"), {"token": _code(device, ahead=1), "next": "/"})
    assert ok["Location"] == "/"
    assert client.get(dashboard).status_code == 200
    client.post(reverse("logout"))

    _log_in(client, "reviewer")
    assert client.post(reverse("two_factor_verify"), {"token": codes[0]}).status_code == 302
    client.post(reverse("logout"))
    _log_in(client, "reviewer")
    assert client.post(reverse("two_factor_verify"), {"token": codes[0]}).status_code == 400
    assert response.status_code == 302


def test_a_password_alone_cannot_replace_or_turn_off_two_factor(client, cast):
    _log_in(client, "reviewer")
    device, _codes = _turn_on(client)
    client.post(reverse("logout"))
    _log_in(client, "reviewer")
    assert client.get(reverse("two_factor_setup"))["Location"].startswith(
        reverse("two_factor_verify")
    )
    assert client.post(reverse("two_factor_disable")).status_code == 302
    assert TOTPDevice.objects.filter(user=cast["reviewer"], confirmed=True).get() == device
    assert client.get("/admin/").status_code == 302


def test_leads_must_set_it_up_when_the_installation_requires_it(client, cast, settings):
    settings.TWO_FACTOR_FOR_LEADS = True
    _log_in(client, "lead")
    assert client.get("/")["Location"] == f"{reverse('two_factor_setup')}?next=%2F"
    assert (
        "requires two-factor login for project leads"
        in client.get(reverse("two_factor_setup")).content.decode()
    )
    _turn_on(client)
    assert client.get("/").status_code == 200
    client.post(reverse("two_factor_disable"))
    assert services.two_factor_enabled(cast["lead"])
    _log_in(client, "reviewer")
    assert client.get("/").status_code == 200


def test_two_factor_adds_no_query_to_a_page_for_people_without_it(client, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, modify_settings

    client.force_login(cast["reviewer"])
    client.get("/")
    with CaptureQueriesContext(connection) as with_two_factor:
        client.get("/")
    two_factor = [
        "django_otp.middleware.OTPMiddleware",
        "reviewapp.accounts.middleware.TwoFactorMiddleware",
    ]
    with modify_settings(MIDDLEWARE={"remove": two_factor}):
        client.get("/")
        with CaptureQueriesContext(connection) as without:
            client.get("/")
    assert len(with_two_factor.captured_queries) == len(without.captured_queries)


# --- Sessions -----------------------------------------------------------------------------


def test_sessions_are_listed_and_another_one_can_be_logged_out(client, cast, django_user_model):
    from django.test import Client

    laptop, phone = Client(), Client(HTTP_USER_AGENT="PhoneBrowser/1.0")
    _log_in(laptop, "reviewer")
    _log_in(phone, "reviewer")
    page = laptop.get(reverse("profile")).content.decode()
    assert page.count('data-testid="session-row"') == 2
    assert "PhoneBrowser/1.0" in page
    assert phone.session.session_key not in page  # a session key is never shown
    other = UserSession.objects.get(session_id=phone.session.session_key)
    laptop.post(reverse("user_session_revoke", kwargs={"user_session_id": other.pk}))
    assert phone.get("/")["Location"].startswith(reverse("login"))
    assert laptop.get("/").status_code == 200


def test_nobody_logs_out_another_persons_session(client, cast):
    theirs = UserSessionFactory(user=cast["lead"])
    client.force_login(cast["reviewer"])
    client.post(reverse("user_session_revoke", kwargs={"user_session_id": theirs.pk}))
    assert Session.objects.filter(pk=theirs.session_id).exists()


# --- Who may create projects; the admin --------------------------------------------------


def test_only_staff_create_projects_when_the_setting_says_staff(client, db, settings):
    settings.PROJECT_CREATION = "staff"
    anna = UserFactory(username="anna")
    client.force_login(anna)
    assert client.get(reverse("project_create")).status_code == 403
    assert "New project" not in client.get(reverse("project_list")).content.decode()
    api = client.post(
        "/api/projects/", {"title": "T", "slug": "t"}, content_type="application/json"
    )
    assert api.status_code == 403
    anna.is_staff = True
    anna.save()
    assert client.get(reverse("project_create")).status_code == 200
    created = client.post(
        reverse("project_create"),
        {"title": "Mine", "slug": "mine", "language": "en", "evidence_framework": "grade"},
    )
    assert created.status_code == 302


def test_everyone_creates_projects_on_the_embedded_default(client, db, settings):
    settings.PROJECT_CREATION = "everyone"
    client.force_login(UserFactory(username="anna"))
    assert "New project" in client.get(reverse("project_list")).content.decode()


def test_admin_pages_answer_staff_with_the_policy_and_no_inline_script(client, cast, topic_area):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(admin)
    for url in [
        "/admin/",
        "/admin/auth/user/",
        f"/admin/auth/user/{cast['reviewer'].pk}/change/",
        "/admin/reviewapp/project/",
        f"/admin/reviewapp/project/{topic_area.project.pk}/change/",
        "/admin/reviewapp/membership/",
        "/admin/screening/importjob/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        body = response.content.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body) == [], url
    client.force_login(cast["lead"])
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_admin_login_is_the_sites_login(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response["Location"] == f"{reverse('login')}?next=/admin/"


def test_admin_action_fails_a_stuck_import_job(client, cast, topic_area):
    from django.contrib.auth import get_user_model

    from screening.models import ImportJob
    from tests.factories.screening import ImportJobFactory

    stuck = ImportJobFactory(topic_area=topic_area, status=ImportJob.Status.RUNNING)
    done = ImportJobFactory(topic_area=topic_area, status=ImportJob.Status.DONE)
    admin = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(admin)
    client.post(
        "/admin/screening/importjob/",
        {"action": "fail_stuck", "_selected_action": [stuck.pk, done.pk]},
    )
    stuck.refresh_from_db()
    done.refresh_from_db()
    assert (stuck.status, done.status) == (ImportJob.Status.FAILED, ImportJob.Status.DONE)
    assert "stopped by an administrator" in stuck.error


def test_members_can_still_be_created_by_hand(client, cast, project):
    client.force_login(cast["lead"])
    client.post(
        reverse("member_create", kwargs={"slug": project.slug}),
        {"username": "offline", "password": "", "role": "reviewer"},
    )
    assert MembershipFactory._meta.model.objects.filter(user__username="offline").exists()
