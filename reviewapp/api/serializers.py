"""Serializers of the API: the shape of every resource, and validation of what clients send.

They never save: the views hand `validated_data` to the services (`<entity>_<action>`), which
do every write, as the pages' forms do.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grading.forms.studies import extraction_form_field
from grading.models import (
    Comment,
    ExtractionField,
    InterventionCategory,
    Result,
    Study,
    Verdict,
    VerdictEvent,
)
from grading.services.studies import RESULT_FIELDS, STUDY_FIELDS
from reviewapp.models import Membership, Project, Role, TopicArea
from reviewapp.services import PROJECT_FIELDS, TOPIC_AREA_FIELDS
from screening.forms import checked_upload
from screening.models import (
    Decision,
    DuplicatePair,
    ImportJob,
    Record,
    ScreeningItem,
    Source,
    Stage,
)
from screening.parsers import CSV_FIELDS, FORMATS

# The largest id the databases store (64-bit): a larger one in a filter would overflow.
MAX_ID = 2**63 - 1


def _texts(**kwargs):
    return serializers.ListField(child=serializers.CharField(max_length=500), **kwargs)


class VersionedSerializer(serializers.ModelSerializer):
    """The version the client read: required to update (else 428), see views.expected_version."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version you read; an update with an older one is refused (409).",
    )


# --- projects, memberships, topic areas --------------------------------------------------


class ProjectSerializer(VersionedSerializer):
    my_role = serializers.CharField(read_only=True, help_text="Your role in the project.")

    class Meta:
        model = Project
        fields = [
            *PROJECT_FIELDS,
            "created_at",
            "version",
            "my_role",
        ]
        read_only_fields = ["created_at"]


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "username", "role", "created_at"]
        read_only_fields = ["created_at"]


class MembershipCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)

    def validate_username(self, value):
        user = get_user_model().objects.filter(username=value).first()
        if user is None:
            raise serializers.ValidationError(_("No user is named %(name)s.") % {"name": value})
        return user


class MembershipRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class TopicAreaSerializer(VersionedSerializer):
    population_terms = _texts(required=False)
    intervention_terms = _texts(required=False)
    study_design_terms = _texts(required=False)
    databases = _texts(required=False)
    languages = _texts(required=False, help_text="ISO 639-1 codes, e.g. da, en.")
    regions = _texts(required=False)
    reported_flow = serializers.DictField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = TopicArea
        fields = [
            *TOPIC_AREA_FIELDS,
            "reported_flow",
            "created_at",
            "version",
        ]
        read_only_fields = ["created_at"]
        # The key's uniqueness in the project is the service's to check (full_clean).
        validators = []


# --- sources, imports, records, duplicates -----------------------------------------------


class SourceSerializer(serializers.ModelSerializer):
    records_stored = serializers.IntegerField(read_only=True)
    unique_records = serializers.IntegerField(read_only=True)
    duplicates_in_file = serializers.IntegerField(read_only=True)
    duplicates_existing = serializers.IntegerField(read_only=True)

    class Meta:
        model = Source
        fields = [
            "id",
            "kind",
            "name",
            "run_date",
            "query",
            "reported_hits",
            "file_name",
            "file_format",
            "parent_record",
            "records_read",
            "records_missing_title",
            "records_stored",
            "unique_records",
            "duplicates_in_file",
            "duplicates_existing",
            "created_at",
        ]


class ImportJobSerializer(serializers.ModelSerializer):
    summary = serializers.DictField(
        read_only=True, help_text="Counts of the import once done (records, imported, ...)."
    )
    csv_mapping = serializers.DictField(child=serializers.CharField(), read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "status",
            "original_name",
            "requested_format",
            "detected_format",
            "csv_mapping",
            "source_kind",
            "source_name",
            "run_date",
            "query",
            "reported_hits",
            "summary",
            "error",
            "source",
            "progress",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_progress(self, job) -> dict[str, int | None]:
        from screening.services.imports import import_progress

        if job.finished:
            return {"records": job.summary.get("records", 0), "percent": 100}
        return import_progress(job)


class ImportCreateSerializer(serializers.Serializer):
    upload = serializers.FileField(help_text="The export file (multipart/form-data).")
    source_name = serializers.CharField(max_length=200)
    requested_format = serializers.ChoiceField(
        choices=["auto", *FORMATS], default="auto", required=False
    )
    source_kind = serializers.ChoiceField(
        choices=Source.Kind.choices, default=Source.Kind.DATABASE, required=False
    )
    run_date = serializers.DateField(required=False, allow_null=True)
    query = serializers.CharField(required=False, allow_blank=True, default="")
    reported_hits = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=2_000_000_000
    )

    def validate_upload(self, upload):
        try:
            return checked_upload(upload)
        except forms.ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class ImportMappingSerializer(serializers.Serializer):
    mapping = serializers.DictField(
        child=serializers.CharField(max_length=300),
        help_text=f"Record field -> CSV column. Fields: {', '.join(CSV_FIELDS)}; title needed.",
    )

    def validate_mapping(self, mapping):
        unknown = sorted(set(mapping) - set(CSV_FIELDS))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown record fields: %(fields)s") % {"fields": ", ".join(unknown)}
            )
        if not mapping.get("title"):
            raise serializers.ValidationError(_("Say which column holds the title."))
        columns = set(self.context["columns"])
        missing = sorted(column for column in mapping.values() if column and column not in columns)
        if missing:
            raise serializers.ValidationError(
                _("Not columns of the file: %(columns)s") % {"columns": ", ".join(missing)}
            )
        return mapping


