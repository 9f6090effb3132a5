"""The machinery every app's API views build on: project- and topic-scoped base views with the
pages' permission rules, the version a client read, validation of bodies and filters."""

from collections.abc import Mapping

from django.utils.translation import gettext as _
from rest_framework import exceptions, viewsets
from rest_framework.response import Response

from reviewapp.api.errors import VersionRequired
from reviewapp.api.permissions import ProjectScoped

EDIT_PROJECT = "reviewapp.change_project"
REVIEW_WORK = "reviewapp.do_review_work"


def expected_version(request, data: dict) -> int:
    """The version the client read: the body's `version`, else an If-Match header."""
    version = data.pop("version", None)
    if version is None:
        match = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
        version = int(match) if match.isdigit() else None
    if version is None:
        raise VersionRequired()
    return version


def validated(serializer_class, data, *, strict: bool = True, **kwargs) -> dict:
    """A request body, validated by the serializer; a field the serializer does not know
    (`desing` for `design`) is a 400 naming it, not silently dropped: a misspelt field would
    otherwise look saved. Read-only fields are known, and ignored as DRF does (a client may
    send back what it read). Every API view reads its body through here."""
    serializer = serializer_class(data=data, **kwargs)
    unknown = (
        sorted(set(data) - set(serializer.fields)) if strict and isinstance(data, Mapping) else []
    )
    valid = serializer.is_valid()
    errors = dict(serializer.errors) if not valid else {}
    for name in unknown:
        errors[name] = [_("This field is not known here: check its name in the schema.")]
    if errors:
        raise exceptions.ValidationError(errors)
    return dict(serializer.validated_data)


def query_filters(serializer_class, request) -> dict:
    """The list's filters from the query string; a bad one is a 400 naming it (other query
    parameters, such as the page, are not the filters' business)."""
    return validated(serializer_class, request.query_params, strict=False)


class TopicScoped(ProjectScoped, viewsets.GenericViewSet):
    """A list (and its items) of one topic area: /api/projects/<slug>/topic-areas/<key>/..."""

    lookup_value_regex = "[0-9]+"

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.serializer_class.Meta.model.objects.none()
        return self.topic_queryset()
