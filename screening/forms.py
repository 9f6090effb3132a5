from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from reviewapp.forms import TermListField, VersionedFormMixin
from screening import flow
from screening.models import BulkAction, Decision, Label, Record, ScreeningItem, Source, Stage
from screening.parsers import CSV_FIELDS, FORMATS
from screening.queries import STAGE_ITEM_FILTERS, project_screeners
from screening.services.bulk import stage_assignees
from screening.services.records import RECORD_EDIT_FIELDS


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
        return checked_upload(self.cleaned_data["upload"])


def checked_upload(upload):
    """An uploaded export within the size limit and not empty (None passes through)."""
    if upload is None:
        return None
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


class StagesSetUpForm(forms.Form):
    preset = forms.ChoiceField(
        label=_("Stages"),
        choices=[
            ("three", _("Three stages: title; title and abstract; full text")),
            ("two", _("Two stages: title and abstract; full text")),
        ],
        initial="three",
        widget=forms.RadioSelect,
    )


def _lines(value: list[str]) -> str:
    return "\n".join(value)


class LinesField(forms.CharField):
    """A list of short texts, one a line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        return _lines(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        seen = []
        for line in text.splitlines():
            line = line.strip()
            if line and line not in seen:
                seen.append(line[:200])
        return seen


class StageForm(forms.ModelForm):
    exclusion_reasons = LinesField(
        label=_("Exclusion reasons"), required=False, help_text=_("One a line.")
    )
    include_keywords = LinesField(
        label=_("Include keywords"),
        required=False,
        help_text=_('Highlighted in green. One a line; "unemploy*" matches any ending.'),
    )
    exclude_keywords = LinesField(
        label=_("Exclude keywords"), required=False, help_text=_("Highlighted in red. One a line.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Stage
        fields = [
            "name",
            "kind",
            "reviewers_required",
            "reviewers",
            "reason_required",
            "exclusion_reasons",
            "include_keywords",
            "exclude_keywords",
            "show_decisions_after",
        ]
        widgets = {"reviewers": forms.CheckboxSelectMultiple}

    def __init__(self, *args, candidates, started: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = candidates
        self.fields["version"].initial = self.instance.version
        if started:
            for name in ("kind", "reviewers_required"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Fixed once screening has started.")
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save stage")))


def _reason_choices(stage: Stage) -> list[tuple[str, str]]:
    return [("", _("(no reason)"))] + [(reason, reason) for reason in stage.exclusion_reasons]


class DecisionForm(forms.Form):
    value = forms.ChoiceField(label=_("Decision"), choices=Decision.Value.choices)
    reason = forms.ChoiceField(label=_("Exclusion reason"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, stage: Stage, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = _reason_choices(stage)


class ResolutionForm(forms.Form):
    value = forms.ChoiceField(
        label=_("Resolution"),
        choices=[(Decision.Value.INCLUDE, _("Include")), (Decision.Value.EXCLUDE, _("Exclude"))],
    )
    reason = forms.ChoiceField(label=_("Exclusion reason"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, stage: Stage, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = _reason_choices(stage)


class ReportedFlowForm(forms.Form):
    """One optional whole number per flow box; blank means "count it from the records"."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, stages: list[Stage], **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            "identified_databases": _("Records identified from databases (total)"),
            "duplicates": _("Duplicate records removed"),
            "fulltext_sought": _("Reports sought for retrieval"),
            "fulltext_not_retrieved": _("Reports not retrieved"),
            "fulltext_assessed": _("Reports assessed for eligibility"),
            "fulltext_excluded": _("Reports excluded"),
            "identified_other": _("Records identified by other methods (citation searching)"),
            "other_sought": _("Other methods: reports sought"),
            "other_not_retrieved": _("Other methods: reports not retrieved"),
            "other_assessed": _("Other methods: reports assessed"),
            "other_excluded": _("Other methods: reports excluded"),
            "included_studies": _("Studies included in the review"),
            "included_reports": _("Reports of included studies"),
        }
        record_stages = [stage for stage in stages if stage.kind != Stage.Kind.FULLTEXT]
        for position, stage in enumerate(record_stages, start=1):
            labels[f"stage{position}_screened"] = _("%(stage)s: records screened") % {
                "stage": stage.name
            }
            labels[f"stage{position}_excluded"] = _("%(stage)s: records excluded") % {
                "stage": stage.name
            }
        for key in flow.reported_keys(len(record_stages)):
            self.fields[key] = forms.IntegerField(label=labels[key], required=False, min_value=0)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save reported counts")))

    def counts(self) -> dict[str, int | None]:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class SnowballForm(forms.Form):
    """The references of an included record: one of a file, pasted text, or one reference."""

    upload = forms.FileField(
        label=_("File of references"),
        required=False,
        help_text=_("RIS, BibTeX, PubMed, EndNote or any other format the import reads."),
    )
    text = forms.CharField(
        label=_("Or paste references"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("As RIS, BibTeX or PubMed (MEDLINE) text."),
    )
    title = forms.CharField(
        label=_("Or type one reference: title"), required=False, max_length=1000
    )
    authors = forms.CharField(
        label=_("Authors"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_('One a line, "Surname, First names".'),
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1800, max_value=2200)
    journal = forms.CharField(label=_("Journal or publisher"), required=False, max_length=500)
    doi = forms.CharField(label=_("DOI"), required=False, max_length=255)

    def clean_upload(self):
        return checked_upload(self.cleaned_data.get("upload"))

    def clean(self):
        data = super().clean()
        typed = any(data.get(name) for name in ("authors", "year", "journal", "doi"))
        if typed and not data.get("title"):
            self.add_error("title", _("A typed reference needs its title."))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        reference = None
        if data.get("title"):
            reference = {
                "title": data["title"],
                "authors": [line.strip() for line in data["authors"].splitlines() if line.strip()],
                "year": data.get("year"),
                "journal": data["journal"],
                "doi": data["doi"],
            }
        return {"upload": data.get("upload"), "text": data.get("text", ""), "reference": reference}


class RecordForm(VersionedFormMixin, forms.ModelForm):
    """A correction of a record's bibliographic data (`record_update`)."""

    authors = TermListField(
        label=_("Authors"),
        separators="\n;",
        help_text=_("One per line, as “Last, First”."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    keywords = TermListField(
        label=_("Keywords"), help_text=_("One per line or separated by semicolons.")
    )

    class Meta:
        model = Record
        fields = RECORD_EDIT_FIELDS
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "abstract": forms.Textarea(attrs={"rows": 10}),
            "journal": forms.TextInput,
            "url": forms.TextInput,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["authors"] = "\n".join(self.instance.authors)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save correction")))


class StageRecordFilterForm(forms.Form):
    """The filters of a stage's list of records (GET); every field may stay empty. Read by
    `queries.stage_items_filtered`, and by the bulk actions, which act on what it lists."""

    q = forms.CharField(label=_("Text"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False)
    decision = forms.ChoiceField(label=_("Decision"), required=False)
    reason = forms.ChoiceField(label=_("Exclusion reason"), required=False)
    reviewer = forms.ModelChoiceField(
        label=_("Reviewer"), queryset=get_user_model().objects.none(), required=False
    )
    assigned = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=get_user_model().objects.none(), required=False
    )
    label = forms.ModelChoiceField(label=_("Label"), queryset=Label.objects.none(), required=False)
    source = forms.ModelChoiceField(
        label=_("Source"), queryset=Source.objects.none(), required=False
    )
    year_from = forms.IntegerField(label=_("From year"), required=False, min_value=0)
    year_to = forms.IntegerField(label=_("To year"), required=False, min_value=0)
    mine = forms.BooleanField(label=_("Only records I decided"), required=False)
    maybe = forms.BooleanField(label=_("Only my maybe pile"), required=False)

    def __init__(self, *args, stage: Stage, **kwargs):
        super().__init__(*args, **kwargs)
        anything = [("", _("All"))]
        project = stage.topic_area.project
        self.fields["status"].choices = anything + list(ScreeningItem.Status.choices)
        self.fields["decision"].choices = anything + list(Decision.Value.choices)
        self.fields["reason"].choices = anything + [
            (reason, reason) for reason in stage.exclusion_reasons
        ]
        self.fields["reviewer"].queryset = project_screeners(project.pk)
        # Anyone who may screen here can hold an assignment: the reviewers' list serves both.
        self.fields["assigned"].queryset = self.fields["reviewer"].queryset
        for name in ("reviewer", "assigned"):
            self.fields[name].label_from_instance = lambda user: user.username
        self.fields["label"].queryset = Label.objects.filter(project=project)
        self.fields["source"].queryset = Source.objects.filter(topic_area=stage.topic_area)
        for name in ("reviewer", "assigned", "label", "source"):
            self.fields[name].empty_label = _("All")
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "row g-2 align-items-end mb-3"
        self.helper.form_tag = True
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            *(
                Div(name, css_class="col-md-3")
                for name in STAGE_ITEM_FILTERS
                if name not in {"year_from", "year_to", "mine", "maybe"}
            ),
            Div("year_from", css_class="col-md-1"),
            Div("year_to", css_class="col-md-1"),
            Div("mine", "maybe", css_class="col-md-3"),
        )
        self.helper.add_input(Submit("filter", _("Filter"), css_class="btn-outline-primary"))

    def filters(self) -> dict:
        """The cleaned filters; none where the form is not valid (a bad year, say)."""
        return self.cleaned_data if self.is_valid() else {}


class BulkActionForm(forms.Form):
    """A lead's action on every record the stage list's filters show (`filters`: the
    list's query string, read again with StageRecordFilterForm)."""

    filters = forms.CharField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Action"), choices=BulkAction.Kind.choices)
    reason = forms.ChoiceField(label=_("Exclusion reason"), required=False)
    name = forms.CharField(label=_("Label"), required=False, max_length=60)
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=get_user_model().objects.none(), required=False
    )

    def __init__(self, *args, stage: Stage, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", _("Choose…"))] + [
            (reason, reason) for reason in stage.exclusion_reasons
        ]
        self.fields["assignee"].queryset = stage_assignees(stage)
        self.fields["assignee"].label_from_instance = lambda user: user.username
        self.fields["assignee"].empty_label = _("Choose…")
        for field in ("kind", "reason", "assignee"):
            self.fields[field].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["name"].widget.attrs["class"] = "form-control form-control-sm"
