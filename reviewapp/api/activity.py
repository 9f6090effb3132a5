"""The project's activity log: /api/projects/<slug>/activity/.

The activity page's entries (reviewapp.views.activity) under its permission
(reviewapp.view_audit), with its filters, its labels in the reader's language
(reviewapp.audit_labels) and its blind-work rule (reviewapp.audit.mark_values_hidden).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, generics, serializers

from reviewapp.api.base import query_filters
from reviewapp.api.permissions import ProjectScoped
from reviewapp.audit import mark_values_hidden
from reviewapp.models import AuditEntry
from reviewapp.queries import activity_entries


class ActivityFilterSerializer(serializers.Serializer):
    person = serializers.CharField(
        required=False, allow_blank=True, max_length=150, help_text="The actor's username."
    )
    kind = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=60,
        help_text="A kind of action: the part of the action code before the dot (`decision`).",
    )
    topic = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="A topic area's key: the entries about it and what is in it.",
    )
    date_from = serializers.DateField(required=False, help_text="On or after this day.")
    date_to = serializers.DateField(required=False, help_text="On or before this day.")


class ActivityChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field, named as the activity page names it.")
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class ActivityTargetSerializer(serializers.Serializer):
    type = serializers.CharField(source="object_type", help_text="The kind of object (`stage`).")
    id = serializers.CharField(source="object_id", help_text="Its id (empty when none).")
    name = serializers.CharField(source="object_repr", help_text="What it was called then.")


class ActivityEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor.username",
        allow_null=True,
        default=None,
        help_text="The username (a pseudonym once erased); null for the system.",
    )
    action_label = serializers.CharField(help_text="The action in the requester's language.")
    target = ActivityTargetSerializer(source="*")
    values_hidden = serializers.BooleanField(
        help_text="True when the values are hidden from you (another reviewer's blind work)."
    )
    changes = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "created_at",
            "actor",
            "action",
            "action_label",
            "target",
            "values_hidden",
            "changes",
        ]

    @extend_schema_field(ActivityChangeSerializer(many=True))
    def get_changes(self, entry: AuditEntry) -> list[dict]:
        """(field, before, after) of each changed field, as the page's table; none when
        the values are hidden."""
        if entry.values_hidden:
            return []
        return [
            {"field": field, "before": before, "after": after}
            for field, before, after in entry.changed_fields
        ]


class ActivityView(ProjectScoped, generics.ListAPIView):
    """The project's audit log, newest first, filtered as on the activity page."""

    serializer_class = ActivityEntrySerializer
    query_serializers = {"get": ActivityFilterSerializer}
    action_permissions = {"get": "reviewapp.view_audit"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditEntry.objects.none()
        filters = query_filters(self)
        topic_area = None
        if filters.get("topic"):
            topic_area = self.project.topic_areas.filter(key=filters["topic"]).first()
            if topic_area is None:
                raise exceptions.ValidationError({"topic": [_("No topic area has this key.")]})
        return activity_entries(
            self.project,
            person=filters.get("person", ""),
            kind=filters.get("kind", ""),
            topic_area=topic_area,
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        mark_values_hidden(self.request.user, self.project, page)
        return page
