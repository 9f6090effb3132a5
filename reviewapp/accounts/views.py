"""Pages about one's own account: accepting an invitation, two-factor login, sessions,
password reset (Django's views with our templates and a throttle)."""

import base64

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from reviewapp.accounts import services
from reviewapp.accounts.forms import (
    InvitationSignupForm,
    PasswordResetForm,
    ProfilePreferencesForm,
    TokenForm,
)
from reviewapp.accounts.middleware import SESSION_KEY
from reviewapp.accounts.throttling import throttle_hit
from reviewapp.mail import user_language
from reviewapp.throttling import client_ip

# --- Invitations ------------------------------------------------------------------------

_UNUSABLE = {
    "invalid": gettext_lazy("This invitation link is not valid. Check that you copied all of it."),
    "expired": gettext_lazy("This invitation has expired. Ask the project's lead for a new one."),
    "used": gettext_lazy("This invitation has already been used."),
    "revoked": gettext_lazy("This invitation was withdrawn by the project's lead."),
}


def _unusable(request, reason: str):
    return render(
        request,
        "registration/invitation_unusable.html",
        {"message": _UNUSABLE[reason]},
        status=410 if reason in {"expired", "used", "revoked"} else 404,
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationUnusable as error:
        return _unusable(request, error.reason)
    context = {"invitation": invitation, "project": None}
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                membership = services.invitation_accept(token=token, user=request.user)
            except services.InvitationUnusable as error:
                return _unusable(request, error.reason)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("project_list")
            messages.success(
                request,
                _("You joined %(project)s as %(role)s.")
                % {"project": invitation.project.title, "role": membership.get_role_display()},
            )
            return redirect(invitation.project)
        return render(request, "registration/invitation_accept.html", context)
    form = InvitationSignupForm(request.POST or None, email=invitation.email)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                membership = services.invitation_accept_new_user(
                    token=token,
                    username=data["username"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    password=data["password1"],
                )
            except services.InvitationUnusable as error:
                return _unusable(request, error.reason)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                auth_login(
                    request, membership.user, backend="django.contrib.auth.backends.ModelBackend"
                )
                messages.success(
                    request,
                    _("Welcome! You joined %(project)s as %(role)s.")
                    % {"project": invitation.project.title, "role": membership.get_role_display()},
                )
                return redirect(invitation.project)
        status = 400
    context["form"] = form
    return render(request, "registration/invitation_accept.html", context, status=status)


# --- Two-factor login -------------------------------------------------------------------


def _next(request, default="project_list") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The login's second step: a code from the app, or a recovery code (used up)."""
    if request.user.is_verified() or not services.two_factor_enabled(request.user):
        return redirect(_next(request))
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            token = form.cleaned_data["token"].strip().replace(" ", "")
            for device in services.two_factor_devices(request.user):
                # Each device counts its own failures and makes the next try wait longer.
                if django_otp.verify_token(request.user, device.persistent_id, token):
                    django_otp.login(request, device)
                    request.session.pop(SESSION_KEY, None)
                    return redirect(_next(request))
            form.add_error("token", _("That code is not right, or was already used."))
        status = 400
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": _next(request)},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Turn two-factor login on: scan the code, enter a code from the app, keep the
    recovery codes. Someone who already has it and has not given a code this session may
    not replace it (a stolen password must not be enough)."""
    if services.two_factor_enabled(request.user) and not request.user.is_verified():
        return redirect(f"{reverse('two_factor_verify')}?next={reverse('profile')}")
    device = services.totp_device_start(user=request.user)
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            codes = services.totp_device_confirm(device=device, token=form.cleaned_data["token"])
            if codes is not None:
                django_otp.login(request, device)
                request.session.pop(SESSION_KEY, None)
                return render(
                    request,
                    "registration/recovery_codes.html",
                    {"codes": codes, "next": _next(request, "profile")},
                )
            form.add_error("token", _("That code does not match; check the app and try again."))
        status = 400
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": qr.svg_inline(scale=4, title=_("QR code for your authenticator app")),
            "secret": _grouped(device),
            "required": services.two_factor_required(request.user),
            "next": _next(request, "profile"),
        },
        status=status,
    )


def _grouped(device) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _require_verified(request) -> None:
    if services.two_factor_enabled(request.user) and not request.user.is_verified():
        raise PermissionDenied


@require_POST
def two_factor_disable(request):
    _require_verified(request)
    if services.two_factor_required(request.user):
        messages.error(request, _("This installation requires two-factor login for leads."))
        return redirect("profile")
    services.two_factor_disable(user=request.user)
    messages.success(request, _("Two-factor login is off."))
    return redirect("profile")


@require_POST
def recovery_codes_regenerate(request):
    _require_verified(request)
    if not services.two_factor_enabled(request.user):
        return redirect("profile")
    codes = services.recovery_codes_regenerate(user=request.user)
    return render(
        request, "registration/recovery_codes.html", {"codes": codes, "next": reverse("profile")}
    )


# --- The profile page's account block ---------------------------------------------------


def account_context(request) -> dict:
    """What the profile page's account block shows (templates/reviewapp/_profile_account.html)."""
    user = request.user
    enabled = services.two_factor_enabled(user)
    return {
        "two_factor_enabled": enabled,
        "two_factor_required": services.two_factor_required(user),
        "recovery_codes_left": services.recovery_codes_left(user) if enabled else 0,
        "user_sessions": services.user_sessions(user),
        "current_session_key": request.session.session_key,
        "preferences_form": ProfilePreferencesForm(
            initial={"language": user_language(user), "notify": services.notify_choice(user)}
        ),
    }


@require_POST
def user_session_revoke(request, user_session_id):
    _require_verified(request)
    if services.user_session_revoke(user=request.user, user_session_id=user_session_id):
        messages.success(request, _("The session was logged out."))
    return redirect("profile")


@require_POST
def profile_preferences(request):
    form = ProfilePreferencesForm(request.POST)
    if form.is_valid():
        services.profile_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your e-mail preferences were saved."))
    return redirect("profile")


# --- Passwords --------------------------------------------------------------------------


@login_not_required
def password_reset(request, *args, **kwargs):
    """Django's reset view, throttled: PASSWORD_RESET_PER_IP requests an hour from one client
    address (429), PASSWORD_RESET_PER_EMAIL mails an hour to one address (silently)."""
    if request.method == "POST" and not throttle_hit(
        "ip", client_ip(request), limit=settings.PASSWORD_RESET_PER_IP
    ):
        return render(request, "registration/password_reset_throttled.html", status=429)
    return _password_reset_view(request, *args, **kwargs)


class _ThrottledForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("per_email_limit", settings.PASSWORD_RESET_PER_EMAIL)
        super().__init__(*args, **kwargs)


_password_reset_view = auth_views.PasswordResetView.as_view(
    form_class=_ThrottledForm, success_url=reverse_lazy("password_reset_done")
)

password_reset_done = login_not_required(auth_views.PasswordResetDoneView.as_view())
password_reset_confirm = login_not_required(
    auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete"))
)
password_reset_complete = login_not_required(auth_views.PasswordResetCompleteView.as_view())


class _PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        # Django keeps this session logged in under a new key (the others end): list it again.
        response = super().form_valid(form)
        services.user_session_record(request=self.request, user=form.user)
        return response


password_change = _PasswordChangeView.as_view()
password_change_done = auth_views.PasswordChangeDoneView.as_view()
