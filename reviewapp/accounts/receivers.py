"""What every login does, however it happens (the login page, the admin's, an invitation):
record the session for the profile page, and note whether a second step is owed."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from reviewapp.accounts.middleware import SESSION_KEY, SET_UP, VERIFY
from reviewapp.accounts.services import (
    two_factor_enabled,
    two_factor_required,
    user_session_record,
)


@receiver(user_logged_in, dispatch_uid="reviewapp.accounts.on_login")
def on_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    if two_factor_enabled(user):
        request.session[SESSION_KEY] = VERIFY
    elif two_factor_required(user):
        request.session[SESSION_KEY] = SET_UP
    else:
        request.session.pop(SESSION_KEY, None)
    user_session_record(request=request, user=user)
