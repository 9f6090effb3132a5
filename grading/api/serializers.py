"""Serializers of grading's API resources: extraction fields, studies, results, categories,
verdicts, the report and its comments. They never save (see reviewapp.api.serializers)."""

from django import forms
from django.utils.translation import gettext as _
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
from grading.queries.studies import records_awaiting_a_study
from grading.services.studies import EXTRACTION_FIELD_FIELDS, RESULT_FIELDS, STUDY_FIELDS
from grading.services.verdicts import CATEGORY_UPDATE_FIELDS
from reviewapp.api.serializers import MAX_ID, VersionedSerializer, texts
from screening.models import (
    Record,
)


class CommentTargetSerializer(serializers.Serializer):
    """What a client sends to comment on the object (POST comments/ with a body): the
    object's own kind and id, given on the resource so a client never has to work it out."""

    target_kind = serializers.ChoiceField(choices=Comment.Target.choices)
    target_id = serializers.IntegerField()

    def __init__(self, kind: str, *, key=lambda obj: obj.pk, **kwargs):
        kwargs.setdefault("help_text", "Send these two to comments/ to comment on it.")
        super().__init__(source="*", read_only=True, **kwargs)
        self.kind, self.key = str(kind), key

    def to_representation(self, obj) -> dict:
        return {"target_kind": self.kind, "target_id": self.key(obj)}


class ResultFilterSerializer(serializers.Serializer):
    study = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    category = serializers.SlugField(required=False, help_text="A category's key.")


class CategorySerializer(serializers.ModelSerializer):
    result_count = serializers.IntegerField(read_only=True)
    study_count = serializers.IntegerField(read_only=True)
    comment_target = CommentTargetSerializer(Comment.Target.CATEGORY)

    class Meta:
        model = InterventionCategory
        fields = [
            "key",
            "position",
            "title",
            "graded",
            "result_count",
            "study_count",
            "comment_target",
        ]
        read_only_fields = ["position"]
        validators = []  # the key's uniqueness is the service's to check


class CategoryUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = InterventionCategory
        fields = CATEGORY_UPDATE_FIELDS


class ExtractionFieldSerializer(serializers.ModelSerializer):
    choices = texts(required=False)

    class Meta:
        model = ExtractionField
        # The service's list (grading.services.studies), and what the service sets itself.
        fields = ["id", *EXTRACTION_FIELD_FIELDS, "position"]
        read_only_fields = ["id", "position"]
        validators = []


class ExtractionFieldActiveSerializer(serializers.Serializer):
    active = serializers.BooleanField()


class StudySerializer(VersionedSerializer):
    authors = texts(required=False)
    records = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Record.objects.none(),
        required=False,
        help_text="Ids of the records the study reports, included at the topic area's last stage "
        "and in no other study (set when it is created).",
    )
    result_count = serializers.IntegerField(read_only=True)
    comment_target = CommentTargetSerializer(Comment.Target.STUDY)

    class Meta:
        model = Study
        # The service's list of what a study holds (grading.services.studies).
        fields = [
            "id",
            *STUDY_FIELDS,
            "records",
            "result_count",
            "created_at",
            "comment_target",
            "version",
        ]
        read_only_fields = ["id", "created_at"]

    def __init__(self, *args, topic_area=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.topic_area = topic_area
        if topic_area is not None:
            self.fields["records"].child_relation.queryset = topic_area.records.filter(
                canonical__isnull=True
            )

    def validate_records(self, records: list[Record]) -> list[Record]:
        """Only records the study page offers: included at the last stage, in no study yet."""
        awaiting = set(
            records_awaiting_a_study(self.topic_area)
            .filter(pk__in=[record.pk for record in records])
            .values_list("pk", flat=True)
        )
        refused = [record.pk for record in records if record.pk not in awaiting]
        if refused:
            raise serializers.ValidationError(
                _(
                    "Only records included at the last stage and in no study yet can be a "
                    "study's records; these are not: %(ids)s."
                )
                % {"ids": ", ".join(map(str, refused))}
            )
        return records

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
    comment_target = CommentTargetSerializer(Comment.Target.RESULT)

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
            "comment_target",
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
    comment_target = CommentTargetSerializer(Comment.Target.VERDICT)

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
            "comment_target",
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


class ReportTablesSerializer(serializers.Serializer):
    """One topic area's stored report tables (as the report page shows them)."""

    topic_area = serializers.CharField(source="topic_area.key")
    computed_at = serializers.DateTimeField(allow_null=True)
    stale = serializers.BooleanField(help_text="A change the tables do not show yet.")
    tables = serializers.JSONField(help_text='As stored: {"facts": ..., "da": ..., "en": ...}.')
    problems = serializers.JSONField(help_text="What the consistency checks found.")
    flow_comment_target = CommentTargetSerializer(
        Comment.Target.FLOW,
        key=lambda entry: entry["topic_area"].pk,
        help_text="Send these two to comments/ to comment on the topic area's flow diagram.",
    )


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
