"""Serializers of grading's API resources: extraction fields, studies, results, categories,
verdicts, the report and its comments. They never save (see reviewapp.api.serializers)."""

import json

from django import forms
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
from grading.queries.studies import records_awaiting_a_study
from grading.services.studies import EXTRACTION_FIELD_FIELDS, RESULT_FIELDS, STUDY_FIELDS
from grading.services.verdicts import CATEGORY_UPDATE_FIELDS
from reviewapp.api.serializers import MAX_ID, VersionedSerializer, texts
from screening.api.serializers import AgreementSerializer
from screening.models import (
    Record,
)


class CommentTargetSerializer(serializers.Serializer):
    """What a client sends to comment on something (POST comments/ with a body). Given `kind`,
    it is the object's own target, read off the object (its id, or `key(obj)`), so a client
    never has to work it out."""

    target_kind = serializers.ChoiceField(choices=Comment.Target.choices)
    target_id = serializers.IntegerField()

    def __init__(self, *args, kind: str | None = None, key=lambda obj: obj.pk, **kwargs):
        if kind is not None:
            kwargs.setdefault("help_text", "Send these two to comments/ to comment on it.")
            kwargs.update(source="*", read_only=True)
        super().__init__(*args, **kwargs)
        self.kind, self.key = (str(kind) if kind is not None else None), key

    def to_representation(self, obj) -> dict:
        if self.kind is None:
            return super().to_representation(obj)
        return {"target_kind": self.kind, "target_id": self.key(obj)}


class ResultFilterSerializer(serializers.Serializer):
    study = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    category = serializers.SlugField(required=False, help_text="A category's key.")


class CategorySerializer(serializers.ModelSerializer):
    result_count = serializers.IntegerField(read_only=True)
    study_count = serializers.IntegerField(read_only=True)
    comment_target = CommentTargetSerializer(kind=Comment.Target.CATEGORY)

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
    comment_target = CommentTargetSerializer(kind=Comment.Target.STUDY)

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
    comment_target = CommentTargetSerializer(kind=Comment.Target.RESULT)

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
    comment_target = CommentTargetSerializer(kind=Comment.Target.VERDICT)

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


@extend_schema_field({"anyOf": [{"type": "string"}, {"type": "number"}]})
class ReportCellField(serializers.Field):
    """A table cell: text (it may hold line breaks) or a number."""

    def to_representation(self, value):
        return value


class ReportTableSerializer(serializers.Serializer):
    """One report table (grading.report.tables), as the report page and the exports show it."""

    kind = serializers.ChoiceField(choices=["summary", "study", "counts", "flow", "agreement"])
    key = serializers.CharField()
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=ReportCellField()))
    row_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=["item", "heading", "total"])
    )
    row_comment_targets = serializers.ListField(
        child=CommentTargetSerializer(many=True),
        help_text="Per row, what one may comment on from it (a result's row: the result and "
        "its study; a category's: the category); empty for a row without.",
    )
    footnotes = serializers.ListField(child=serializers.CharField())
    landscape = serializers.BooleanField()
    widths = serializers.ListField(
        child=serializers.IntegerField(), help_text="Relative column widths."
    )


class ReportVerdictSerializer(serializers.Serializer):
    category_id = serializers.IntegerField()
    verdict_id = serializers.IntegerField(allow_null=True)
    category = serializers.CharField(help_text="The category's title.")
    level = serializers.CharField(help_text="The level that stands, in words.")
    computed_level = serializers.CharField()
    final = serializers.BooleanField(help_text="A lead set the level.")
    rationale = serializers.CharField()
    statement = serializers.CharField()
    comment_targets = CommentTargetSerializer(
        many=True, help_text="The verdict (once there is one) and the category."
    )


class ReportLanguageSerializer(serializers.Serializer):
    title = serializers.CharField()
    tables = ReportTableSerializer(many=True)
    verdicts = ReportVerdictSerializer(many=True)


class ReportCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    design = serializers.DictField(child=serializers.IntegerField(), help_text="By design group.")
    risk = serializers.DictField(child=serializers.IntegerField(), help_text="By risk group.")
    country = serializers.DictField(
        child=serializers.IntegerField(), help_text="By country code, Denmark first."
    )


