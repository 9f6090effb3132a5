"""Serializers of screening's API resources: sources, imports, records, duplicates, stages,
decisions and items, agreement and the flow. They never save (see reviewapp.api.serializers)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reviewapp.api.serializers import MAX_ID, VersionedSerializer, texts
from screening.bibrecord import RECORD_FIELDS
from screening.forms import checked_upload
from screening.models import (
    Decision,
    DuplicatePair,
    ImportJob,
    MaybeFlag,
    Record,
    ScreeningItem,
    Source,
    Stage,
)
from screening.parsers import CSV_FIELDS, FORMATS
from screening.queries import items_mark_blinding, project_screeners
from screening.services.imports import import_progress
from screening.services.labels import label_named
from screening.services.records import RECORD_EDIT_FIELDS


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
        read_only=True,
        help_text="Counts of the import once done (records, imported, ...); while it waits in "
        "`needs_confirmation`, `repairs` lists each entry repaired or skipped (entry, line, "
        "key, action, message).",
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
        if job.finished:
            return {"records": job.summary.get("records", 0), "percent": 100}
        return import_progress(job)


class CheckedUploadField(serializers.FileField):
    """A file of records within the size limit and not empty, as the import pages check it
    (`checked_upload`): a 400 naming the field and the file otherwise (an empty file too,
    by its name, rather than DRF's "The submitted file is empty.")."""

    def __init__(self, **kwargs):
        super().__init__(allow_empty_file=True, **kwargs)

    def to_internal_value(self, data):
        try:
            return checked_upload(super().to_internal_value(data))
        except forms.ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class ImportCreateSerializer(serializers.Serializer):
    upload = CheckedUploadField(help_text="The export file (multipart/form-data).")
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
    authors = texts(read_only=True)
    keywords = texts(read_only=True)
    labels = serializers.SerializerMethodField(help_text="The record's labels, by name.")
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
            *RECORD_FIELDS,
            "canonical",
            "duplicate_score",
            "duplicate_reason",
            "merged_at",
            "stage_status",
            "labels",
            "version",
        ]
        read_only_fields = fields

    def get_labels(self, record) -> list[str]:
        # Prefetched by the view (record_labels__label): no query per record.
        return sorted((link.label.name for link in record.record_labels.all()), key=str.lower)


class LabelNameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, help_text="The label's name (any case).")


class RecordUpdateSerializer(VersionedSerializer):
    """A correction of the record's bibliographic data (the earlier version is kept)."""

    authors = texts(required=False)
    keywords = texts(required=False)

    class Meta:
        model = Record
        fields = [*RECORD_EDIT_FIELDS, "version"]


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


class StageSerializer(VersionedSerializer):
    reviewers = serializers.SlugRelatedField(
        many=True,
        slug_field="username",
        queryset=get_user_model().objects.none(),
        required=False,
        help_text="Usernames taking part; empty: every lead and reviewer.",
    )
    exclusion_reasons = texts(required=False)
    include_keywords = texts(required=False)
    exclude_keywords = texts(required=False)
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
            self.fields["reviewers"].child_relation.queryset = project_screeners(project.pk)


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


class UndoneDecisionSerializer(DecisionSerializer):
    """A decision taken back: as it was, without an id (it is deleted)."""

    class Meta(DecisionSerializer.Meta):
        fields = [name for name in DecisionSerializer.Meta.fields if name != "id"]
        read_only_fields = fields


class DecisionUndoSerializer(serializers.Serializer):
    undone = UndoneDecisionSerializer(
        allow_null=True, help_text="The decision taken back; null when there was none."
    )


class MaybeCreateSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MaybeFlagSerializer(serializers.ModelSerializer):
    """A reviewer's private "maybe" on a record at a stage (not a decision)."""

    record = serializers.IntegerField(source="item.record_id", read_only=True)

    class Meta:
        model = MaybeFlag
        fields = ["item", "record", "stage", "note", "flagged_at"]
        read_only_fields = fields


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
        # The view reads the decisions the user may see (`can_see_others_decisions`).
        return DecisionSerializer(item.decisions.all(), many=True).data

    def to_representation(self, item):
        data = super().to_representation(item)
        # The stage's reason is derived from the decisions: hidden where they are.
        items_mark_blinding(self.context["request"].user, [item])
        data["exclusion_reason"] = item.reason_shown
        return data


class StageRecordFilterSerializer(serializers.Serializer):
    """The filters of a stage's list of records (queries.STAGE_ITEM_FILTERS), as the page's
    filter form has them: the items list's query parameters and a bulk action's `filters`.
    The context's `stage` says which reasons, reviewers, labels and sources exist; the
    validated data is the form's (`reviewer`, `label`, `source` as objects)."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Words in the title or abstract.",
    )
    status = serializers.ChoiceField(choices=ScreeningItem.Status.choices, required=False)
    decision = serializers.ChoiceField(
        choices=Decision.Value.choices,
        required=False,
        help_text="Records with a decision of this value (one you may see).",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Records excluded with this reason, one of the stage's.",
    )
    reviewer = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=150,
        help_text="Records this reviewer (a username) decided (decisions you may see).",
    )
    assigned = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=150,
        help_text="Records assigned to this reviewer (a username).",
    )
    label = serializers.CharField(
        required=False, allow_blank=True, max_length=60, help_text="Records with this label."
    )
    source = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Records of this source (id)."
    )
    year_from = serializers.IntegerField(required=False, min_value=0, max_value=9999)
    year_to = serializers.IntegerField(required=False, min_value=0, max_value=9999)
    mine = serializers.BooleanField(
        required=False, default=False, help_text="Only records you decided."
    )
    maybe = serializers.BooleanField(
        required=False, default=False, help_text="Only your maybe pile."
    )

    @property
    def _stage(self) -> Stage:
        return self.context["stage"]

    def validate_reason(self, reason):
        if reason and reason not in self._stage.exclusion_reasons:
            raise serializers.ValidationError(
                _("%(reason)s is not one of this stage's reasons.") % {"reason": reason}
            )
        return reason

    def validate_reviewer(self, username):
        if not username:
            return None
        user = (
            project_screeners(self._stage.topic_area.project_id).filter(username=username).first()
        )
        if user is None:
            raise serializers.ValidationError(
                _("No reviewer or lead of the project has this username.")
            )
        return user

    def validate_assigned(self, username):
        return self.validate_reviewer(username)

    def validate_label(self, name):
        if not name:
            return None
        label = label_named(project=self._stage.topic_area.project, name=name)
        if label is None:
            raise serializers.ValidationError(_("The project has no such label."))
        return label

    def validate_source(self, pk):
        source = Source.objects.filter(topic_area=self._stage.topic_area, pk=pk).first()
        if source is None:
            raise serializers.ValidationError(_("The topic area has no such source."))
        return source


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
