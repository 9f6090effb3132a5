"""Login throttling with django-axes: who a login attempt comes from, and the lockout page."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render


def client_ip(request) -> str:
    """The client's address (AXES_CLIENT_IP_CALLABLE). Behind the TLS proxy every request
    comes from the proxy, which appends the address it saw to X-Forwarded-For: the last entry
    is the one to trust (the ones before it are the client's own word)."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")


@login_not_required
def login_locked_out(request, original_response=None, credentials=None):
    """The answer to a login after too many wrong passwords (AXES_LOCKOUT_CALLABLE): 429 with
    a page that says how long to wait."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
