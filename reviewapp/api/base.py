"""The machinery every app's API views build on: project- and topic-scoped base views with the
pages' permission rules, the version a client read, validation of bodies and filters."""

from collections.abc import Mapping

from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response

from reviewapp.api.errors import VersionRequired
from reviewapp.api.permissions import ProjectScoped
from reviewapp.api.query import declared_query_serializer

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


# The longest text a body may carry where the model field sets no maximum (a TextField: a
# title, an abstract, a rationale): far above any real one, far below what fills a database.
TEXT_MAX_LENGTH = 50_000


def string_max_length(field: serializers.CharField) -> int:
    """A string field's maximum: the model field's (a ModelSerializer copies a CharField's
    max_length), else TEXT_MAX_LENGTH. The schema (reviewapp.api.schema) says the same."""
    return field.max_length or TEXT_MAX_LENGTH


def _cap_lengths(fields) -> None:
    """Give every string field without a maximum the default one, validated like DRF's own."""
    for field in fields.values():
        if isinstance(field, serializers.ListField | serializers.DictField):
            field = field.child
        if isinstance(field, serializers.Serializer):
            _cap_lengths(field.fields)
        elif isinstance(field, serializers.CharField) and field.max_length is None:
            field.max_length = string_max_length(field)
            message = field.error_messages["max_length"].format(max_length=field.max_length)
            field.validators.append(MaxLengthValidator(field.max_length, message=message))


def _unknown_fields(fields, data, prefix: str = "") -> list[str]:
    """The names in `data` that no field has, by dotted name, nested objects too (a bulk
    action's `filters.stauts`: a misspelt filter would otherwise widen what it acts on)."""
    if not isinstance(data, Mapping):
        return []
    unknown = [prefix + name for name in sorted(set(data) - set(fields))]
    for name, field in fields.items():
        if isinstance(field, serializers.Serializer) and name in data:
            unknown += _unknown_fields(field.fields, data[name], f"{prefix}{name}.")
    return unknown


def validated(serializer_class, data, *, strict: bool = True, **kwargs) -> dict:
    """A request body, validated by the serializer; a field the serializer does not know
    (`desing` for `design`) is a 400 naming it, not silently dropped: a misspelt field would
    otherwise look saved. Every string has a maximum length (string_max_length). Read-only
    fields are known, and ignored as DRF does (a client may send back what it read). Every
    API view reads its body through here."""
    serializer = serializer_class(data=data, **kwargs)
    _cap_lengths(serializer.fields)
    unknown = _unknown_fields(serializer.fields, data) if strict else []
    valid = serializer.is_valid()
    errors = dict(serializer.errors) if not valid else {}
    for name in unknown:
        errors[name] = [_("This field is not known here: check its name in the schema.")]
    if errors:
        raise exceptions.ValidationError(errors)
    return dict(serializer.validated_data)


def query_filters(view, **kwargs) -> dict:
    """The filters the view declares for this action (`query_serializers`), read from the
    query string; a bad one is a 400 naming it. An unknown parameter was refused already
    (reviewapp.api.query); the page and its size are not the filters' business."""
    serializer_class = declared_query_serializer(view, view.request.method)
    return validated(serializer_class, view.request.query_params, strict=False, **kwargs)


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
