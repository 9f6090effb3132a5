"""Forms of the evidence pages: a new category, a lead's final level."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CategoryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    key = forms.SlugField(label=_("Key"), max_length=60)
    graded = forms.BooleanField(label=_("Graded"), required=False, initial=True)


class FinalVerdictForm(forms.Form):
    level = forms.ChoiceField(label=_("Final level"))
    rationale = forms.CharField(
        label=_("Rationale"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed when the final level differs from the computed one."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, levels: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = levels