class ReportDecisionsSerializer(serializers.Serializer):
    """Which screening decisions the tables read (they change when one is added or changed)."""

    n = serializers.IntegerField(help_text="How many.")
    last = serializers.CharField(allow_null=True, help_text="When the latest was made.")
    top = serializers.IntegerField(allow_null=True, help_text="The highest decision id.")


class ReportFactsSerializer(serializers.Serializer):
    """The language-neutral facts the tables were built from."""

    counts = ReportCountsSerializer()
    decisions = ReportDecisionsSerializer()
    agreement_rows = AgreementSerializer(many=True, help_text="As the agreement/ resource.")
    screening = serializers.CharField(help_text="A digest of the flow's numbers and decisions.")


class ReportContentSerializer(serializers.Serializer):
    facts = ReportFactsSerializer()
    da = ReportLanguageSerializer()
    en = ReportLanguageSerializer()


class ReportMessageSerializer(serializers.Serializer):
    da = serializers.CharField()
    en = serializers.CharField()


class ReportProblemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Which check (C1, C2, F-...).")
    message = ReportMessageSerializer()
    comment_target = CommentTargetSerializer(
        allow_null=True, help_text="What the problem is about, to comment on it (or null)."
    )


def _row_targets(target, topic_area) -> list[dict]:
    """A stored row or problem target (["result", id, study id], ["category", id],
    ["study", id], ["flow", None] or None) as comment targets."""
    if not target:
        return []
    kind, *ids = target
    if kind == Comment.Target.RESULT:
        return [
            {"target_kind": kind, "target_id": ids[0]},
            {"target_kind": Comment.Target.STUDY.value, "target_id": ids[1]},
        ]
    return [{"target_kind": kind, "target_id": topic_area.pk if kind == "flow" else ids[0]}]


def _verdict_targets(verdict: dict) -> list[dict]:
    """A report verdict's targets: the verdict (once there is one) and its category."""
    own = [{"target_kind": "verdict", "target_id": verdict["verdict_id"]}]
    category = {"target_kind": "category", "target_id": verdict["category_id"]}
    return [*(own if verdict["verdict_id"] else []), category]


class ReportTablesSerializer(serializers.Serializer):
    """One topic area's stored report tables (as the report page shows them)."""

    topic_area = serializers.CharField(source="topic_area.key")
    computed_at = serializers.DateTimeField(allow_null=True)
    stale = serializers.BooleanField(help_text="A change the tables do not show yet.")
    tables = ReportContentSerializer()
    problems = ReportProblemSerializer(many=True, help_text="What the consistency checks found.")
    flow_comment_target = CommentTargetSerializer(
        kind=Comment.Target.FLOW,
        key=lambda entry: entry["topic_area"].pk,
        help_text="Send these two to comments/ to comment on the topic area's flow diagram.",
    )

    def to_representation(self, entry: dict) -> dict:
        """The stored tables in the typed shape: comment targets as POST comments/ takes
        them, the decisions digest as an object, each problem's message by language."""
        topic_area, stored = entry["topic_area"], entry["tables"]
        facts = dict(stored["facts"])
        # decisions_digest is kept as JSON text, compared as a string to spot a change.
        facts["decisions"] = json.loads(facts["decisions"])
        tables = {"facts": facts}
        for language in ("da", "en"):
            content = stored[language]
            tables[language] = {
                **content,
                "tables": [
                    {
                        **table,
                        "row_comment_targets": [
                            _row_targets(target, topic_area) for target in table["targets"]
                        ],
                    }
                    for table in content["tables"]
                ],
                "verdicts": [
                    {**verdict, "comment_targets": _verdict_targets(verdict)}
                    for verdict in content["verdicts"]
                ],
            }
        problems = [
            {
                "code": problem["code"],
                "message": dict(zip(("da", "en"), problem["message"], strict=True)),
                "comment_target": next(iter(_row_targets(problem["target"], topic_area)), None),
            }
            for problem in entry["problems"]
        ]
        return super().to_representation({**entry, "tables": tables, "problems": problems})


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
