"""A stage's prioritisation: /api/.../topic-areas/<key>/stages/<id>/prioritisation/[stop|resume/].

The queue order, the stopping rule, its advice now and the ranking in use, as the
prioritisation page (screening.views.screening.stage_prioritisation) shows them; the page's
forms and these resources call the same services (screening.services.ranking) under the same
permission (screening.manage_stages; reading needs membership only, as the page).
"""

from functools import cached_property

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from reviewapp.api.base import validated
from reviewapp.api.permissions import ProjectScoped
from screening import queries
from screening.models import Ranking, Stage
from screening.services import ranking as ranking_services

MANAGE_STAGES = "screening.manage_stages"


class RankingSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Ranking.Status.choices)
    labels = serializers.IntegerField(help_text="The final decisions it learned from.")
    included = serializers.IntegerField()
    excluded = serializers.IntegerField()
    scored = serializers.IntegerField(help_text="The records it scored.")
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class AdviceSerializer(serializers.Serializer):
    rule = serializers.ChoiceField(choices=Stage.StoppingRule.choices)
    stop = serializers.BooleanField(help_text="Whether the rule says you may stop now.")
    value = serializers.FloatField(help_text="The figure the rule looks at.")
    threshold = serializers.FloatField(help_text="What it compares that figure with.")


class EstimateSerializer(serializers.Serializer):
    remaining = serializers.FloatField(help_text="Relevant records expected among those left.")
    low = serializers.FloatField(help_text="The 95 % interval's lower end.")
    high = serializers.FloatField(help_text="Its upper end.")
    window = serializers.IntegerField(help_text="The latest records screened it is based on.")
    recent_relevant = serializers.IntegerField(help_text="How many of those were relevant.")


class PrioritisationSerializer(serializers.Serializer):
    queue_order = serializers.ChoiceField(choices=Stage.Order.choices)
    stopping_rule = serializers.ChoiceField(choices=Stage.StoppingRule.choices)
    stopping_threshold = serializers.FloatField(
        help_text=(
            "Irrelevant records in a row; the estimated relevant records left to fall below; "
            "the recall target (e.g. 0.95); or, for the knee method, how many times slower "
            "finds must have become (e.g. 20)."
        )
    )
    stopping_rule_label = serializers.CharField(
        read_only=True, help_text="The rule and its threshold in the requester's language."
    )
    stopped_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When a lead stopped screening here."
    )
    stopped_by = serializers.CharField(read_only=True, allow_null=True)
    screened = serializers.IntegerField(read_only=True)
    found = serializers.IntegerField(read_only=True, help_text="Relevant records found.")
    unscreened = serializers.IntegerField(read_only=True)
    estimate = EstimateSerializer(read_only=True, help_text="Relevant records left, estimated.")
    advice = AdviceSerializer(read_only=True, help_text="The stopping rule's advice now.")
    ranking = RankingSerializer(
        read_only=True, allow_null=True, help_text="The ranking the queue uses (null: none yet)."
    )
    last_run = RankingSerializer(
        read_only=True,
        allow_null=True,
        help_text="The latest retrain (running, failed, ...); the ranking in use stays on failure.",
    )


class PrioritisationUpdateSerializer(serializers.Serializer):
    queue_order = serializers.ChoiceField(choices=Stage.Order.choices, required=False)
    stopping_rule = serializers.ChoiceField(choices=Stage.StoppingRule.choices, required=False)
    stopping_threshold = serializers.FloatField(required=False, allow_null=False)


class StageView(ProjectScoped, APIView):
    def resolve_scope(self) -> None:
        super().resolve_scope()
        self.stage  # noqa: B018 (a cached_property: looked up, or 404)

    @cached_property
    def stage(self) -> Stage:
        stage = get_object_or_404(
            Stage.objects.select_related("stopped_by"),
            topic_area=self.topic_area,
            pk=self.kwargs["stage_id"],
        )
        stage.topic_area = self.topic_area
        return stage

    def answer(self, stage: Stage) -> Response:
        figures = queries.stage_prioritisation(stage)
        body = {
            "queue_order": stage.queue_order,
            "stopping_rule": stage.stopping_rule,
            "stopping_threshold": stage.stopping_threshold,
            "stopping_rule_label": stage.stopping_rule_label(),
            "stopped_at": stage.stopped_at,
            "stopped_by": stage.stopped_by.username if stage.stopped_by else None,
            "screened": figures["screened"],
            "found": figures["found"],
            "unscreened": figures["unscreened"],
            "estimate": figures["estimate"],
            "advice": figures["advice"],
            "ranking": ranking_services.latest_ranking(stage),
            "last_run": stage.rankings.order_by("-id").first(),
        }
        return Response(PrioritisationSerializer(body).data)

    def fresh(self) -> Stage:
        stage = Stage.objects.select_related("stopped_by").get(pk=self.stage.pk)
        stage.topic_area = self.topic_area
        return stage


class PrioritisationView(StageView):
    """The stage's queue order and stopping rule, with the rule's advice and the ranking."""

    action_permissions = {"patch": MANAGE_STAGES}

    @extend_schema(responses=PrioritisationSerializer)
    def get(self, request, project_slug, topic_key, stage_id):
        return self.answer(self.stage)

    @extend_schema(request=PrioritisationUpdateSerializer, responses=PrioritisationSerializer)
    def patch(self, request, project_slug, topic_key, stage_id):
        data = validated(PrioritisationUpdateSerializer, request.data)
        stage = self.stage
        # The page has a form each; here one body may carry both, saved together or not at
        # all. A rule without a threshold (or the reverse) keeps the stage's other half.
        with transaction.atomic():
            if "stopping_rule" in data or "stopping_threshold" in data:
                ranking_services.stage_stopping_set(
                    stage=stage,
                    actor=request.user,
                    rule=data.get("stopping_rule", stage.stopping_rule),
                    threshold=data.get("stopping_threshold", stage.stopping_threshold),
                )
            if "queue_order" in data:
                ranking_services.stage_order_set(
                    stage=stage, actor=request.user, order=data["queue_order"]
                )
        return self.answer(self.fresh())


class PrioritisationStopView(StageView):
    """Stop screening at the stage: its unscreened records are excluded by the stopping
    rule; the advice at this moment is kept in the audit entry (as the page)."""

    action_permissions = {"post": MANAGE_STAGES}

    @extend_schema(request=None, responses=PrioritisationSerializer)
    def post(self, request, project_slug, topic_key, stage_id):
        advice = queries.stage_prioritisation(self.stage)["advice"]
        ranking_services.stage_stop(stage=self.stage, actor=request.user, advice=advice)
        return self.answer(self.fresh())


class PrioritisationResumeView(StageView):
    """Withdraw a stop: the unscreened records are back in the queue."""

    action_permissions = {"post": MANAGE_STAGES}

    @extend_schema(request=None, responses=PrioritisationSerializer)
    def post(self, request, project_slug, topic_key, stage_id):
        ranking_services.stage_resume(stage=self.stage, actor=request.user)
        return self.answer(self.fresh())
