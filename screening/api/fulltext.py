"""Full texts at a full-text stage: /api/.../stages/<stage_id>/fulltexts/[<record_id>/].

The list of the stage's records with each one's PDF status, a PDF uploaded for a record, a
zip of PDFs for many (multipart only; the answer is the page's report of every file),
"not retrievable" and removal: the full-text page's services (screening.services.fulltext)
under its permission (screening.manage_fulltexts). A stage that is not a full-text stage,
and a record that is not at it, are not found.
"""

from functools import cached_property

from django.core.exceptions import ValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from reviewapp.api.base import TopicScoped, query_filters, validated
from screening import fulltext as fulltext_rules
from screening import queries as screening_queries
from screening.models import ScreeningItem, Stage
from screening.services import fulltext as fulltext_services

NOTE_MAX_LENGTH = 2000  # as the page's form


class FullTextSerializer(serializers.Serializer):
    record = serializers.IntegerField(source="record_id")
    title = serializers.CharField(source="record.title")
    status = serializers.ChoiceField(
        choices=screening_queries.FULLTEXT_STATUSES,
        help_text="attached (a PDF), not_retrievable (marked so), missing (neither yet).",
    )
    file_name = serializers.CharField(allow_blank=True, help_text="The PDF's name, if attached.")
    size = serializers.IntegerField(help_text="The PDF's size in bytes (0 without one).")
    sha256 = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True, help_text="Why it is not retrievable.")
    uploaded_by = serializers.CharField(allow_null=True)
    uploaded_at = serializers.DateTimeField(allow_null=True)
    pdf = serializers.URLField(
        allow_null=True,
        help_text="Where the attached PDF downloads (with the token); null without one.",
    )

    def to_representation(self, item):
        text = getattr(item.record, "fulltext", None)
        if text is None:
            status = "missing"
        else:
            status = "not_retrievable" if text.not_retrievable else "attached"
        uploader = text.uploaded_by if text is not None else None
        return super().to_representation(
            {
                "record_id": item.record_id,
                "record": item.record,
                "status": status,
                "file_name": text.original_name if text is not None else "",
                "size": text.size if text is not None else 0,
                "sha256": text.sha256 if text is not None else "",
                "note": text.note if text is not None else "",
                "uploaded_by": uploader.username if uploader is not None else None,
                "uploaded_at": text.uploaded_at if text is not None else None,
                "pdf": self._pdf_url(item) if status == "attached" else None,
            }
        )

    def _pdf_url(self, item) -> str:
        view = self.context["view"]  # the stage's: its URL names project, topic area, stage
        kwargs = {name: view.kwargs[name] for name in ("project_slug", "topic_key", "stage_id")}
        url = reverse("api-fulltext-pdf", kwargs={**kwargs, "record_id": item.record_id})
        return self.context["request"].build_absolute_uri(url)


class FullTextFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=screening_queries.FULLTEXT_STATUSES, required=False)


class FullTextUploadSerializer(serializers.Serializer):
    upload = serializers.FileField(help_text="The record's PDF (replaces the one it had).")


class FullTextZipSerializer(serializers.Serializer):
    upload = serializers.FileField(
        help_text="A zip of PDFs, each matched to a record of the stage by its file name."
    )


class ZipFileSerializer(serializers.Serializer):
    file = serializers.CharField(source="name", help_text="The file's name in the zip.")


class ZipMatchSerializer(ZipFileSerializer):
    record = serializers.IntegerField(source="record.pk")
    title = serializers.CharField(source="record.title")
    rule = serializers.ChoiceField(
        choices=[rule.value for rule in fulltext_rules.Rule],
        help_text="What matched: the DOI, the record's own name (record-12.pdf), or first "
        "author, year and the start of the title.",
    )
    replaced = serializers.BooleanField(help_text="It replaces the record's earlier PDF.")


class ZipAmbiguousSerializer(ZipFileSerializer):
    reason = serializers.ChoiceField(
        choices=[reason.value for reason in fulltext_rules.Ambiguity],
        help_text="several_records: the name fits several records; several_files: another "
        "file in the zip fits the same record. Attach it on its own.",
    )
    records = serializers.SerializerMethodField(help_text="The records it fits (ids).")

    def get_records(self, entry) -> list[int]:
        return [record.pk for record in entry.records]


class ZipProblemSerializer(ZipFileSerializer):
    message = serializers.CharField(help_text="Why, naming the file (the request's language).")


