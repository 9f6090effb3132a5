"""A lead's bulk actions on a stage's filtered list of records, and their undo:
/api/.../topic-areas/<key>/stages/<stage_id>/bulk/[<id>/[undo/]].

The page's bulk form and its service (`bulk_action_apply`: an exclusion with a reason, a
label or an assignment to a reviewer, on the list as the stage list's filters narrow it),
the undo's (`bulk_action_undo`), under the page's permission (screening.bulk_act: leads),
for reading them too, as the page shows them to leads only. The filters are the items
list's (StageRecordFilterSerializer), checked field by field: a misspelt or unknown one
is a 400, never an action on more records.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from reviewapp.api.base import validated
from screening.api.serializers import StageRecordFilterSerializer
from screening.api.views import StageScoped
from screening.models import BulkAction
from screening.services import bulk as bulk_services


class BulkActionSerializer(serializers.ModelSerializer):
    action = serializers.ChoiceField(source="kind", choices=BulkAction.Kind.choices)
    label = serializers.CharField(source="label.name", allow_null=True, default=None)
    assignee = serializers.CharField(source="assignee.username", allow_null=True, default=None)
    count = serializers.SerializerMethodField(help_text="How many records it changed.")
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    undone_by = serializers.CharField(source="undone_by.username", allow_null=True, default=None)
    undo = serializers.SerializerMethodField(
        help_text="Where to POST to undo it (with the token); null once undone."
    )

    class Meta:
        model = BulkAction
        fields = [
            "id",
            "action",
            "reason",
            "label",
            "assignee",
            "count",
            "actor",
            "created_at",
            "undone_at",
            "undone_by",
            "undo",
        ]
        read_only_fields = fields

    def get_count(self, bulk) -> int:
        return len(bulk.rows)

    def get_undo(self, bulk) -> str | None:
        if bulk.undone_at is not None:
            return None
        view = self.context["view"]  # the stage's: its URL names project, topic area, stage
        kwargs = {name: view.kwargs[name] for name in ("project_slug", "topic_key", "stage_id")}
        url = reverse("api-bulk-action-undo", kwargs={**kwargs, "pk": bulk.pk})
        return self.context["request"].build_absolute_uri(url)


class BulkActionCreateSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=BulkAction.Kind.choices)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="For `exclude`: the exclusion reason (one of the stage's).",
    )
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=60,
        help_text="For `label`: the label's name (a new name creates the project's label).",
    )
    assignee = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="For `assign`: the username of a lead or reviewer who screens at the stage.",
    )
    filters = StageRecordFilterSerializer(
        help_text="Which of the stage's records: the items list's filters; {} for all of them."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The page's choice: those who screen at the stage (anyone else "does not exist",
        # whether or not there is such a user). No stage: the schema, which reads the type.
        if "stage" in self.context:
            assignees = bulk_services.stage_assignees(self.context["stage"])
            self.fields["assignee"].queryset = assignees


@extend_schema_view(
    create=extend_schema(request=BulkActionCreateSerializer, responses={201: BulkActionSerializer}),
    undo=extend_schema(request=None, responses=BulkActionSerializer),
)
class BulkActionViewSet(StageScoped):
    """A stage's bulk actions, newest first; a lead acts on every record of the stage's
    list as filtered, and undoes an action whole (refused, 409 `bulk_changed`, once a
    record it changed has changed since)."""

    serializer_class = BulkActionSerializer
    action_permissions = dict.fromkeys(["list", "retrieve", "create", "undo"], "screening.bulk_act")

    def topic_queryset(self):
        return self.stage.bulk_actions.select_related("actor", "label", "assignee", "undone_by")

    def create(self, request, project_slug, topic_key, stage_id):
        data = validated(BulkActionCreateSerializer, request.data, context={"stage": self.stage})
        bulk = bulk_services.bulk_action_apply(
            stage=self.stage,
            actor=request.user,
            filters=data["filters"],
            kind=data["action"],
            reason=data["reason"],
            name=data["name"],
            assignee=data["assignee"],
        )
        body = self.get_serializer(self.get_queryset().get(pk=bulk.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def undo(self, request, project_slug, topic_key, stage_id, pk):
        """Revert exactly what the bulk action did."""
        bulk = bulk_services.bulk_action_undo(bulk=self.get_object(), actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=bulk.pk)).data)
