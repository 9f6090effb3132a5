"""A topic area's report settings: /api/projects/<slug>/topic-areas/<key>/report-settings/.

The counting options ("Middel til høj" and "Lav til middel" counted as low, middle or high)
and each category's short statement. The report page's settings form
(grading.views.report.report_settings) and this resource call the same service,
report_settings_update, under the same permission (grading.change_report).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from grading.models import ReportSettings
from grading.services import report as report_services
from reviewapp.api.base import expected_version, validated
from reviewapp.api.permissions import ProjectScoped

STATEMENT_MAX_LENGTH = 2000  # as the page's form


class ReportSettingsSerializer(serializers.Serializer):
    moderate_high_counts_as = serializers.ChoiceField(
        choices=ReportSettings.CountAs.choices,
        help_text="The counts table's row for “Middel til høj” (moderate to high).",
    )
    low_moderate_counts_as = serializers.ChoiceField(
        choices=ReportSettings.CountAs.choices,
        help_text="The counts table's row for “Lav til middel” (low to moderate).",
    )
    statements = serializers.DictField(
        child=serializers.CharField(max_length=STATEMENT_MAX_LENGTH, allow_blank=True),
        help_text=(
            "Category key -> the short statement of its results (the summary table's middle "
            "column). In a PATCH, categories not named keep theirs; an empty text removes one."
        ),
    )
    version = serializers.IntegerField(
        required=False,
        help_text="0 until a lead first saves settings; send the version you read.",
    )


class ReportSettingsView(ProjectScoped, APIView):
    """How the topic area's report tables count and what they state per category."""

    action_permissions = {"patch": "grading.change_report"}

    def _answer(self, settings: ReportSettings) -> Response:
        return Response(
            ReportSettingsSerializer(
                {name: getattr(settings, name) for name in [*report_services.SETTINGS_FIELDS]}
                | {"version": settings.version}
            ).data
        )

    @extend_schema(responses=ReportSettingsSerializer)
    def get(self, request, project_slug, topic_key):
        return self._answer(report_services.report_settings_get(self.topic_area))

    @extend_schema(request=ReportSettingsSerializer, responses=ReportSettingsSerializer)
    def patch(self, request, project_slug, topic_key):
        data = validated(ReportSettingsSerializer, request.data, partial=True)
        version = expected_version(request, data)
        current = report_services.report_settings_get(self.topic_area)
        # The service replaces every field; PATCH changes only those named. Merging with
        # what was read is safe: the service refuses if the version moved since.
        statements = {**current.statements, **data.pop("statements", {})}
        fields = {name: getattr(current, name) for name in report_services.SETTINGS_FIELDS}
        updated = report_services.report_settings_update(
            topic_area=self.topic_area,
            actor=request.user,
            expected_version=version,
            **(fields | data | {"statements": statements}),
        )
        return self._answer(updated)
