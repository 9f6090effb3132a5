"""A result's risk-of-bias assessment (RoB 2, its cluster variant, ROBINS-I):
/api/projects/<slug>/topic-areas/<key>/results/<id>/risk-of-bias/.

The assessment page (grading.views.rob.rob_assessment) and this resource call the same
service, rob_assessment_save, under the same permissions (grading.view_grading to read,
grading.assess_risk_of_bias to save): the tool's proposals, the notes a judgement other than
the proposal needs, the audit entry and the result's rating (and so its verdict) are the same.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from grading.api.common import ResultScoped
from grading.models import RobAssessment
from grading.services import rob as rob_services
from reviewapp.api.base import expected_version, validated

NOTE_MAX_LENGTH = 5000
ANSWER_MAX_LENGTH = 20


class RobAssessmentSerializer(serializers.Serializer):
    tool = serializers.ChoiceField(choices=RobAssessment.Tool.choices)
    effect = serializers.ChoiceField(
        choices=RobAssessment.Effect.choices, default=RobAssessment.Effect.ASSIGNMENT
    )
    answers = serializers.DictField(
        child=serializers.CharField(max_length=ANSWER_MAX_LENGTH, allow_blank=True),
        help_text="Signalling question id (e.g. 1.1) -> the answer (Y, PY, PN, N, NI, NA).",
    )
    domain_judgements = serializers.DictField(
        child=serializers.CharField(max_length=ANSWER_MAX_LENGTH),
        help_text="Domain id (D1, ...) -> the confirmed judgement (RoB 2: low, some_concerns, "
        "high; ROBINS-I: low, moderate, serious, critical, no_information).",
    )
    overall = serializers.CharField(max_length=ANSWER_MAX_LENGTH)
    notes = serializers.DictField(
        child=serializers.CharField(max_length=NOTE_MAX_LENGTH, allow_blank=True),
        required=False,
        default=dict,
        help_text="Domain id or `overall` -> the reason; required where the judgement differs "
        "from the tool's proposal.",
    )
    tool_version = serializers.CharField(read_only=True)
    assessed_by = serializers.CharField(
        source="assessed_by.username", read_only=True, allow_null=True
    )
    assessed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    version = serializers.IntegerField(
        required=False, help_text="0 for a result not yet assessed; send the version you read."
    )


class RobAssessmentView(ResultScoped):
    """GET the result's assessment (the default tool, version 0, while it has none); POST
    the whole assessment to save it."""

    action_permissions = {
        "get": "grading.view_grading",
        "post": "grading.assess_risk_of_bias",
    }

    def _answer(self) -> Response:
        assessment = (
            RobAssessment.objects.select_related("assessed_by").filter(result=self.result).first()
        )
        if assessment is None:
            assessment = RobAssessment(
                result=self.result,
                tool=rob_services.default_tool(self.result),
                effect=RobAssessment.Effect.ASSIGNMENT,
                version=0,
            )
        return Response(RobAssessmentSerializer(assessment).data)

    @extend_schema(responses=RobAssessmentSerializer)
    def get(self, request, project_slug, topic_key, result_id):
        return self._answer()

    @extend_schema(request=RobAssessmentSerializer, responses=RobAssessmentSerializer)
    def post(self, request, project_slug, topic_key, result_id):
        result = self.result
        data = validated(RobAssessmentSerializer, request.data)
        version = expected_version(request, data)
        rob_services.rob_assessment_save(
            result=result, actor=request.user, expected_version=version, **data
        )
        return self._answer()
