"""A person's data: the download of one's own data (profile page) and the installation
admin's erasure of a person (GDPR art. 15/20 and 17)."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from reviewapp.models import Erasure
from reviewapp.personal_data import slices
from reviewapp.services import erasure_blockers, user_erase

FORMAT = "reviewapp-personal-data"


def own_data_document(user) -> dict:
    """Everything the installation holds about the person that is theirs: the profile, then
    each app's slice (memberships, decisions, extractions, comments, their audit entries)."""
    document = {
        "format": FORMAT,
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "is_staff": user.is_staff,
        },
    }
    for piece in slices():
        if piece.export is not None:
            document.update(piece.export(user))
    return document


@require_GET
@never_cache
def own_data(request):
    body = json.dumps(own_data_document(request.user), ensure_ascii=False, indent=1)
    response = HttpResponse(body + "\n", content_type="application/json; charset=utf-8")
    name = f"reviewapp-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class FindPersonForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)

    def clean_username(self):
        username = self.cleaned_data["username"]
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise ValidationError(_("No user is named %(name)s.") % {"name": username})
        if Erasure.objects.filter(user=user).exists():
            raise ValidationError(_("%(name)s has already been erased.") % {"name": username})
        self.person = user
        return username


class ConfirmErasureForm(FindPersonForm):
    confirm = forms.CharField(
        label=gettext_lazy("Type the username again to confirm"),
        max_length=150,
        help_text=gettext_lazy("Erasure cannot be undone."),
    )

    def clean(self):
        data = super().clean()
        if "username" in data and data.get("confirm") != data["username"]:
            self.add_error("confirm", _("This is not the username of the person to erase."))
        return data


def _staff_only(request) -> None:
    if not request.user.is_staff:
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
@never_cache
def erase_person(request):
    """GET ?username=: the person's memberships and the confirmation; POST: erase."""
    _staff_only(request)
    if request.method == "POST":
        form = ConfirmErasureForm(request.POST)
        if form.is_valid():
            username = form.cleaned_data["username"]
            try:
                erasure = user_erase(user=form.person, actor=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("%(name)s erased; their work is now shown as %(pseudonym)s.")
                    % {"name": username, "pseudonym": erasure.user.username},
                )
                return redirect("erase_person")
        person = getattr(form, "person", None)
        status = 400
    else:
        find = FindPersonForm(request.GET or None)
        person = find.person if find.is_valid() else None
        form = ConfirmErasureForm(initial={"username": person.username}) if person else find
        status = 400 if request.GET and person is None else 200
    context = {"form": form, "person": person}
    if person is not None:
        context["memberships"] = person.memberships.select_related("project").order_by(
            "project__title"
        )
        context["blockers"] = erasure_blockers(person)
    return render(request, "reviewapp/erase_person.html", context, status=status)
