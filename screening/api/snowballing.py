"""Snowballing from a record: POST /api/.../topic-areas/<key>/records/<id>/snowball/ (the
references as text or one typed in, JSON) and .../snowball/upload/ (a file of references,
multipart only).

The references of a record included at the last stage, imported as a snowballing source
whose records point back to it: the snowballing page's service (snowball_references_add)
under its permission (screening.import_records). The import runs in the background; the
answer is its job, polled at imports/<id>/ like any other: its summary says what was
imported, and which entries of the file were repaired or skipped, by line.
"""

from functools import cached_property

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from reviewapp.api.base import validated
from reviewapp.api.permissions import ProjectScoped
from screening.api.serializers import CheckedUploadField, ImportJobSerializer
from screening.models import Record
from screening.services.snowballing import snowball_references_add


class SnowballReferenceSerializer(serializers.Serializer):
    """One reference typed in (the page's small form)."""

    title = serializers.CharField(max_length=1000)
    authors = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, default=list, max_length=500
    )
    year = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1800, max_value=2200
    )
    journal = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    doi = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class SnowballSerializer(serializers.Serializer):
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=10_000_000,
        help_text="The references as RIS, BibTeX, PubMed (MEDLINE) or any text the import reads.",
    )
    reference = SnowballReferenceSerializer(required=False, allow_null=True, default=None)

    def validate(self, data):
        if bool(data["text"].strip()) == bool(data["reference"]):
            raise serializers.ValidationError(
                _("Send the references as text or one typed reference: one of the two.")
            )
        return data


class SnowballUploadSerializer(serializers.Serializer):
    upload = CheckedUploadField(
        help_text="A file of references: RIS, BibTeX, PubMed, EndNote or any format the "
        "import reads."
    )


class SnowballScoped(ProjectScoped, APIView):
    """The references of one record (reviewers and leads)."""

    action_permissions = {"post": "screening.import_records"}

    def resolve_scope(self) -> None:
        super().resolve_scope()
        self.record  # noqa: B018 (a cached_property: looked up, or 404)

    @cached_property
    def record(self) -> Record:
        record = (
            Record.objects.select_related("source")
            .filter(topic_area=self.topic_area, pk=self.kwargs["record_id"], canonical__isnull=True)
            .first()
        )
        if record is None:
            raise exceptions.NotFound()  # `not_found`, as every 404 (Http404 is `error`)
        record.topic_area = self.topic_area
        return record

    def _answer(self, job) -> Response:
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)


class SnowballView(SnowballScoped):
    """Add the references of an included record, as text or one typed in."""

    @extend_schema(request=SnowballSerializer, responses={201: ImportJobSerializer})
    def post(self, request, project_slug, topic_key, record_id):
        data = validated(SnowballSerializer, request.data)
        reference = data["reference"]
        job = snowball_references_add(
            record=self.record,
            actor=request.user,
            text=data["text"],
            reference=dict(reference) if reference else None,
        )
        return self._answer(job)


class SnowballUploadView(SnowballScoped):
    """Add the references of an included record from a file (the snowballing page's upload)."""

    parser_classes = [MultiPartParser]  # a file, and nothing else

    @extend_schema(
        request={"multipart/form-data": SnowballUploadSerializer},
        responses={201: ImportJobSerializer},
    )
    def post(self, request, project_slug, topic_key, record_id):
        record = self.record
        data = validated(SnowballUploadSerializer, request.data)
        job = snowball_references_add(record=record, actor=request.user, upload=data["upload"])
        return self._answer(job)