class RecordSerializer(serializers.ModelSerializer):
    authors = _texts(read_only=True)
    keywords = _texts(read_only=True)
    stage_status = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The record's status at the stage filtered by (?stage=); null without one.",
    )

    class Meta:
        model = Record
        fields = [
            "id",
            "source",
            "position",
            "source_line",
            "title",
            "abstract",
            "authors",
            "year",
            "journal",
            "volume",
            "issue",
            "pages",
            "doi",
            "pmid",
            "url",
            "keywords",
            "language",
            "publication_type",
            "canonical",
            "duplicate_score",
            "duplicate_reason",
            "merged_at",
            "stage_status",
        ]
        read_only_fields = fields


class RecordFilterSerializer(serializers.Serializer):
    source = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    stage = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    status = serializers.ChoiceField(
        choices=ScreeningItem.Status.choices,
        required=False,
        help_text="The status at the stage given by ?stage= (needs it).",
    )
    duplicate = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: only duplicates merged into another record; false: only unique ones.",
    )
    search = serializers.CharField(
        required=False, max_length=200, help_text="Words in the title or abstract."
    )

    def validate(self, data):
        if data.get("status") and not data.get("stage"):
            raise serializers.ValidationError(
                {"status": _("Filter by a stage to filter by status.")}
            )
        return data


class RecordBriefSerializer(serializers.ModelSerializer):
    source_name = serializers.CharField(source="source.name", read_only=True)

    class Meta:
        model = Record
        fields = ["id", "title", "year", "doi", "source", "source_name"]
        read_only_fields = fields


class DuplicatePairSerializer(serializers.ModelSerializer):
    record_a = RecordBriefSerializer(read_only=True)
    record_b = RecordBriefSerializer(read_only=True)

    class Meta:
        model = DuplicatePair
        fields = ["id", "record_a", "record_b", "score", "reason", "status", "decided_at"]
        read_only_fields = fields


class DuplicateFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=DuplicatePair.Status.choices, default=DuplicatePair.Status.PENDING, required=False
    )


# --- screening ---------------------------------------------------------------------------


class StageSerializer(VersionedSerializer):
    reviewers = serializers.SlugRelatedField(
        many=True,
        slug_field="username",
        queryset=get_user_model().objects.none(),
        required=False,
        help_text="Usernames taking part; empty: every lead and reviewer.",
    )
    exclusion_reasons = _texts(required=False)
    include_keywords = _texts(required=False)
    exclude_keywords = _texts(required=False)
    total = serializers.IntegerField(read_only=True)
    pending = serializers.IntegerField(read_only=True)
    maybe = serializers.IntegerField(read_only=True)
    conflicts = serializers.IntegerField(read_only=True)
    included = serializers.IntegerField(read_only=True)
    excluded = serializers.IntegerField(read_only=True)
    not_retrieved = serializers.IntegerField(read_only=True)

    class Meta:
        model = Stage
        fields = [
            "id",
            "position",
            "name",
            "kind",
            "reviewers_required",
            "reviewers",
            "exclusion_reasons",
            "reason_required",
            "include_keywords",
            "exclude_keywords",
            "show_decisions_after",
            "version",
            "total",
            "pending",
            "maybe",
            "conflicts",
            "included",
            "excluded",
            "not_retrieved",
        ]
        read_only_fields = ["id", "position"]

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        if project is not None:
            self.fields["reviewers"].child_relation.queryset = get_user_model().objects.filter(
                memberships__project=project, memberships__role__in=[Role.LEAD, Role.REVIEWER]
            )


class StagesSetUpSerializer(serializers.Serializer):
    preset = serializers.ChoiceField(
        choices=[("three", "title; title and abstract; full text"), ("two", "abstract; full text")]
    )


