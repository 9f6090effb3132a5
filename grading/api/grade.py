"""A graded category's GRADE judgements:
/api/projects/<slug>/topic-areas/<key>/categories/<category key>/grade/.

The GRADE page (grading.views.grade.grade_assessment) and this resource call the same
service, grade_assessment_save, under the same permissions (grading.view_grading to read,
grading.set_final_verdict to save): the checks, the audit entry and the recomputed
certainty are the same.
"""

from functools import cached_property

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from grading.frameworks import grade
from grading.models import GradeAssessment, InterventionCategory
from grading.queries.grade import DOMAIN_IDS
from grading.services.grade import grade_assessment_save
from reviewapp.api.base import expected_version, validated
from reviewapp.api.permissions import ProjectScoped

REASON_MAX_LENGTH = 2000
COMMENTS_MAX_LENGTH = 5000


def _known_domains(value: dict) -> dict:
    unknown = sorted(set(value) - set(DOMAIN_IDS))
    if unknown:
        raise serializers.ValidationError(
            _("GRADE has no domain %(domains)s; it has %(known)s.")
            % {"domains": ", ".join(unknown), "known": ", ".join(DOMAIN_IDS)}
        )
    return value


class GradeAssessmentSerializer(serializers.Serializer):
    steps = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        validators=[_known_domains],
        help_text="Domain -> steps rated down (risk_of_bias, inconsistency, indirectness, "
        "imprecision, publication_bias) or up (large_effect, dose_response, "
        "plausible_confounding); a domain not named is 0.",
    )
    reasons = serializers.DictField(
        child=serializers.CharField(max_length=REASON_MAX_LENGTH, allow_blank=True),
        required=False,
        default=dict,
        validators=[_known_domains],
        help_text="Domain -> why it is rated down or up (required where it is).",
    )
    evidence = serializers.ChoiceField(
        choices=[("", ""), *GradeAssessment.Evidence.choices],
        required=False,
        default="",
        help_text="randomised or observational; empty: from the studies' designs.",
    )
    robins_i = serializers.BooleanField(required=False, default=False)
    outcome = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    relative_effect = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )
    risk_with_comparison = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )
    risk_with_intervention = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )
    comments = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=COMMENTS_MAX_LENGTH
    )
    assessed_by = serializers.CharField(read_only=True, allow_null=True)
    assessed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    version = serializers.IntegerField(
        required=False, help_text="0 for a category not assessed yet; send the version you read."
    )


class GradeAssessmentView(ProjectScoped, APIView):
    """GET the category's GRADE judgements (version 0, all steps 0, while none are saved);
    POST them all to save (leads)."""

    action_permissions = {"get": "grading.view_grading", "post": "grading.set_final_verdict"}

    @cached_property
    def category(self) -> InterventionCategory:
        category = InterventionCategory.objects.filter(
            topic_area=self.topic_area, key=self.kwargs["category_key"]
        ).first()
        if category is None:
            raise exceptions.NotFound()  # `not_found`, as every 404 (Http404 is `error`)
        category.topic_area = self.topic_area
        return category

    def _answer(self) -> Response:
        assessment = (
            GradeAssessment.objects.select_related("assessed_by")
            .filter(category=self.category)
            .first()
        ) or GradeAssessment(category=self.category, version=0)
        body = {
            "steps": {domain.id: getattr(assessment, domain.id) for domain in grade.DOMAINS},
            "reasons": assessment.reasons,
            "evidence": assessment.evidence,
            "robins_i": assessment.robins_i,
            "outcome": assessment.outcome,
            "relative_effect": assessment.relative_effect,
            "risk_with_comparison": assessment.risk_with_comparison,
            "risk_with_intervention": assessment.risk_with_intervention,
            "comments": assessment.comments,
            "assessed_by": assessment.assessed_by.username if assessment.assessed_by else None,
            "assessed_at": assessment.assessed_at,
            "version": assessment.version,
        }
        return Response(GradeAssessmentSerializer(body).data)

    @extend_schema(responses=GradeAssessmentSerializer)
    def get(self, request, project_slug, topic_key, category_key):
        return self._answer()

    @extend_schema(request=GradeAssessmentSerializer, responses=GradeAssessmentSerializer)
    def post(self, request, project_slug, topic_key, category_key):
        category = self.category
        data = validated(GradeAssessmentSerializer, request.data)
        version = expected_version(request, data)
        grade_assessment_save(
            category=category, actor=request.user, expected_version=version, **data
        )
        return self._answer()
