"""Forms of the report page: the lead's report settings and comments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grading.models import Comment, ReportSettings

EXPORT_CHOICES = [
    ("xlsx", "XLSX"),
    ("docx", "DOCX"),
    ("csv", _("CSV (zipped)")),
    ("json", "JSON"),
    ("ris", _("RIS (included records)")),
    ("prisma-csv", _("PRISMA2020 CSV")),
]
LANGUAGE_CHOICES = [("da", _("Danish")), ("en", _("English"))]


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=EXPORT_CHOICES)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)


class ReportSettingsForm(forms.Form):
    """A topic area's counting options and one statement per graded category."""

    topic = forms.SlugField(widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    moderate_high_counts_as = forms.ChoiceField(
        label=_("Count “moderate to high” risk of bias as"),
        choices=ReportSettings.CountAs.choices,
    )
    low_moderate_counts_as = forms.ChoiceField(
        label=_("Count “low to moderate” risk of bias as"),
        choices=ReportSettings.CountAs.choices,
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = [category for category in categories if category.graded]
        for category in self.categories:
            self.fields[f"statement_{category.key}"] = forms.CharField(
                label=category.title,
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def statements(self) -> dict[str, str]:
        return {
            category.key: self.cleaned_data.get(f"statement_{category.key}", "")
            for category in self.categories
        }


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
