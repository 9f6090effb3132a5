"""Forms of extraction: a study, a result (with the project's own fields), and the
project's extraction form."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from grading.frameworks import danish_weighted
from grading.models import ExtractionField, InterventionCategory, Result, Study
from grading.queries.consensus import agreed_at_consensus
from grading.services.consensus import CONSENSUS_RESULT_FIELDS
from grading.services.studies import RESULT_FIELDS, STUDY_FIELDS

# Asked only when the project grades with the weighted framework; otherwise left as they are.
WEIGHTED_FIELDS = ["quality_assessment", "combination", "target_share"]


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
        if self.instance.pk and agreed_at_consensus(self.instance, topic_area.project):
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
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ExtractionField.Kind.choices

    def clean_choices(self) -> list[str]:
        return list(
            dict.fromkeys(c.strip() for c in self.cleaned_data["choices"].splitlines() if c.strip())
        )
