"""Forms of the peer-review comments: a comment, a reply, resolving a thread, deleting one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grading.models import Comment


class CommentForm(forms.Form):
    # "kind:id", e.g. "verdict:12": one field, so a select can offer several targets.
    target = forms.RegexField(regex=r"^[a-z]+:[0-9]+$")
    body = forms.CharField(label=_("Comment"), max_length=10_000, widget=forms.Textarea)

    def clean(self):
        data = super().clean()
        if "target" in data:
            kind, _sep, pk = data["target"].partition(":")
            if kind not in Comment.Target.values:
                self.add_error("target", _("Not something one can comment on."))
            data["target_kind"], data["target_id"] = kind, int(pk)
        return data


class ReplyForm(forms.Form):
    comment = forms.IntegerField(min_value=1)
    body = forms.CharField(label=_("Reply"), max_length=10_000, widget=forms.Textarea)


class ResolveForm(forms.Form):
    comment = forms.IntegerField(min_value=1)
    reopen = forms.BooleanField(required=False)


class CommentDeleteForm(forms.Form):
    comment = forms.IntegerField(min_value=1)
