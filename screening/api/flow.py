"""The flow diagram's counts entered by hand: /api/.../topic-areas/<key>/flow/reported/.

The page's form (screening.views.flow.flow_reported) and this resource call the same service,
flow_reported_update, under the same permission (screening.report_flow).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from reviewapp.api.base import expected_version, validated
from reviewapp.api.permissions import ProjectScoped
from reviewapp.models import TopicArea
from screening import flow
from screening.services.flow import flow_reported_update


def _boxes(topic_area: TopicArea) -> list[str]:
    return flow.reported_keys(topic_area.stages.exclude(kind="fulltext").count())


class ReportedFlowSerializer(serializers.Serializer):
    counts = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        read_only=True,
        help_text="The boxes entered by hand; a box not listed is counted from the records.",
    )
    boxes = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Every box that may be entered by hand, in the diagram's order.",
    )
    version = serializers.IntegerField(read_only=True, help_text="The topic area's version.")


class ReportedFlowUpdateSerializer(serializers.Serializer):
    counts = serializers.DictField(
        child=serializers.IntegerField(min_value=0, allow_null=True),
        help_text=(
            "Boxes to change: a whole number sets the box, null counts it from the records "
            "again; boxes not named keep their value."
        ),
    )
    version = serializers.IntegerField(
        required=False, help_text="The topic area's version you read (or send If-Match)."
    )

    def validate_counts(self, counts):
        unknown = sorted(set(counts) - set(_boxes(self.context["topic_area"])))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown flow boxes: %(keys)s") % {"keys": ", ".join(unknown)}
            )
        return counts


class ReportedFlowView(ProjectScoped, APIView):
    """The counts of the flow diagram a lead entered by hand (work done outside the app)."""

    action_permissions = {"patch": "screening.report_flow"}

    def _answer(self, topic_area: TopicArea) -> Response:
        body = {
            "counts": topic_area.reported_flow or {},
            "boxes": _boxes(topic_area),
            "version": topic_area.version,
        }
        return Response(ReportedFlowSerializer(body).data)

    @extend_schema(responses=ReportedFlowSerializer)
    def get(self, request, project_slug, topic_key):
        return self._answer(self.topic_area)

    @extend_schema(request=ReportedFlowUpdateSerializer, responses=ReportedFlowSerializer)
    def patch(self, request, project_slug, topic_key):
        data = validated(
            ReportedFlowUpdateSerializer, request.data, context={"topic_area": self.topic_area}
        )
        version = expected_version(request, data)
        topic_area = self.topic_area
        # The service replaces the whole set; PATCH changes only the boxes named. Merging
        # with what was read is safe: the service refuses if the version moved since.
        counts = {**(topic_area.reported_flow or {}), **data["counts"]}
        updated = flow_reported_update(
            topic_area=topic_area, actor=request.user, counts=counts, expected_version=version
        )
        return self._answer(updated)
