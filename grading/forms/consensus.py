"""Dual extraction's form: a result's key fields."""

from django import forms

from grading.queries.consensus import CONSENSUS_FIELDS


class KeyFieldsForm(forms.Form):
    """A result's key fields, as one reviewer extracts them or as they are agreed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, choices) in CONSENSUS_FIELDS.items():
            if choices is None:
                self.fields[name] = forms.CharField(
                    label=label, widget=forms.Textarea(attrs={"rows": 2})
                )
            else:
                self.fields[name] = forms.ChoiceField(
                    label=label,
                    choices=[("", "---------"), *choices],
                    required=name != "transferability",
                )

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}
