"""A record's history: /api/projects/<slug>/topic-areas/<key>/records/<id>/history/.

The record history page's (screening.views.history.record_history) stages, decisions and
audit entries, read by the same queries (`record_history_items`, `record_history_entries`)
with its blinding (`can_see_others_decisions`), under its permission (every member). The
entries are shaped as the activity log's, with its blind-work rule
(reviewapp.audit.mark_values_hidden). Not paginated: one record's history, as its page.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from reviewapp.api.activity import ActivityEntrySerializer
from reviewapp.api.permissions import ProjectScoped
from reviewapp.audit import mark_values_hidden
from screening import queries
from screening.api.serializers import DecisionSerializer
from screening.models import Record, ScreeningItem


class RecordStageHistorySerializer(serializers.ModelSerializer):
    stage_name = serializers.CharField(source="stage.name")
    exclusion_reason = serializers.CharField(
        source="reason_shown", help_text="Empty where it comes from decisions hidden from you."
    )
    others_hidden = serializers.BooleanField(
        help_text="True when the other reviewers' decisions here are hidden from you (blinding)."
    )
    resolved_by = serializers.CharField(
        source="resolved_by.username", allow_null=True, default=None
    )
    decisions = DecisionSerializer(source="shown_decisions", many=True)

    class Meta:
        model = ScreeningItem
        fields = [
            "stage",
            "stage_name",
            "status",
            "exclusion_reason",
            "others_hidden",
            "resolved_by",
            "resolved_at",
            "resolution_note",
            "decisions",
        ]
        read_only_fields = fields


class RecordHistorySerializer(serializers.Serializer):
    record = serializers.IntegerField(source="record.pk")
    title = serializers.CharField(source="record.title")
    canonical = serializers.IntegerField(
        source="record.canonical_id", allow_null=True, help_text="Merged into this record."
    )
    stages = RecordStageHistorySerializer(many=True, help_text="The record at each stage.")
    entries = ActivityEntrySerializer(many=True, help_text="The audit entries, newest first.")


class RecordHistoryView(ProjectScoped, APIView):
    """The record's screening at every stage and the audit entries about it (as its page)."""

    @extend_schema(responses=RecordHistorySerializer)
    def get(self, request, project_slug, topic_key, record_id):
        record = get_object_or_404(Record, topic_area=self.topic_area, pk=record_id)
        record.topic_area = self.topic_area
        items = queries.record_history_items(request.user, record, self.topic_area)
        entries = queries.record_history_entries(request.user, record, items)
        mark_values_hidden(request.user, self.project, entries)
        body = {"record": record, "stages": items, "entries": entries}
        return Response(RecordHistorySerializer(body).data)
