"""The pages' permission rules, for API views (reviewapp.views.project_view's twin).

Anonymous requests get 401 before anything is looked up; a project the user is not a member
of is 404 (its existence does not leak); a member without the action's permission gets 403.
"""

from functools import cached_property

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404
from rest_framework import exceptions

from reviewapp.api.query import refuse_unknown_query_parameters
from reviewapp.models import Project, TopicArea

VIEW_PROJECT = "reviewapp.view_project"


class ApiView:
    """Every API view: past the site's login-required middleware (the API answers 401 in
    its own error shape, not a redirect to the login page); a query parameter the view does
    not read is refused (reviewapp.api.query), once the user is known to be allowed here.

    `query_serializers` maps an action (or an HTTP method, lower case, for plain views) to a
    serializer of the query parameters it reads: its filters, in the schema too.
    """

    query_serializers: dict[str, type] = {}

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication: 401 first
        if getattr(self, "swagger_fake_view", False):
            return
        self.check_scope(request)
        refuse_unknown_query_parameters(self, request)

    def check_scope(self, request) -> None:
        """What the URL names, looked up and checked against the user's roles."""


class ProjectScoped(ApiView):
    """A view under /api/projects/<project_slug>/.

    `action_permissions` maps a viewset action (or an HTTP method, lower case, for plain
    views) to the rules permission it needs; anything else needs membership only.
    """

    action_permissions: dict[str, str] = {}

    def check_scope(self, request) -> None:
        project = self.project
        if not request.user.has_perm(VIEW_PROJECT, project):
            raise exceptions.NotFound()
        action = getattr(self, "action", None) or request.method.lower()
        needed = self.action_permissions.get(action)
        if needed and not request.user.has_perm(needed, project):
            raise exceptions.PermissionDenied()
        self.resolve_scope()

    def resolve_scope(self) -> None:
        """Look up what the URL names before the body is read, so an unknown topic area (or
        stage) answers 404 "not_found" rather than a 400 about a body it never reaches."""
        if "topic_key" in self.kwargs:
            self.topic_area  # noqa: B018 (a cached_property: looked up, or 404)

    @cached_property
    def project(self) -> Project:
        return get_object_or_404(Project, slug=self.kwargs["project_slug"])

    @cached_property
    def topic_area(self) -> TopicArea:
        topic_area = get_object_or_404(
            TopicArea, project=self.project, key=self.kwargs["topic_key"]
        )
        topic_area.project = self.project
        return topic_area

    def can(self, permission: str) -> bool:
        return self.request.user.has_perm(permission, self.project)
