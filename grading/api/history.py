"""A study's history: /api/projects/<slug>/topic-areas/<key>/studies/<id>/history/.

The study history page's timeline (grading.views.history.study_history: `study_timeline`,
newest first) under its permission (grading.view_grading: every member). Each row is an
audit entry, shown as the activity log shows it (its blind-work rule too:
reviewapp.audit.mark_values_hidden), or a change of the verdict of a category the study's
results count in.
"""

from functools import cached_property

from rest_framework import generics, serializers

from grading.api.serializers import VerdictEventSerializer
from grading.models import Study
from grading.queries.history import study_timeline
from grading.views.common import study_or_404
from reviewapp.api.activity import ActivityEntrySerializer
from reviewapp.api.permissions import ProjectScoped
from reviewapp.audit import mark_values_hidden


class StudyVerdictEventSerializer(VerdictEventSerializer):
    """A verdict's change, with the category it is the verdict of."""

    category = serializers.CharField(source="verdict.category.key", help_text="Its key.")
    category_title = serializers.CharField(source="verdict.category.title")

    class Meta(VerdictEventSerializer.Meta):
        fields = ["category", "category_title", *VerdictEventSerializer.Meta.fields]
        read_only_fields = fields


class StudyHistoryRowSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    entry = ActivityEntrySerializer(
        allow_null=True, default=None, help_text="An audit entry; null for a verdict's change."
    )
    verdict_event = StudyVerdictEventSerializer(
        source="event",
        allow_null=True,
        default=None,
        help_text="A verdict's change (computed, or a final level set); null for an entry.",
    )


class StudyHistoryView(ProjectScoped, generics.ListAPIView):
    """Every change to the study, its results, their risk of bias and (once both are in)
    dual extractions, and the verdicts its results count in, newest first (as its page)."""

    serializer_class = StudyHistoryRowSerializer
    action_permissions = {"get": "grading.view_grading"}

    def resolve_scope(self) -> None:
        super().resolve_scope()
        self.study  # noqa: B018 (a cached_property: looked up, or 404)

    @cached_property
    def study(self) -> Study:
        return study_or_404(self.topic_area, self.kwargs["study_id"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return []
        return study_timeline(self.study)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        entries = [row["entry"] for row in page if "entry" in row]
        mark_values_hidden(self.request.user, self.project, entries)
        return page
