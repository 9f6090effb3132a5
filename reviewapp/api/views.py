"""API views: validate with a serializer, call one service, answer with the resource.

Permissions are the pages' (see reviewapp.api.base.ProjectScoped and docs/api.md); every
write goes through the service the page's view calls, so audit entries, locks, recomputation
and version checks are the same whichever way a change comes in.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from reviewapp import services
from reviewapp.api import serializers as s
from reviewapp.api.base import EDIT_PROJECT, expected_version, validated
from reviewapp.api.permissions import ApiView, ProjectScoped
from reviewapp.models import Membership, TopicArea, UserProfile
from reviewapp.queries import deleted_projects_for_lead, memberships_for_project, projects_for_user
from reviewapp.rules import can_create_project


class ProjectViewSet(ApiView, viewsets.GenericViewSet):
    """Your projects. Who may create one (and become its lead) is PROJECT_CREATION's; leads
    edit it."""

    serializer_class = s.ProjectSerializer
    lookup_field = "slug"
    lookup_url_kwarg = "project_slug"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return s.Project.objects.none()
        return projects_for_user(self.request.user)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, project_slug):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request):
        if not can_create_project(request.user):
            raise exceptions.PermissionDenied()
        data = validated(s.ProjectSerializer, request.data)
        data.pop("version", None)
        project = services.project_create(creator=request.user, **data)
        body = self.get_serializer(self.get_queryset().get(pk=project.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request, project_slug):
        project = self.get_object()
        if not request.user.has_perm(EDIT_PROJECT, project):
            raise exceptions.PermissionDenied()
        data = validated(s.ProjectSerializer, request.data, instance=project, partial=True)
        version = expected_version(request, data)
        services.project_update(
            project=project, actor=request.user, expected_version=version, **data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=project.pk)).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, project_slug):
        """Put the project in the bin (a lead): it leaves every member's lists."""
        project = self.get_object()
        if not request.user.has_perm("reviewapp.delete_project", project):
            raise exceptions.PermissionDenied()
        services.project_delete(project=project, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def restore(self, request, project_slug):
        """Take the project out of the bin (a lead, within SOFT_DELETE_DAYS); only its leads
        find a project in the bin, anyone else gets 404."""
        project = deleted_projects_for_lead(request.user).filter(slug=project_slug).first()
        project = project or self.get_object()
        if not request.user.has_perm("reviewapp.delete_project", project):
            raise exceptions.PermissionDenied()
        services.project_restore(project=project, actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=project.pk)).data)


@extend_schema_view(
    create=extend_schema(request=s.MembershipCreateSerializer),
    partial_update=extend_schema(request=s.MembershipRoleSerializer),
)
class MembershipViewSet(ProjectScoped, viewsets.GenericViewSet):
    """The project's members and their roles; leads add, change and remove them."""

    lookup_value_regex = "[0-9]+"

    serializer_class = s.MembershipSerializer
    action_permissions = dict.fromkeys(
        ["create", "partial_update", "destroy"], "reviewapp.manage_members"
    )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return memberships_for_project(self.project)

    def list(self, request, project_slug):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, project_slug, pk):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request, project_slug):
        data = validated(s.MembershipCreateSerializer, request.data)
        membership = services.membership_add(
            project=self.project, user=data["username"], role=data["role"], actor=request.user
        )
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, project_slug, pk):
        membership = self.get_object()
        data = validated(s.MembershipRoleSerializer, request.data)
        membership = services.membership_change_role(
            membership=membership, role=data["role"], actor=request.user
        )
        return Response(self.get_serializer(membership).data)

    def destroy(self, request, project_slug, pk):
        services.membership_remove(membership=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TopicAreaViewSet(ProjectScoped, viewsets.GenericViewSet):
    """Topic areas (review questions) with their PICOS, search terms and limits."""

    serializer_class = s.TopicAreaSerializer
    lookup_field = "key"
    lookup_url_kwarg = "topic_key"
    action_permissions = {
        **dict.fromkeys(["create", "partial_update"], "reviewapp.change_topicarea"),
        **dict.fromkeys(["destroy", "restore"], "reviewapp.delete_topicarea"),
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return s.TopicArea.objects.none()
        return self.project.topic_areas.all()

    def resolve_scope(self) -> None:
        if self.action != "restore":  # a topic area in the bin is looked up there
            super().resolve_scope()

    @extend_schema(responses={204: None})
    def destroy(self, request, project_slug, topic_key):
        """Put the topic area in the bin (a lead): everything under it leaves every list."""
        services.topic_area_delete(topic_area=self.topic_area, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def restore(self, request, project_slug, topic_key):
        """Take the topic area out of the bin with everything under it (a lead)."""
        binned = TopicArea.all_objects.filter(project=self.project)
        topic_area = services.topic_area_restore(
            topic_area=get_object_or_404(binned, key=topic_key), actor=request.user
        )
        return Response(self.get_serializer(topic_area).data)

    def list(self, request, project_slug):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, project_slug, topic_key):
        return Response(self.get_serializer(self.topic_area).data)

    def create(self, request, project_slug):
        data = validated(s.TopicAreaSerializer, request.data)
        data.pop("version", None)
        topic_area = services.topic_area_create(project=self.project, actor=request.user, **data)
        return Response(self.get_serializer(topic_area).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, project_slug, topic_key):
        data = validated(s.TopicAreaSerializer, request.data, partial=True)
        version = expected_version(request, data)
        topic_area = services.topic_area_update(
            topic_area=self.topic_area, actor=request.user, expected_version=version, **data
        )
        return Response(self.get_serializer(topic_area).data)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
def not_found(request, path=""):
    """Any other address under /api/: a 404 in the API's error shape, not an HTML page."""
    raise exceptions.NotFound()


class MeView(ApiView, APIView):
    """Who am I: the user a token acts as, with a role in each of their projects."""

    @extend_schema(responses=s.MeSerializer)
    def get(self, request):
        return Response(s.MeSerializer(_me(request.user)).data)


def _me(user) -> dict:
    profile = UserProfile.objects.filter(user=user).first()  # read: created on first need
    # A join, which the projects' manager does not filter: projects in the bin left out.
    memberships = Membership.objects.filter(
        user=user, project__deleted_at__isnull=True
    ).select_related("project")
    return {
        "username": user.get_username(),
        "name": user.get_full_name(),
        "language": profile.language if profile else UserProfile.Language.ENGLISH,
        "memberships": memberships.order_by("project__slug"),
    }
