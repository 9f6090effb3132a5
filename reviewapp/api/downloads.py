"""Files the pages offer (exports, diagrams, charts, full-text PDFs), downloaded through the API
with its authentication: a token (`Authorization: Bearer ...`) or the session.

An API download is its page's download view, run after the API's authentication and project
checks: the same view function, so the same permission (the `project_view` declaration the
page view carries, checked here before the view runs, so a non-member's request for any
method is 404 and an anonymous one 401, in the API's error shape rather than a redirect to the
login page) and the very same file. Each app routes its own downloads with `download_view`.
"""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.settings import APISettings, api_settings
from rest_framework.views import APIView

from reviewapp.api.base import query_filters
from reviewapp.api.permissions import ProjectScoped


class _NoFormatOverride(DefaultContentNegotiation):
    """A download's own `?format=` (the report's: xlsx, docx...) chooses the file, not DRF's
    renderer: without this DRF would answer 404 for a format it has no renderer for."""

    settings = APISettings({**api_settings.user_settings, "URL_FORMAT_OVERRIDE": None})


class PageDownload(ProjectScoped, APIView):
    """GET one file through its page's download view (see the module's docstring)."""

    content_negotiation_class = _NoFormatOverride
    page_view = None  # set by download_view

    def get(self, request, project_slug, **kwargs) -> HttpResponse:
        if self.query_serializers:
            query_filters(self)  # a bad choice is a 400 naming it
        # DRF set the authenticated user on the underlying request too.
        response = self.page_view(request._request, project_slug, **kwargs)
        disposition = response.get("Content-Disposition", "")
        if disposition.startswith("inline"):
            # A PDF opens inline beside the page's decision form; a program saves it.
            response["Content-Disposition"] = "attachment" + disposition.removeprefix("inline")
        return response


def download_view(
    page_view,
    *,
    operation_id: str,
    media_types: list[str],
    description: str,
    filters: type[serializers.Serializer] | None = None,
    parameters: list[OpenApiParameter] | None = None,
):
    """The API view downloading what `page_view` (a `project_view`) answers, documented as
    `media_types`, with the page view's permission."""
    files = OpenApiResponse(response=OpenApiTypes.BINARY, description=description)
    schema = extend_schema(
        operation_id=operation_id,
        description=description,
        parameters=parameters or [],  # and the filters (query_serializers), as every view's
        responses={(200, media_type): files for media_type in media_types},
    )

    def get(self, request, project_slug, **kwargs):
        return PageDownload.get(self, request, project_slug, **kwargs)

    view = type(
        f"{page_view.__name__.title().replace('_', '')}Download",
        (PageDownload,),
        {
            "page_view": staticmethod(page_view),
            "query_serializers": {"get": filters} if filters else {},
            "action_permissions": {"get": page_view.project_permission},
            "get": schema(get),  # a function of its own: extend_schema marks the function
            "__doc__": description,
        },
    )
    return view.as_view()
