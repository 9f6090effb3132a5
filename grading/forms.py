from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from grading.models import InterventionCategory, Result, Study


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
        fields = [
            "label",
            "authors",
            "year",
            "title",
            "country",
            "peer_reviewed",
            "publication_type",
            "design",
            "sample_size",
            "data_period",
            "notes",
        ]
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
        fields = [
            "category",
            "intervention",
            "target_group",
            "participants",
            "effect",
            "direction",
            "effect_size",
            "ci_low",
            "ci_high",
            "effect_unit",
            "risk_of_bias",
            "risk_of_bias_justification",
            "transferability",
            "transferability_justification",
            "quality_override",
            "quality_reason",
        ]
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
        self.helper.add_input(Submit("save", _("Save result")))

    def service_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


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