class DecisionSerializer(serializers.ModelSerializer):
    record = serializers.IntegerField(source="item.record_id", read_only=True)
    stage = serializers.IntegerField(source="item.stage_id", read_only=True)
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "record", "stage", "reviewer", "value", "reason", "note", "decided_at"]
        read_only_fields = fields


class DecisionCreateSerializer(serializers.Serializer):
    record = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The record's id.")
    value = serializers.ChoiceField(choices=Decision.Value.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ItemSerializer(serializers.ModelSerializer):
    """A record at a stage: its status there and (where the viewer may see them) decisions."""

    record_title = serializers.CharField(source="record.title", read_only=True)
    resolved_by = serializers.CharField(
        source="resolved_by.username", read_only=True, allow_null=True, default=None
    )
    decisions = serializers.SerializerMethodField()

    class Meta:
        model = ScreeningItem
        fields = [
            "id",
            "record",
            "record_title",
            "status",
            "decisions_made",
            "exclusion_reason",
            "resolved_by",
            "resolution_note",
            "resolved_at",
            "decisions",
        ]
        read_only_fields = fields

    @extend_schema_field(DecisionSerializer(many=True))
    def get_decisions(self, item):
        blind_for = self.context.get("blind_for")
        decisions = [
            decision
            for decision in item.decisions.all()
            if blind_for is None or decision.reviewer_id == blind_for.pk
        ]
        return DecisionSerializer(decisions, many=True).data


class ItemFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ScreeningItem.Status.choices, required=False)


class ResolutionSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=[Decision.Value.INCLUDE, Decision.Value.EXCLUDE])
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AgreementSerializer(serializers.Serializer):
    stage = serializers.CharField()
    reviewer_a = serializers.CharField()
    reviewer_b = serializers.CharField()
    n = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)
    kappa = serializers.FloatField(allow_null=True)
    ac1 = serializers.FloatField(allow_null=True)
    pabak = serializers.FloatField(allow_null=True)


class FlowProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.CharField()
    box = serializers.CharField()
    expected = serializers.IntegerField()
    actual = serializers.IntegerField()
    message = serializers.CharField()


class FlowSerializer(serializers.Serializer):
    rows = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True)),
        help_text="The PRISMA2020 template's rows with their counts (as flow-prisma.csv).",
    )
    problems = FlowProblemSerializer(many=True)
    undecided = serializers.DictField(
        child=serializers.IntegerField(), help_text="Records still undecided, by stage name."
    )


# --- grading -----------------------------------------------------------------------------


class ResultFilterSerializer(serializers.Serializer):
    study = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    category = serializers.SlugField(required=False, help_text="A category's key.")


class CategorySerializer(serializers.ModelSerializer):
    result_count = serializers.IntegerField(read_only=True)
    study_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = InterventionCategory
        fields = ["key", "position", "title", "graded", "result_count", "study_count"]
        read_only_fields = ["position"]
        validators = []  # the key's uniqueness is the service's to check


class ExtractionFieldSerializer(serializers.ModelSerializer):
    choices = _texts(required=False)

    class Meta:
        model = ExtractionField
        fields = [
            "id",
            "key",
            "label",
            "kind",
            "choices",
            "help_text",
            "required",
            "position",
            "active",
        ]
        read_only_fields = ["id", "position"]
        validators = []


class ExtractionFieldActiveSerializer(serializers.Serializer):
    active = serializers.BooleanField()


class StudySerializer(VersionedSerializer):
    authors = _texts(required=False)
    records = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Record.objects.none(),
        required=False,
        help_text="Ids of the included records the study reports (set when it is created).",
    )
    result_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Study
        # The service's list of what a study holds (grading.services.studies).
        fields = [
            "id",
            *STUDY_FIELDS,
            "records",
            "result_count",
            "created_at",
            "version",
        ]
        read_only_fields = ["id", "created_at"]

    def __init__(self, *args, topic_area=None, **kwargs):
        super().__init__(*args, **kwargs)
        if topic_area is not None:
            self.fields["records"].child_relation.queryset = topic_area.records.filter(
                canonical__isnull=True
            )

    def validate_country(self, value: str) -> str:
        return value.strip().upper()


