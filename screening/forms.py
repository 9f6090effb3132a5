from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from screening.models import Source
from screening.parsers import CSV_FIELDS, FORMATS


class ImportForm(forms.Form):
    upload = forms.FileField(
        label=_("Export file"),
        help_text=_(
            "RIS, PubMed (MEDLINE .nbib/.txt or XML), EndNote (XML or tagged .enw), BibTeX, "
            "Web of Science (plain text or tab-delimited) or CSV/TSV."
        ),
    )
    requested_format = forms.ChoiceField(label=_("Format"), initial="auto")
    source_kind = forms.ChoiceField(
        label=_("Kind of source"), choices=Source.Kind.choices, initial=Source.Kind.DATABASE
    )
    source_name = forms.CharField(
        label=_("Database or source"), max_length=200, help_text=_("For example: EconLit.")
    )
    run_date = forms.DateField(
        label=_("Date searched"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reported_hits = forms.IntegerField(
        label=_("Hits the database reported"), required=False, min_value=0
    )
    query = forms.CharField(
        label=_("Search query"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_format"].choices = [("auto", _("Detect automatically"))] + [
            (code, label) for code, label in FORMATS.items()
        ]
        self.helper = FormHelper()
        self.helper.attrs = {"enctype": "multipart/form-data"}
        self.helper.layout = Layout(
            "upload",
            Div(
                Div("requested_format", css_class="col-md-4"),
                Div("source_kind", css_class="col-md-4"),
                Div("source_name", css_class="col-md-4"),
                css_class="row",
            ),
            Div(
                Div("run_date", css_class="col-md-4"),
                Div("reported_hits", css_class="col-md-4"),
                css_class="row",
            ),
            "query",
        )
        self.helper.add_input(Submit("import", _("Import")))

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("%(name)s is %(size)s; the largest file accepted is %(limit)s.")
                % {
                    "name": upload.name,
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
                }
            )
        if upload.size == 0:
            raise forms.ValidationError(
                _("%(name)s is empty; export the search results again.") % {"name": upload.name}
            )
        return upload


FIELD_LABELS = {
    "title": _("Title"),
    "abstract": _("Abstract"),
    "authors": _("Authors"),
    "year": _("Year"),
    "journal": _("Journal"),
    "volume": _("Volume"),
    "issue": _("Issue"),
    "pages": _("Pages"),
    "doi": _("DOI"),
    "pmid": _("PMID"),
    "url": _("URL"),
    "keywords": _("Keywords"),
    "language": _("Language"),
    "publication_type": _("Publication type"),
}


class CsvMappingForm(forms.Form):
    """Which CSV column holds which record field: asked when no preset fits."""

    def __init__(self, *args, columns: list[str], initial_mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("(not in the file)"))] + [(column, column) for column in columns]
        for name in CSV_FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=FIELD_LABELS.get(name, name),
                choices=choices,
                required=name == "title",
                initial=initial_mapping.get(name, ""),
            )
        self.helper = FormHelper()
        self.helper.add_input(Submit("start", _("Start import")))

    def mapping(self) -> dict[str, str]:
        return {name: column for name, column in self.cleaned_data.items() if column}
