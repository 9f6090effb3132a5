"""The audit log, written by services for every change."""

from collections.abc import Callable, Iterable

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


def audit_binned(*, actor, project: Project, action: str, obj) -> AuditEntry:
    """A row put in the bin or taken out (`<entity>.delete`, `<entity>.restore`)."""
    deleted_at = obj.deleted_at.isoformat() if obj.deleted_at else None
    return audit_record(
        actor=actor, project=project, action=action, obj=obj, after={"deleted_at": deleted_at}
    )


# Which entries' values a user may not read on the activity page, as each app decides for
# its own entries (screening: other reviewers' blind decisions). The apps register a filter
# when they are ready; the base app knows none of their rules.
ValueFilter = Callable[[object, Project, list[AuditEntry]], Iterable[AuditEntry]]
_value_filters: list[ValueFilter] = []


def register_value_filter(value_filter: ValueFilter) -> ValueFilter:
    """Register `value_filter(user, project, entries)`, which returns those of the entries
    whose before/after values the user may not read. Returns it (usable as a decorator)."""
    if value_filter not in _value_filters:
        _value_filters.append(value_filter)
    return value_filter


def entries_with_values_hidden(user, project: Project, entries) -> set[int]:
    """The ids of the entries whose values some app hides from the user."""
    entries = list(entries)
    return {
        entry.pk
        for value_filter in _value_filters
        for entry in value_filter(user, project, entries)
    }


# Other reviewers' dual extractions: a reviewer does blind work, so the log shows them that
# these happened, not the values. Leads (who resolve) and peer reviewers (who do no blind
# work) see the values. Screening decides for its decisions (a registered value filter).
BLIND_ACTIONS = ("extraction.",)


def mark_values_hidden(user, project: Project, entries) -> None:
    """Set `values_hidden` on the entries whose before/after values the user may not read:
    the activity page and the API's activity log hide the same ones."""
    entries = list(entries)
    hidden = entries_with_values_hidden(user, project, entries)
    for entry in entries:
        entry.values_hidden = entry.pk in hidden
    if user.has_perm("reviewapp.change_project", project):
        return
    if not user.has_perm("reviewapp.do_review_work", project):
        return
    for entry in entries:
        if entry.action.startswith(BLIND_ACTIONS) and entry.actor_id != user.pk:
            entry.values_hidden = True
