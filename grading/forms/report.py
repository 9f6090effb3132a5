"""Forms of the report page: an export, the lead's report settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grading.models import ReportSettings

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