class ZipReportSerializer(serializers.Serializer):
    """What became of each file of the zip (a ZipReport), as the full-text page reports it."""

    archive = serializers.CharField(help_text="The zip's name.")
    matched = ZipMatchSerializer(many=True, help_text="Attached to a record.")
    unmatched = serializers.ListField(
        child=serializers.CharField(), help_text="The files that fit no record: not attached."
    )
    ambiguous = ZipAmbiguousSerializer(many=True, help_text="Not attached: attach one by one.")
    not_pdf = ZipProblemSerializer(many=True, help_text="Not PDFs: not attached.")
    refused = ZipProblemSerializer(
        many=True, help_text="In a folder, encrypted, too large or damaged: not attached."
    )


class NotRetrievableSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )


@extend_schema_view(
    upload=extend_schema(
        request={"multipart/form-data": FullTextUploadSerializer}, responses=FullTextSerializer
    ),
    zip_upload=extend_schema(
        request={"multipart/form-data": FullTextZipSerializer}, responses=ZipReportSerializer
    ),
    not_retrievable=extend_schema(request=NotRetrievableSerializer, responses=FullTextSerializer),
    remove=extend_schema(request=None, responses=FullTextSerializer),
)
class FullTextViewSet(TopicScoped):
    """The records of a full-text stage with their full texts; reviewers and leads attach a
    PDF, mark one not retrievable, or remove either."""

    serializer_class = FullTextSerializer
    parser_classes = [JSONParser, MultiPartParser]  # the upload is a file
    lookup_url_kwarg = "record_id"
    query_serializers = {"list": FullTextFilterSerializer}
    action_permissions = dict.fromkeys(
        ["upload", "zip_upload", "not_retrievable", "remove"], "screening.manage_fulltexts"
    )

    @cached_property
    def stage(self) -> Stage:
        stage = Stage.objects.filter(
            topic_area=self.topic_area, pk=self.kwargs["stage_id"], kind=Stage.Kind.FULLTEXT
        ).first()
        if stage is None:
            raise exceptions.NotFound()  # `not_found`, as every 404 (Http404 is `error`)
        stage.topic_area = self.topic_area
        return stage

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ScreeningItem.objects.none()
        return screening_queries.fulltext_items(self.stage)

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        wanted = query_filters(self).get("status", "")
        return screening_queries.fulltext_items(self.stage, status=wanted)

    def get_object(self) -> ScreeningItem:
        item = self.get_queryset().filter(record_id=self.kwargs["record_id"]).first()
        if item is None:
            raise exceptions.NotFound()
        return item

    def _answer(self, item: ScreeningItem) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @action(detail=True, methods=["post"])
    def upload(self, request, project_slug, topic_key, stage_id, record_id):
        """Attach a PDF to the record (checked to be a PDF, within the size limit)."""
        item = self.get_object()
        data = validated(FullTextUploadSerializer, request.data)
        try:
            fulltext_services.fulltext_attach(
                record=item.record, actor=request.user, upload=data["upload"]
            )
        except ValidationError as error:
            raise exceptions.ValidationError({"upload": error.messages}) from None
        return self._answer(item)

    @action(
        detail=False,
        methods=["post"],
        url_path="zip",
        url_name="zip",
        parser_classes=[MultiPartParser],  # a file, and nothing else
    )
    def zip_upload(self, request, project_slug, topic_key, stage_id):
        """Attach every PDF of a zip to the record of the stage its file name names; the
        answer says what became of each file (the full-text page's report)."""
        stage = self.stage
        data = validated(FullTextZipSerializer, request.data)
        try:
            report = fulltext_services.fulltext_attach_zip(
                topic_area=self.topic_area, stage=stage, actor=request.user, upload=data["upload"]
            )
        except ValidationError as error:
            raise exceptions.ValidationError({"upload": error.messages}) from None
        return Response(ZipReportSerializer(report).data)

    @action(detail=True, methods=["post"], url_path="not-retrievable")
    def not_retrievable(self, request, project_slug, topic_key, stage_id, record_id):
        """No full text could be had: the record counts as "reports not retrieved"."""
        item = self.get_object()
        data = validated(NotRetrievableSerializer, request.data)
        fulltext_services.fulltext_mark_not_retrievable(
            record=item.record, actor=request.user, note=data["note"]
        )
        return self._answer(item)

    @action(detail=True, methods=["post"])
    def remove(self, request, project_slug, topic_key, stage_id, record_id):
        """Take the record's PDF or its "not retrievable" mark away."""
        item = self.get_object()
        fulltext_services.fulltext_remove(record=item.record, actor=request.user)
        return self._answer(item)
