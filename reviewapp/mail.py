"""The one way the application sends mail: in the recipient's language, plain text and HTML.

Each mail is three templates under templates/email/: NAME_subject.txt, NAME.txt and
NAME.html, rendered with the recipient's language active (their profile's, or the
invitation's for someone without an account yet). Links in mails are absolute: the caller
passes the site's base address (request.build_absolute_uri("/")).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def mail_render(*, template: str, language: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) of the mail in `language`."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"email/{template}_subject.txt", context).split())
        text = render_to_string(f"email/{template}.txt", context)
        html = render_to_string(f"email/{template}.html", context)
    return subject, text, html


def mail_send(*, to: str, template: str, language: str, context: dict) -> None:
    """Render and send now (raises on an SMTP failure)."""
    subject, text, html = mail_render(template=template, language=language, context=context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


def mail_send_on_commit(*, to: str, template: str, language: str, context: dict) -> None:
    """Send once the caller's transaction commits. A mail server that is down must not undo
    the change that asked for the mail (the invitation stays, and can be sent again): the
    failure is logged."""

    def send():
        try:
            mail_send(to=to, template=template, language=language, context=context)
        except Exception:
            logger.warning("could not send the %s mail to %s", template, to, exc_info=True)
            raise

    transaction.on_commit(send, robust=True)


def user_language(user) -> str:
    """The language of `user`'s mails: their profile's, else the installation's default."""
    profile = getattr(user, "profile", None) if user.pk else None
    if profile is not None:
        return profile.language
    return "da" if settings.LANGUAGE_CODE.startswith("da") else "en"
