"""Dual extraction through the API: a reviewer's own (blind) extraction of a result,
/api/projects/<slug>/topic-areas/<key>/results/<id>/extractions/, the consensus,
.../results/<id>/consensus/, and the topic area's agreement, .../extraction-agreement/.

The pages (grading.views.consensus) and these resources call the same services,
extraction_save and consensus_record, under the same rules: grading.extract for one's own
extraction, grading.view_grading to read the consensus and can_settle_consensus (the lead,
or one of the two extractors) to record it. Blinding is the page's: nobody sees another's
extraction before the result has both (grading.queries.consensus.may_see_extractions).
"""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from grading.api.common import ResultScoped
from grading.models import Consensus, Extraction
from grading.queries import consensus as queries
from grading.rules import can_settle_consensus
from grading.services import consensus as services
from reviewapp.api.base import expected_version, validated
from reviewapp.api.permissions import ProjectScoped

EFFECT_MAX_LENGTH = 5000
VERSION_HELP = "0 for a first save; send the version you read."


def _key_field(name: str) -> serializers.Field:
    label, choices = queries.CONSENSUS_FIELDS[name]
    # Blank is accepted here and refused by the service (clean_values), which says which
    # fields a complete set needs (all but transferability), as on the page.
    if choices is None:
        return serializers.CharField(
            max_length=EFFECT_MAX_LENGTH, allow_blank=True, default="", help_text=str(label)
        )
    return serializers.ChoiceField(
        choices=choices, allow_blank=True, default="", help_text=str(label)
    )


class KeyFieldsSerializer(serializers.Serializer):
    """The key fields two reviewers extract (grading.queries.consensus.CONSENSUS_FIELDS)."""

    def get_fields(self):
        return {name: _key_field(name) for name in queries.CONSENSUS_FIELDS}


class ExtractionSerializer(KeyFieldsSerializer):
    def get_fields(self):
        return {
            **super().get_fields(),
            "dual_extraction": serializers.BooleanField(
                read_only=True, help_text="Whether the project uses dual extraction."
            ),
            "version": serializers.IntegerField(required=False, help_text=VERSION_HELP),
        }


class ComparedFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    value_a = serializers.CharField(allow_blank=True)
    value_b = serializers.CharField(allow_blank=True)
    differs = serializers.BooleanField()
    agreed = serializers.CharField(allow_blank=True, help_text="Blank while none is recorded.")


class ConsensusSerializer(KeyFieldsSerializer):
    def get_fields(self):
        return {
            **super().get_fields(),
            "extractions": serializers.IntegerField(
                read_only=True, help_text="How many of the two reviewers have extracted."
            ),
            "visible": serializers.BooleanField(
                read_only=True, help_text="Both have: the extractions are shown."
            ),
            "reviewer_a": serializers.CharField(read_only=True, allow_null=True),
            "reviewer_b": serializers.CharField(read_only=True, allow_null=True),
            "fields": ComparedFieldSerializer(many=True, read_only=True),
            "decided_by": serializers.CharField(read_only=True, allow_null=True),
            "decided_at": serializers.DateTimeField(read_only=True, allow_null=True),
            "can_settle": serializers.BooleanField(read_only=True),
            "version": serializers.IntegerField(required=False, help_text=VERSION_HELP),
        }


class FieldAgreementSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    n = serializers.IntegerField(help_text="Results two reviewers extracted.")
    percent = serializers.FloatField(allow_null=True)
    kappa = serializers.FloatField(allow_null=True)
    ac1 = serializers.FloatField(allow_null=True)
    pabak = serializers.FloatField(allow_null=True)


