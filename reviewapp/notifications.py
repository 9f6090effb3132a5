"""Notifications by mail: a service records what happened for whom (`notify`), and the person's
profile decides: nothing, a mail at once, or one daily digest (`notifications_send_digests`,
run by the beat service and `manage.py send_digests`).

A notification is a row with its kind and parameters, rendered when mailed, in the
recipient's language. An unsent notification of the same kind and page is not repeated: ten
new conflicts on one stage make one line in the digest."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reviewapp.mail import mail_send, user_language
from reviewapp.models import Notification, Project, UserProfile
from reviewapp.tasking import enqueue_on_commit


def notify(*, users, kind: str, project: Project, params: dict, path: str, actor=None) -> int:
    """Record `kind` for each of `users` (not the actor, not someone who turned them off)."""
    recipients = {user.pk: user for user in users if user is not None and user.is_active}
    if actor is not None:
        recipients.pop(actor.pk, None)
    if not recipients:
        return 0
    choices = dict(
        UserProfile.objects.filter(user_id__in=recipients).values_list("user_id", "notify")
    )
    pending = set(
        Notification.objects.filter(
            user_id__in=recipients, kind=kind, path=path, sent_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    made = 0
    for user_id in recipients:
        choice = choices.get(user_id, UserProfile.Notify.DAILY)
        if choice == UserProfile.Notify.OFF or user_id in pending:
            continue
        notification = Notification.objects.create(
            user_id=user_id, project=project, kind=kind, params=params, path=path
        )
        made += 1
        if choice == UserProfile.Notify.IMMEDIATE:
            enqueue_on_commit(
                "reviewapp.tasks.notification_send_task", notification_id=notification.pk
            )
    return made


def notification_text(notification: Notification) -> str:
    """The line that tells it, in the active language."""
    params = {"project": notification.project.title, **notification.params}
    texts = {
        Notification.Kind.CONFLICT: _("Screening conflicts wait for a lead in %(topic)s."),
        Notification.Kind.COMMENT: _("Your comment on %(target)s was %(what)s."),
        Notification.Kind.CONSENSUS: _("Both extractions of %(target)s are in: a consensus waits."),
        Notification.Kind.IMPORT: _("The import of %(file)s %(what)s."),
    }
    what = params.get("what")
    if what:
        params["what"] = {
            "answered": _("answered"),
            "resolved": _("resolved"),
            "done": _("is finished"),
            "failed": _("failed"),
        }.get(what, what)
    return texts[notification.kind] % params


def _send(user, notifications: list[Notification]) -> None:
    language = user_language(user)
    with translation.override(language):
        items = [
            {
                "project": n.project.title,
                "text": notification_text(n),
                "link": settings.SITE_URL.rstrip("/") + n.path,
            }
            for n in notifications
        ]
    mail_send(
        to=user.email,
        template="notifications",
        language=language,
        context={"user_name": user.get_full_name() or user.get_username(), "items": items},
    )


@transaction.atomic
def notification_send(*, notification_id: int) -> bool:
    """Mail one notification now (the "at once" choice); False if gone or already sent."""
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("user", "project")
        .filter(pk=notification_id, sent_at__isnull=True)
        .first()
    )
    if notification is None or not notification.user.email:
        return False
    _send(notification.user, [notification])
    notification.sent_at = timezone.now()
    notification.save(update_fields=["sent_at"])
    return True


def notifications_send_digests() -> int:
    """One mail per person with every notification not yet sent; the number of mails."""
    unsent = (
        Notification.objects.filter(sent_at__isnull=True)
        .select_related("user", "project")
        .order_by("user_id", "created_at", "id")
    )
    by_user: dict[int, list[Notification]] = {}
    for notification in unsent:
        by_user.setdefault(notification.user_id, []).append(notification)
    mails = 0
    for notifications in by_user.values():
        user = notifications[0].user
        ids = [n.pk for n in notifications]
        with transaction.atomic():
            # Claimed first: a second digest run at the same time finds none of these.
            claimed = Notification.objects.filter(pk__in=ids, sent_at__isnull=True).update(
                sent_at=timezone.now()
            )
            if claimed != len(ids) or not user.email:
                continue
            _send(user, notifications)
        mails += 1
    return mails
