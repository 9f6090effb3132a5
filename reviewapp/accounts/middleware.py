"""The second step of the login: a person with two-factor login on gives a code before any
other page; one who must have it (TWO_FACTOR_FOR_LEADS) sets it up first.

What the login found is in the session (SESSION_KEY, set by
reviewapp.accounts.receivers.on_login), so a request costs no query for it."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

SESSION_KEY = "reviewapp_two_factor"
VERIFY, SET_UP = "verify", "set_up"

# Pages open before the second step: no one's data, or the way out. Everything else,
# the profile's security controls and the admin included, waits for the code.
_OPEN_PREFIXES = (
    "/static/",
    "/i18n/",
    "/healthz",
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/password-reset/",
    "/accounts/reset/",
)
_STEP_PAGE = {VERIFY: "two_factor_verify", SET_UP: "two_factor_setup"}


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        step = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        owed = step in _STEP_PAGE and request.user.is_authenticated
        if owed and not request.user.is_verified():
            target = reverse(_STEP_PAGE[step])
            if request.path != target and not request.path.startswith(_OPEN_PREFIXES):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{target}?{query}")
        return self.get_response(request)
