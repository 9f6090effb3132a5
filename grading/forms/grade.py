"""A lead's GRADE judgements for a category."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grading.models import GradeAssessment
from grading.services.grade import FIGURE_FIELDS


class GradeAssessmentForm(forms.Form):
    """A lead's GRADE judgements for one category: each domain's steps with its reason, and
    the figures the Summary of Findings shows."""

    evidence = forms.ChoiceField(
        label=_("Body of evidence"),
        required=False,
        help_text=_("Empty: randomised when every study is randomised, otherwise observational."),
    )
    robins_i = forms.BooleanField(
        label=_("Risk of bias rated with ROBINS-I (non-randomised evidence then starts high)"),
        required=False,
    )
    outcome = forms.CharField(
        label=_("Outcome"),
        required=False,
        max_length=300,
        help_text=_("Empty: the category's title."),
    )
    relative_effect = forms.CharField(label=_("Relative effect (95% CI)"), required=False)
    risk_with_comparison = forms.CharField(label=_("Risk with comparison"), required=False)
    risk_with_intervention = forms.CharField(label=_("Risk with intervention"), required=False)
    comments = forms.CharField(
        label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, domains, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = [("", "—"), *GradeAssessment.Evidence.choices]
        self.domains = []
        for domain in domains:
            label = domain.label_da if language == "da" else domain.label_en
            sign = "+" if domain.rates_up else "−"
            choices = [(0, _("No change"))] + [
                (step, f"{sign}{step}") for step in range(1, domain.maximum + 1)
            ]
            self.fields[domain.id] = forms.TypedChoiceField(
                label=label, choices=choices, coerce=int, initial=0
            )
            self.fields[f"reason_{domain.id}"] = forms.CharField(
                label=_("Reason"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 1}),
            )
            self.domains.append(
                {
                    "domain": domain,
                    "steps": self[domain.id],
                    "reason": self[f"reason_{domain.id}"],
                }
            )

    def service_fields(self) -> dict:
        data = self.cleaned_data
        ids = [item["domain"].id for item in self.domains]
        return {
            "steps": {domain: data[domain] for domain in ids},
            "reasons": {domain: data[f"reason_{domain}"] for domain in ids},
            "expected_version": data["version"],
            **{name: data[name] for name in FIGURE_FIELDS},
        }
