from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from grading.frameworks import danish_weighted
from grading.models import InterventionCategory, Result, Study
from grading.services import RESULT_FIELDS, STUDY_FIELDS

# Asked only when the project grades with the weighted framework; otherwise left as they are.
WEIGHTED_FIELDS = ["quality_assessment", "combination", "target_share"]
# The result's fields a consensus sets (dual extraction).
CONSENSUS_RESULT_FIELDS = [
    "direction",
    "risk_of_bias",
    "transferability",
    "effect",
    "quality_override",
    "quality_reason",
]


def _agreed_at_consensus(result, project) -> bool:
    from grading.models import Consensus
    from grading.services_consensus import dual_extraction_on

    return dual_extraction_on(project) and Consensus.objects.filter(result=result).exists()


class _Lines(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class StudyForm(forms.ModelForm):
    authors = _Lines(label=_("Authors"), required=False, help_text=_("One a line."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Study
        fields = STUDY_FIELDS
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's own <form> carries action and CSRF
        self.helper.layout = Layout(
            Div(Div("label", css_class="col-md-6"), Div("year", css_class="col-md-2"),
                Div("country", css_class="col-md-2"), Div("sample_size", css_class="col-md-2"),
                css_class="row"),
            "title",
            Div(Div("authors", css_class="col-md-6"), Div("design", css_class="col-md-6"),
                css_class="row"),
            Div(Div("publication_type", css_class="col-md-6"),
                Div("data_period", css_class="col-md-6"), css_class="row"),
            "peer_reviewed",
            "notes",
            "version",
        )  # fmt: skip
        self.helper.add_input(Submit("save", _("Save study")))

    def clean_country(self):
        return self.cleaned_data["country"].strip().upper()

    def service_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class ResultForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Result
        # The built-in fields; the project's own come after (add_extraction_fields).
        fields = [name for name in RESULT_FIELDS if name != "extra"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in (
                "intervention",
                "target_group",
                "effect",
                "risk_of_bias_justification",
                "transferability_justification",
                "quality_reason",
            )
        }

    def __init__(self, *args, topic_area, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = InterventionCategory.objects.filter(
            topic_area=topic_area
        )
        self.fields["version"].initial = self.instance.version
        self.fields["quality_override"].help_text = _(
            "Leave empty for the default: high when the risk of bias is low, otherwise limited."
        )
        self.weighted = topic_area.project.evidence_framework == danish_weighted.NAME
        if self.weighted:
            self.fields["quality_assessment"].help_text = _(
                "The researchers' assessment of data, observations, controls and robustness "
                "(good 1, satisfactory 0.5, not satisfactory 0.25). Empty: good when the "
                "quality is high, otherwise satisfactory."
            )
            self.fields["combination"].help_text = _(
                "Is the result for a combination or sub-division of the category's target group "
                "or intervention? (none 1, one of them 0.5, both 0.25)"
            )
            self.fields["target_share"].help_text = _(
                "Main target group 1, sub-group 0.5, both 0.67. Design, country and the journal "
                "weights come from the study."
            )
        else:
            for name in WEIGHTED_FIELDS:
                del self.fields[name]
        if self.instance.pk and _agreed_at_consensus(self.instance, topic_area.project):
            # Dual extraction: the agreed values change only on the consensus page.
            for name in CONSENSUS_RESULT_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Agreed at consensus; change it there.")
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's own <form> carries action and CSRF
        self.helper.layout = Layout(
            "category", "intervention",
            Div(Div("target_group", css_class="col-md-9"),
                Div("participants", css_class="col-md-3"), css_class="row"),
            "effect",
            Div(Div("direction", css_class="col-md-3"), Div("effect_size", css_class="col-md-2"),
                Div("ci_low", css_class="col-md-2"), Div("ci_high", css_class="col-md-2"),
                Div("effect_unit", css_class="col-md-3"), css_class="row"),
            Div(Div("risk_of_bias", css_class="col-md-4"),
                Div("risk_of_bias_justification", css_class="col-md-8"), css_class="row"),
            Div(Div("transferability", css_class="col-md-4"),
                Div("transferability_justification", css_class="col-md-8"), css_class="row"),
            Div(Div("quality_override", css_class="col-md-4"),
                Div("quality_reason", css_class="col-md-8"), css_class="row"),
            "version",
        )  # fmt: skip
        if self.weighted:
            self.helper.layout.insert(
                -1,
                Fieldset(
                    _("Weights (jobeffekter.dk)"),
                    Div(*(Div(name, css_class="col-md-4") for name in WEIGHTED_FIELDS),
                        css_class="row"),
                ),
            )  # fmt: skip
        self.helper.add_input(Submit("save", _("Save result")))

    def add_extraction_fields(self, fields) -> None:
        """The project's own fields, after the built-in ones, with the values entered."""
        self.extraction_fields = list(fields)
        extra = self.instance.extra or {}
        names = []
        for field in self.extraction_fields:
            name = f"x_{field.key}"
            self.fields[name] = extraction_form_field(field)
            if field.key in extra:
                self.initial[name] = extra[field.key]
            names.append(name)
        if names:
            self.helper.layout.append(Fieldset(_("Project fields"), *names))

    def service_fields(self) -> dict:
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "version" and not name.startswith("x_")
        }
        data["extra"] = {
            field.key: _jsonable(self.cleaned_data.get(f"x_{field.key}"))
            for field in getattr(self, "extraction_fields", [])
        }
        return data


def _jsonable(value):
    from decimal import Decimal

    return float(value) if isinstance(value, Decimal) else value


def extraction_form_field(field) -> forms.Field:
    """The form field for one of the project's extraction fields."""
    kind = field.kind
    common = {"label": field.label, "help_text": field.help_text, "required": field.required}
    choices = [(choice, choice) for choice in field.choices]
    if kind == "long_text":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == "number":
        return forms.DecimalField(max_digits=14, decimal_places=4, **common)
    if kind == "choice":
        return forms.ChoiceField(choices=[("", "---------"), *choices], **common)
    if kind == "multiple_choice":
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == "yes_no":
        return forms.NullBooleanField(
            widget=forms.Select(choices=[("", "---------"), (True, _("Yes")), (False, _("No"))]),
            **{**common, "required": False},
        )
    return forms.CharField(**common)


class ExtractionFieldForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=200)
    key = forms.SlugField(label=_("Key"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"))
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a choice field: one a line."),
    )
    help_text = forms.CharField(label=_("Help text"), required=False, max_length=500)
    required = forms.BooleanField(label=_("Required"), required=False)

    def __init__(self, *args, **kwargs):
        from grading.models import ExtractionField

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ExtractionField.Kind.choices

    def clean_choices(self) -> list[str]:
        return list(
            dict.fromkeys(c.strip() for c in self.cleaned_data["choices"].splitlines() if c.strip())
        )


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
        from grading.models import GradeAssessment

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
            **{
                name: data[name]
                for name in (
                    "evidence",
                    "robins_i",
                    "outcome",
                    "relative_effect",
                    "risk_with_comparison",
                    "risk_with_intervention",
                    "comments",
                )
            },
        }


class KeyFieldsForm(forms.Form):
    """A result's key fields, as one reviewer extracts them or as they are agreed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        from grading.services_consensus import CONSENSUS_FIELDS

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
