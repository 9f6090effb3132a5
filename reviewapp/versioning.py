"""Edits that refuse to overwrite someone else's: the one version check every app uses.

A leaf module (it imports only Django and the audit log), so that every app's services,
views and API may import it without importing each other.
"""

from reviewapp.audit import audit_record, snapshot


class StateConflict(Exception):
    """The object's state refuses the change (a settled record, a stale edit). The API
    answers 409 with `code`; pages show the message."""

    code = "conflict"


class EditConflict(StateConflict):
    """Someone else saved the object after the editor loaded it."""

    code = "edit_conflict"

    def __init__(self, current):
        super().__init__(f"{current} was changed by someone else")
        self.current = current

    @property
    def current_version(self) -> int:
        # None: the object the editor expected to create exists by now, or is gone.
        return self.current.version if self.current is not None else 0


def apply_fields(instance, fields: dict, allowed: list[str]) -> None:
    """Set the named fields; any other name is a programming error, not user input."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(instance, name, value)


def check_version(current, expected_version: int | None) -> None:
    """Refuse a stale edit. `current` is the row as locked now, None where it does not exist
    yet (version 0: the editor saw nothing saved); `expected_version` None skips the check
    (a create)."""
    if expected_version is None:
        return
    if (current.version if current is not None else 0) != expected_version:
        raise EditConflict(current)


def versioned_save(
    *, instance, actor, project, action: str, expected_version: int, fields: dict, allowed
):
    """Lock the row, refuse a stale version (EditConflict), apply and validate the fields,
    bump the version, save and audit: every edit form's save. Returns (locked, before).
    Call inside the caller's transaction."""
    locked = type(instance).objects.select_for_update().get(pk=instance.pk)
    check_version(locked, expected_version)
    before = snapshot(locked, allowed)
    apply_fields(locked, fields, allowed)
    locked.full_clean()
    locked.version += 1
    locked.save()
    audit_record(
        actor=actor,
        project=project(locked) if callable(project) else project,
        action=action,
        obj=locked,
        before=before,
        after=snapshot(locked, allowed),
    )
    return locked, before
