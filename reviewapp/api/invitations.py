"""A project's invitations: /api/projects/<slug>/invitations/[<id>/revoke/].

The members page's pending list (`invitations_pending`), its invitation form
(`invitation_create`, which sends the mail) and its *Withdraw* (`invitation_revoke`), under
its permission (reviewapp.manage_members: leads). The answer never carries the link: its
token is the invitee's key to the project, and goes by mail only.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from reviewapp.accounts import services as account_services
from reviewapp.api.base import validated
from reviewapp.api.permissions import ProjectScoped
from reviewapp.models import Invitation, Role, UserProfile
from reviewapp.views import page_language


class InvitationSerializer(serializers.ModelSerializer):
    invited_by = serializers.CharField(
        source="invited_by.username", allow_null=True, default=None, help_text="The lead's."
    )
    status = serializers.SerializerMethodField(
        help_text="`pending`, or `revoked`, `used`, `expired` (the list shows pending ones)."
    )
    revoke = serializers.SerializerMethodField(
        help_text="Where to POST (no body, with the token) to withdraw it; null once it is not "
        "pending."
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "language",
            "invited_by",
            "created_at",
            "expires_at",
            "status",
            "revoke",
        ]
        read_only_fields = fields

    def get_status(self, invitation) -> str:
        return account_services.invitation_status(invitation)

    def get_revoke(self, invitation) -> str | None:
        if account_services.invitation_status(invitation) != "pending":
            return None
        kwargs = {"project_slug": self.context["view"].project.slug, "pk": invitation.pk}
        return self.context["request"].build_absolute_uri(
            reverse("api-invitation-revoke", kwargs=kwargs)
        )


class InvitationCreateSerializer(serializers.Serializer):
    """The members page's invitation form (reviewapp.accounts.forms.InvitationForm)."""

    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    language = serializers.ChoiceField(
        choices=UserProfile.Language.choices,
        required=False,
        help_text="The mail's language (the request's when left out); someone who already "
        "has an account gets it in their own.",
    )


@extend_schema_view(
    create=extend_schema(request=InvitationCreateSerializer, responses={201: InvitationSerializer}),
    revoke=extend_schema(request=None),
)
class InvitationViewSet(ProjectScoped, viewsets.GenericViewSet):
    """The project's pending invitations (leads): send one by mail, withdraw one."""

    lookup_value_regex = "[0-9]+"
    serializer_class = InvitationSerializer
    action_permissions = dict.fromkeys(["list", "create", "revoke"], "reviewapp.manage_members")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return account_services.invitations_pending(self.project)

    def list(self, request, project_slug):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request, project_slug):
        data = validated(InvitationCreateSerializer, request.data)
        invitation = account_services.invitation_create(
            project=self.project,
            actor=request.user,
            email=data["email"],
            role=data["role"],
            language=data.get("language") or page_language(),
            base_url=request.build_absolute_uri("/"),
        )
        return Response(self.get_serializer(invitation).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def revoke(self, request, project_slug, pk):
        """Withdraw a pending invitation: its link no longer works (400 when it is not
        pending)."""
        invitation = get_object_or_404(Invitation, project=self.project, pk=pk)
        invitation = account_services.invitation_revoke(invitation=invitation, actor=request.user)
        return Response(self.get_serializer(invitation).data)
