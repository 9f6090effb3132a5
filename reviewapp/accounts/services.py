"""Every write about people: invitations, profiles, sessions and two-factor login.

Each write that concerns a project has its audit entry; mails go out after the commit
(reviewapp.mail)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from reviewapp import services
from reviewapp.accounts.tokens import (
    InvalidInvitationToken,
    invitation_id_from_token,
    invitation_token,
)
from reviewapp.audit import audit_record
from reviewapp.mail import mail_send_on_commit, user_language
from reviewapp.models import Invitation, Membership, Project, Role, UserProfile, UserSession
from reviewapp.throttling import client_ip

RECOVERY_CODE_COUNT = 10


# --- Profiles ---------------------------------------------------------------------------


def profile_for(user) -> UserProfile:
    profile, _created = UserProfile.objects.get_or_create(
        user=user, defaults={"language": user_language(user)}
    )
    return profile


def profile_update(*, user, language: str, notify: str) -> UserProfile:
    profile = profile_for(user)
    profile.language = language
    profile.notify = notify
    profile.full_clean()
    profile.save(update_fields=["language", "notify"])
    return profile


def notify_choice(user) -> str:
    profile = getattr(user, "profile", None)
    return profile.notify if profile is not None else UserProfile.Notify.DAILY


# --- Invitations ------------------------------------------------------------------------


class InvitationUnusable(Exception):
    """The link cannot be used: reason is "invalid", "expired", "used" or "revoked"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def invitation_status(invitation: Invitation) -> str:
    if invitation.revoked_at:
        return "revoked"
    if invitation.accepted_at:
        return "used"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return "pending"


def invitation_link(*, invitation: Invitation, base_url: str) -> str:
    path = reverse("invitation_accept", kwargs={"token": invitation_token(invitation.pk)})
    return base_url.rstrip("/") + path


@transaction.atomic
def invitation_create(
    *, project: Project, actor, email: str, role: str, language: str, base_url: str
) -> Invitation:
    """Invite `email` to `project` with `role` and send the link."""
    email = get_user_model().objects.normalize_email(email.strip()).lower()
    if Membership.objects.filter(project=project, user__email__iexact=email).exists():
        raise ValidationError(
            {"email": _("%(email)s is already a member of this project.") % {"email": email}}
        )
    pending = Invitation.objects.filter(
        project=project,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if pending.exists():
        raise ValidationError(
            {
                "email": _(
                    "%(email)s already has a pending invitation; revoke it to send a new one."
                )
                % {"email": email}
            }
        )
    existing = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    invitation = Invitation(
        project=project,
        email=email,
        role=role,
        language=user_language(existing) if existing else language,
        invited_by=actor,
        expires_at=timezone.now() + settings.INVITATION_MAX_AGE,
    )
    invitation.full_clean()
    invitation.save()
    audit_record(
        actor=actor,
        project=project,
        action="invitation.create",
        obj=invitation,
        after={"email": email, "role": role},
    )
    mail_send_on_commit(
        to=email,
        template="invitation",
        language=invitation.language,
        context={
            "project_title": project.title,
            "inviter": (actor.get_full_name() or actor.get_username()) if actor else "",
            "role": Role(invitation.role).label,  # lazy: translated in the mail's language
            "link": invitation_link(invitation=invitation, base_url=base_url),
            "expires_at": invitation.expires_at,
        },
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor) -> Invitation:
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation_status(locked) != "pending":
        raise ValidationError(_("This invitation is no longer pending."))
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        project=locked.project,
        action="invitation.revoke",
        obj=locked,
        before={"email": locked.email, "role": locked.role},
    )
    return locked


def invitation_for_token(token: str, *, for_update: bool = False) -> Invitation:
    """The pending invitation the link names, or InvitationUnusable saying why not."""
    try:
        invitation_id = invitation_id_from_token(token)
    except InvalidInvitationToken as error:
        raise InvitationUnusable(error.reason) from None
    invitations = Invitation.objects.select_related("project")
    if for_update:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(pk=invitation_id).first()
    if invitation is None:
        raise InvitationUnusable("invalid")
    status = invitation_status(invitation)
    if status != "pending":
        raise InvitationUnusable(status)
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user) -> Membership:
    """`user` (logged in) accepts: they become a member with the invitation's role. The row
    is locked, so a link used twice at once still makes one membership."""
    invitation = invitation_for_token(token, for_update=True)
    if Membership.objects.filter(project=invitation.project, user=user).exists():
        raise ValidationError(_("You are already a member of this project."))
    membership = services.membership_add(
        project=invitation.project, user=user, role=invitation.role, actor=user
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        project=invitation.project,
        action="invitation.accept",
        obj=invitation,
        after={"email": invitation.email, "user": user.get_username()},
    )
    return membership


@transaction.atomic
def invitation_accept_new_user(
    *, token: str, username: str, first_name: str, last_name: str, password: str
) -> Membership:
    """A new person accepts: their account is made with the invitation's address."""
    invitation = invitation_for_token(token, for_update=True)
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": _("A user named %(name)s already exists.") % {"name": username}}
        )
    user = user_model.objects.create_user(
        username=username,
        email=invitation.email,
        password=password,
        first_name=first_name,
        last_name=last_name,
    )
    UserProfile.objects.create(user=user, language=invitation.language)
    audit_record(
        actor=user,
        project=invitation.project,
        action="user.create",
        obj=user,
        after={"username": username},
    )
    return invitation_accept(token=token, user=user)


def invitations_pending(project: Project):
    return Invitation.objects.filter(
        project=project,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")


# --- Sessions ---------------------------------------------------------------------------


def user_session_record(*, request, user) -> UserSession | None:
    """Remember the session a login just started (called on every login)."""
    session_key = request.session.session_key
    if not session_key or not Session.objects.filter(pk=session_key).exists():
        return None
    meta = getattr(request, "META", {})
    row, _created = UserSession.objects.update_or_create(
        session_id=session_key,
        defaults={
            "user": user,
            "ip_address": client_ip(request) if meta else "",
            "user_agent": meta.get("HTTP_USER_AGENT", "")[:300],
        },
    )
    return row


def user_sessions(user):
    """The person's sessions that can still be used, newest first."""
    return UserSession.objects.filter(user=user, session__expire_date__gt=timezone.now())


def user_session_revoke(*, user, user_session_id: int) -> bool:
    """Log one of the person's sessions out (the session goes, and with it its row)."""
    keys = UserSession.objects.filter(user=user, pk=user_session_id).values("session_id")
    deleted, _rows = Session.objects.filter(pk__in=keys).delete()
    return deleted > 0


# --- Two-factor login -------------------------------------------------------------------


def two_factor_enabled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_required(user) -> bool:
    """Whether the installation asks this person for two-factor login (TWO_FACTOR_FOR_LEADS
    and they lead a project)."""
    return (
        settings.TWO_FACTOR_FOR_LEADS
        and Membership.objects.filter(user=user, role=Role.LEAD).exists()
    )


def totp_device_start(*, user) -> TOTPDevice:
    """The device being set up: a new secret, unconfirmed until a code from it is entered."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str) -> list[str] | None:
    """Turn two-factor login on once a code from the app matches: the device is confirmed,
    any older device goes, and ten recovery codes are made (returned in clear, once)."""
    if not device.verify_token(token.strip().replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_regenerate(user=device.user)


@transaction.atomic
def recovery_codes_regenerate(*, user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_devices(user) -> list:
    """The confirmed devices a login code may come from: the app first, then recovery codes."""
    return [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def two_factor_disable(*, user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