class ResultSerializer(VersionedSerializer):
    study = serializers.PrimaryKeyRelatedField(
        queryset=Study.objects.none(), help_text="The study's id (set when it is created)."
    )
    category = serializers.SlugRelatedField(
        slug_field="key", queryset=InterventionCategory.objects.none(), help_text="Its key."
    )
    extra = serializers.DictField(
        required=False, help_text="Values of the project's extraction fields, by field key."
    )
    quality = serializers.CharField(read_only=True)
    default_quality = serializers.CharField(read_only=True)

    class Meta:
        model = Result
        # The service's list of what a result holds, so that a field added there (the
        # weighted framework's factors, say) is in the API as well.
        fields = [
            "id",
            "study",
            *[name for name in RESULT_FIELDS if name != "extra"],
            "quality",
            "default_quality",
            "extra",
            "version",
        ]
        read_only_fields = ["id"]

    def __init__(self, *args, topic_area=None, **kwargs):
        super().__init__(*args, **kwargs)
        if topic_area is not None:
            self.fields["study"].queryset = topic_area.studies.all()
            self.fields["category"].queryset = topic_area.categories.all()
            self.extraction_fields = {
                field.key: field for field in topic_area.project.extraction_fields.all()
            }

    def validate_extra(self, extra: dict) -> dict:
        """Each value through the form field the page would use for it (extraction_form_field)."""
        fields = getattr(self, "extraction_fields", {})
        errors, cleaned = {}, {}
        for key, value in extra.items():
            field = fields.get(key)
            if field is None or not field.active:
                errors[key] = [_("Not a field of the project's extraction form.")]
                continue
            try:
                value = extraction_form_field(field).clean(value)
            except forms.ValidationError as error:
                errors[key] = error.messages
                continue
            cleaned[key] = float(value) if hasattr(value, "as_tuple") else value
        if not self.partial:
            for key, field in fields.items():
                if field.active and field.required and key not in extra:
                    errors[key] = [_("This field is required.")]
        if errors:
            raise serializers.ValidationError(errors)
        return cleaned


class VerdictEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = VerdictEvent
        fields = ["kind", "level", "rationale", "actor", "at"]
        read_only_fields = fields


class VerdictSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.key", read_only=True)
    category_title = serializers.CharField(source="category.title", read_only=True)
    level = serializers.CharField(read_only=True, help_text="The final level, else the computed.")
    stale = serializers.SerializerMethodField(
        help_text="A save changed the inputs and the recompute has not run yet."
    )
    trace = serializers.DictField(read_only=True, help_text="How the framework reached the level.")
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Verdict
        fields = [
            "category",
            "category_title",
            "framework",
            "computed_level",
            "computed_direction",
            "trace",
            "computed_at",
            "stale",
            "final_level",
            "level",
            "rationale",
            "decided_by",
            "decided_at",
            "version",
        ]
        read_only_fields = fields

    def get_stale(self, verdict) -> bool:
        return verdict.stale_since is not None


class VerdictDetailSerializer(VerdictSerializer):
    events = VerdictEventSerializer(many=True, read_only=True)

    class Meta(VerdictSerializer.Meta):
        fields = [*VerdictSerializer.Meta.fields, "events"]
        read_only_fields = fields


class VerdictFinalSerializer(serializers.Serializer):
    level = serializers.CharField(
        allow_blank=True, max_length=40, help_text="A level code of the project's framework."
    )
    rationale = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class ExportLinkSerializer(serializers.Serializer):
    name = serializers.CharField()
    format = serializers.CharField()
    url = serializers.CharField()


# --- the report and its comments ---------------------------------------------------------


class ReportTablesSerializer(serializers.Serializer):
    """One topic area's stored report tables (as the report page shows them)."""

    topic_area = serializers.CharField(source="topic_area.key")
    computed_at = serializers.DateTimeField(allow_null=True)
    stale = serializers.BooleanField(help_text="A change the tables do not show yet.")
    tables = serializers.JSONField(help_text='As stored: {"facts": ..., "da": ..., "en": ...}.')
    problems = serializers.JSONField(help_text="What the consistency checks found.")


class CommentSerializer(serializers.ModelSerializer):
    topic_area = serializers.CharField(source="topic_area.key", allow_null=True, default=None)
    author = serializers.CharField(source="author.username", allow_null=True, default=None)
    resolved_by = serializers.CharField(
        source="resolved_by.username", allow_null=True, default=None
    )

    class Meta:
        model = Comment
        fields = [
            "id",
            "parent",
            "topic_area",
            "target_kind",
            "target_id",
            "target_label",
            "author",
            "body",
            "created_at",
            "resolved_by",
            "resolved_at",
        ]
        read_only_fields = fields


class CommentCreateSerializer(serializers.Serializer):
    target_kind = serializers.ChoiceField(choices=Comment.Target.choices)
    target_id = serializers.IntegerField(
        min_value=1,
        max_value=2_000_000_000,
        help_text="The verdict's, category's, study's or result's id; a topic area's for a flow.",
    )
    body = serializers.CharField()


class CommentReplySerializer(serializers.Serializer):
    body = serializers.CharField()


class CommentResolveSerializer(serializers.Serializer):
    resolved = serializers.BooleanField(default=True, help_text="false: open it again.")


class CommentFilterSerializer(serializers.Serializer):
    open = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: unresolved threads only."
    )
