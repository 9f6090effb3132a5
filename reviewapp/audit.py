"""The audit log, written by services for every change."""

from django.db import models

from reviewapp.models import AuditEntry, Project


def snapshot(instance: models.Model, fields: list[str]) -> dict:
    """A JSON-safe copy of the named fields, for an audit entry's before/after."""
    data = {}
    for name in fields:
        value = getattr(instance, name)
        if not isinstance(value, (str, int, float, bool, list, dict, type(None))):
            value = str(value)  # related objects, dates: their readable form
        data[name] = value
    return data


def audit_record(
    *,
    actor,
    project: Project | None,
    action: str,
    obj: models.Model,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        project=project,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk or ""),
        object_repr=str(obj)[:300],
        before=before,
        after=after,
    )
