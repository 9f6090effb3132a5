"""Schema generation: every request string has its maximum length, and every operation
documents the one error shape (errors.py)."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from reviewapp.api.base import string_max_length
from reviewapp.api.query import declared_query_serializer


class ReviewAutoSchema(AutoSchema):
    """drf-spectacular's, with a maxLength on every string a client sends: the one
    reviewapp.api.base.validated enforces, and the query parameters each view declares
    (`query_serializers`: the ones reviewapp.api.query accepts)."""

    def get_override_parameters(self):
        declared = declared_query_serializer(self.view, self.method)
        return [*super().get_override_parameters(), *([declared] if declared else [])]

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        mapped = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and mapped.get("type") == "string"
            and "maxLength" not in mapped
            and "enum" not in mapped
        ):
            mapped["maxLength"] = string_max_length(field)
        return mapped


ERROR = {
    "type": "object",
    "properties": {
        "message": {"type": "string"},
        "code": {"type": "string"},
        "field_errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "current_version": {"type": "integer"},
    },
    "required": ["message", "code", "field_errors"],
}
ALWAYS = {
    "400": "Bad input (a filter, a page number, a field): see field_errors.",
    "401": "Not authenticated: send a token (Authorization: Bearer ...) or log in.",
    "403": "A member without the permission (a read-only role writing, a non-lead).",
    "404": "No such object, or a project you are not a member of.",
}
WRITES = {
    "409": "Changed since you read it (current_version), or already settled.",
    "428": "An update without the version you read.",
}


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            codes = dict(ALWAYS)
            if method in {"post", "patch", "put", "delete"}:
                codes.update(WRITES)
            responses = operation.setdefault("responses", {})
            for code, description in codes.items():
                responses.setdefault(code, {"description": description, "content": reference})
    return result
