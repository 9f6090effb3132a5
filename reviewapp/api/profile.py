"""The profile page: the user's personal API tokens (create, name, revoke)."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from reviewapp.accounts.views import account_context
from reviewapp.api.tokens import api_token_create, api_token_revoke
from reviewapp.models import ApiToken


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “R scripts on my laptop”."),
    )


def _page(request, *, form=None, new_token: str = "", status: int = 200):
    tokens = ApiToken.objects.filter(user=request.user)
    response = render(
        request,
        "reviewapp/profile.html",
        {
            "tokens": tokens,
            "form": form or ApiTokenForm(),
            "new_token": new_token,
            # The account block (password, two-factor login, sessions): reviewapp.accounts.
            **account_context(request),
        },
    )
    response.status_code = status
    return response


@require_GET
def profile(request):
    return _page(request)


@require_POST
def token_create(request):
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    _token, raw = api_token_create(user=request.user, name=form.cleaned_data["name"])
    # Shown in this response only, never stored in clear (nor in the session's messages).
    return _page(request, new_token=raw)


@require_POST
def token_revoke(request, token_id):
    token = get_object_or_404(ApiToken, user=request.user, pk=token_id)
    api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("profile")