class ExtractionView(ResultScoped):
    """GET the signed-in reviewer's own extraction of the result (blank, version 0, while
    they have none; nobody else's is ever shown); POST all the key fields to save it."""

    action_permissions = {"get": "grading.extract", "post": "grading.extract"}

    def _answer(self) -> Response:
        mine = Extraction.objects.filter(result=self.result, reviewer=self.request.user).first()
        values = mine.values if mine else {}
        answer = {
            **{name: values.get(name, "") for name in queries.CONSENSUS_FIELDS},
            "dual_extraction": queries.dual_extraction_on(self.project),
            "version": mine.version if mine else 0,
        }
        return Response(ExtractionSerializer(answer).data)

    @extend_schema(responses=ExtractionSerializer)
    def get(self, request, project_slug, topic_key, result_id):
        return self._answer()

    @extend_schema(request=ExtractionSerializer, responses=ExtractionSerializer)
    def post(self, request, project_slug, topic_key, result_id):
        data = validated(ExtractionSerializer, request.data)
        version = expected_version(request, data)
        services.extraction_save(
            result=self.result, reviewer=request.user, values=data, expected_version=version
        )
        return self._answer()


class ConsensusView(ResultScoped):
    """GET the two extractions side by side, field by field with the differences marked
    (once both are in; before that only how many are), and the agreed values; POST the agreed
    values (the lead, or one of the two extractors) to record the consensus, which sets the
    result's key fields and recomputes its verdict."""

    action_permissions = {"get": "grading.view_grading", "post": "grading.view_grading"}

    def _answer(self) -> Response:
        extractions = queries.extractions_of(self.result)
        consensus = (
            Consensus.objects.select_related("decided_by").filter(result=self.result).first()
        )
        visible = queries.may_see_extractions(self.result, extractions)
        agreed = consensus.values if consensus else {}
        compared = queries.compare(extractions, consensus) if visible else []
        answer = {
            **{name: agreed.get(name, "") for name in queries.CONSENSUS_FIELDS},
            "extractions": len(extractions),
            "visible": visible,
            "reviewer_a": extractions[0].reviewer.username if visible else None,
            "reviewer_b": extractions[1].reviewer.username if visible else None,
            "fields": [
                {
                    "name": field.name,
                    "label": field.label,
                    "value_a": field.value_a,
                    "value_b": field.value_b,
                    "differs": field.differs,
                    "agreed": field.agreed,
                }
                for field in compared
            ],
            "decided_by": consensus.decided_by.username
            if consensus and consensus.decided_by
            else None,
            "decided_at": consensus.decided_at if consensus else None,
            "can_settle": can_settle_consensus(self.request.user, self.result),
            "version": consensus.version if consensus else 0,
        }
        return Response(ConsensusSerializer(answer).data)

    @extend_schema(responses=ConsensusSerializer)
    def get(self, request, project_slug, topic_key, result_id):
        return self._answer()

    @extend_schema(request=ConsensusSerializer, responses=ConsensusSerializer)
    def post(self, request, project_slug, topic_key, result_id):
        # Before the body is read: a peer reviewer (or a reviewer who did not extract) is
        # refused whatever they send, as the page refuses them.
        if not can_settle_consensus(request.user, self.result):
            raise PermissionDenied
        data = validated(ConsensusSerializer, request.data)
        version = expected_version(request, data)
        services.consensus_record(
            result=self.result, actor=request.user, values=data, expected_version=version
        )
        return self._answer()


class ExtractionAgreementView(ProjectScoped, APIView):
    """Agreement of the two extractions per field (risk of bias, direction, quality) over
    the topic area's results that two reviewers extracted, as the agreement page shows."""

    action_permissions = {"get": "grading.view_grading"}

    @extend_schema(responses=FieldAgreementSerializer(many=True))
    def get(self, request, project_slug, topic_key):
        statistics = queries.extraction_agreement(self.topic_area)
        rows = [
            {
                "field": name,
                "label": str(queries.CONSENSUS_FIELDS[name][0]),
                "n": stats.n,
                "percent": stats.percent,
                "kappa": stats.kappa,
                "ac1": stats.ac1,
                "pabak": stats.pabak,
            }
            for name, stats in statistics.items()
        ]
        return Response(FieldAgreementSerializer(rows, many=True).data)
