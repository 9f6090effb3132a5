"""One error shape for every API error (docs/api.md "Errors"):

    {"message": "...", "code": "validation_error", "field_errors": {"title": ["..."]}}

409 (the object changed since the client read it) adds "current_version". The services'
own errors (Django's ValidationError, EditConflict and every other StateConflict) are
turned into it here, so views call the services without translating them one by one.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.fields import get_error_detail
from rest_framework.views import exception_handler as drf_exception_handler

from reviewapp.versioning import EditConflict, StateConflict


class VersionConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "edit_conflict"

    def __init__(self, current_version: int):
        super().__init__(
            _(
                "Someone else saved this in the meantime (version %(version)s), so your changes "
                "were not saved. Read it again and send the version you read."
            )
            % {"version": current_version}
        )
        self.current_version = current_version


class VersionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "version_required"
    default_detail = gettext_lazy(
        "Send the version you read (a 'version' field or an If-Match header): "
        "an update without it could overwrite someone else's."
    )


class Closed(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "closed"


class ErrorSerializer(serializers.Serializer):
    """The documented error body (for the schema)."""

    message = serializers.CharField()
    code = serializers.CharField()
    field_errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    current_version = serializers.IntegerField(required=False)


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """Field errors by dotted name ("extra.months", "records.0"), as lists of strings."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flatten(value, name))
        return flat
    if isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        flat = {}
        for index, value in enumerate(detail):
            if value:
                flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    items = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(item) for item in items]}


def _translate(exc):
    # Django's own 404 and 403 (get_object_or_404 on an unknown project, a rules check) carry
    # no code: as DRF's exceptions they answer "not_found" and "permission_denied" like the rest.
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, EditConflict):
        return VersionConflict(exc.current.version)
    if isinstance(exc, StateConflict):
        return Closed(str(exc), code=exc.code)
    if isinstance(exc, DjangoValidationError):
        detail = get_error_detail(exc)
        if isinstance(detail, dict) and "__all__" in detail:
            detail["non_field_errors"] = detail.pop("__all__")
        return exceptions.ValidationError(detail)
    return exc


def exception_handler(exc, context):
    exc = _translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a programming error: Django's 500
    detail = getattr(exc, "detail", response.data)
    body = {"message": "", "code": "error", "field_errors": {}}
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(detail)
        general = fields.pop("non_field_errors", [])
        body["code"] = "validation_error"
        body["field_errors"] = fields
        body["message"] = " ".join(general) or _("Some fields are not valid.")
        if general and fields:
            body["field_errors"]["non_field_errors"] = general
    else:
        body["message"] = str(detail.get("detail", detail) if isinstance(detail, dict) else detail)
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body["code"] = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
    if isinstance(exc, VersionConflict):
        body["current_version"] = exc.current_version
    response.data = body
    return response
