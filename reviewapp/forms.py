import secrets

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from reviewapp.models import Project, Role, TopicArea
from reviewapp.services import PROJECT_FIELDS, TOPIC_AREA_FIELDS


class TermListField(forms.CharField):
    """A list of terms typed one per line or separated by semicolons (as in the report)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, *, separators: str = ";\n", **kwargs):
        self.separators = separators
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "; ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        for separator in self.separators[1:]:
            text = text.replace(separator, self.separators[0])
        terms = [term.strip() for term in text.split(self.separators[0])]
        seen, unique = set(), []
        for term in terms:
            if term and term.lower() not in seen:
                seen.add(term.lower())
                unique.append(term)
        return unique


class VersionedFormMixin:
    """Carries the version the editor loaded, so a stale save is refused."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)

    def service_fields(self) -> dict:
        """The cleaned data the service takes as fields: all but the version."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class ProjectForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Project
        fields = PROJECT_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"slug": _("Lower-case letters, digits and hyphens; used in addresses.")}

    # The title first on the page; the service's list starts with the slug (the API's order).
    field_order = ["title", "slug"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["version"]
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save")))


class TopicAreaForm(VersionedFormMixin, forms.ModelForm):
    population_terms = TermListField(label=_("Population search terms"))
    intervention_terms = TermListField(label=_("Intervention, comparison and outcome search terms"))
    study_design_terms = TermListField(label=_("Study design search terms"))
    databases = TermListField(
        label=_("Databases searched"), help_text=_("One per line or separated by semicolons.")
    )
    languages = TermListField(
        label=_("Publication languages"),
        separators=",;\n ",
        help_text=_("ISO 639-1 codes separated by commas, e.g. da, en, no, sv."),
        widget=forms.TextInput,
    )
    regions = TermListField(
        label=_("Countries or regions"),
        help_text=_("For example: OECD countries; Denmark; Nordic countries."),
        widget=forms.TextInput,
    )

    class Meta:
        model = TopicArea
        fields = TOPIC_AREA_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in [
                "question",
                "population",
                "intervention",
                "study_design",
                "inclusion_criteria",
                "exclusion_criteria",
            ]
        }

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["version"]
        self.instance.project = project
        self.project = project
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Topic area"), "title", Div("key", "position"), "question"),
            Fieldset(
                _("PICOS and search terms"),
                "population",
                "population_terms",
                "intervention",
                "intervention_terms",
                "study_design",
                "study_design_terms",
            ),
            Fieldset(
                _("Search and limits"),
                "databases",
                Div(
                    Div("year_from", css_class="col"),
                    Div("year_to", css_class="col"),
                    css_class="row",
                ),
                "languages",
                "regions",
            ),
            Fieldset(_("Criteria"), "inclusion_criteria", "exclusion_criteria"),
            *(["version"] if "version" in self.fields else []),
        )
        self.helper.add_input(Submit("save", _("Save")))

    def clean_key(self):
        key = self.cleaned_data["key"]
        clash = TopicArea.objects.filter(project=self.project, key=key)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another topic area in this project uses this key."))
        return key

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MemberAddForm(forms.Form):
    user = forms.CharField(label=_("Username or e-mail of an existing user"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.REVIEWER)

    def __init__(self, *args, **kwargs):
        # Both member forms share a page: distinct ids keep labels unambiguous.
        kwargs.setdefault("auto_id", "add_%s")
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_user(self):
        text = self.cleaned_data["user"].strip()
        users = get_user_model().objects.filter(is_active=True)
        user = users.filter(username__iexact=text).first() or (
            users.filter(email__iexact=text).first() if "@" in text else None
        )
        if user is None:
            raise forms.ValidationError(
                _("No active user has the username or e-mail “%(text)s”.") % {"text": text}
            )
        return user


class MemberCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Use letters, digits and @ . + - _ only.")},
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to generate one; it is shown once after saving."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.REVIEWER)

    def __init__(self, *args, **kwargs):
        # Both member forms share a page: distinct ids keep labels unambiguous.
        kwargs.setdefault("auto_id", "create_%s")
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_password(self):
        password = self.cleaned_data["password"]
        if password:
            password_validation.validate_password(password)
        return password

    def service_fields(self) -> tuple[dict, bool]:
        """The service's arguments, and whether the password was generated."""
        generated = not self.cleaned_data["password"]
        password = self.cleaned_data["password"] or secrets.token_urlsafe(12)
        fields = {
            "username": self.cleaned_data["username"],
            "email": self.cleaned_data["email"],
            "password": password,
            "role": self.cleaned_data["role"],
        }
        return fields, generated


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ActivityFilterForm(forms.Form):
    """The activity log's filters (GET); every one optional."""

    person = forms.ChoiceField(label=_("Person"), required=False)
    kind = forms.ChoiceField(label=_("Kind of action"), required=False)
    topic = forms.ChoiceField(label=_("Topic area"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, people, kinds, topic_areas, **kwargs):
        super().__init__(*args, **kwargs)
        everyone = [("", _("Everyone"))]
        self.fields["person"].choices = everyone + [(name, name) for name in people]
        self.fields["kind"].choices = [("", _("All actions"))] + list(kinds)
        self.fields["topic"].choices = [("", _("All topic areas"))] + [
            (topic.key, topic.title) for topic in topic_areas
        ]
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-control" if name.startswith("date") else "form-select"
            )
