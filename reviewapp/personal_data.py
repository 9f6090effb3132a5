"""A person's data across the apps: what erasure scrubs and what the person may download.

Each app declares its slice in its own `personal_data` module (as the archive slices do,
reviewapp.archive): the fields where a person's name, username or e-mail address may be
written out as text (audit values, notes, comments: scrubbed by `user_erase`), the rows that
are the person's alone and go (a claim on a record), and the person's own data for the
download. The base app collects them in INSTALLED_APPS order and knows none of the apps'
models. Rows that point at the person by foreign key (decisions, extractions, comments) are
kept: they show the pseudonym once the account is renamed.

Published bibliographic data (records, studies' authors and labels) is never scrubbed: a
reviewer may be an author of a study under review, and the review must cite it as printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.utils.module_loading import autodiscover_modules

from reviewapp.models import ApiToken, AuditEntry, Membership, UserProfile, UserSession


@dataclass(frozen=True)
class PersonalDataSlice:
    """What one app holds of a person.

    scrub: model label -> the text or JSON fields where a person may be named in text.
    delete: model label -> the field naming the person: their rows are deleted on erasure.
    export: (user) -> {section: [plain dicts]}, the person's own data in that app.
    kept: model label -> why erasure leaves its text alone (tests/reviewapp/test_erasure.py
        fails on a model with text or a user that is in none of scrub, delete and kept).
    """

    scrub: dict[str, list[str]] = field(default_factory=dict)
    delete: dict[str, str] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)
    export: Callable[[Any], dict[str, list[dict]]] | None = None


_slices: list[PersonalDataSlice] = []


def register(piece: PersonalDataSlice) -> PersonalDataSlice:
    """Called by each app's `personal_data` module."""
    _slices.append(piece)
    return piece


@cache
def slices() -> tuple[PersonalDataSlice, ...]:
    autodiscover_modules("personal_data")
    return tuple(_slices)


def scrubbed_fields() -> list[tuple[type, list[str]]]:
    return [
        (apps.get_model(label), fields)
        for piece in slices()
        for label, fields in piece.scrub.items()
    ]


def declared() -> set[str]:
    """Every model label some slice scrubs, deletes or keeps with a reason."""
    return {label for piece in slices() for label in [*piece.scrub, *piece.delete, *piece.kept]}


def deleted_rows() -> list[tuple[type, str]]:
    """(model, lookup) of the rows deleted on erasure; models of apps not installed (a
    third-party app an installation left out) are skipped."""
    found = []
    for piece in slices():
        for label, lookup in piece.delete.items():
            try:
                found.append((apps.get_model(label), lookup))
            except LookupError:
                continue
    return found


class Scrubber:
    """Replaces a person's name, username and e-mail address in text and JSON values.

    The username is matched as a word (a username "ann" leaves "Johanna" alone); the
    e-mail address and the full name ("First Last" and "Last, First") anywhere, ignoring case.
    """

    def __init__(self, *, username: str, email: str, names: Iterable[str], pseudonym: str):
        self.pseudonym = pseudonym
        phrases = sorted({text for text in [email, *names] if len(text.strip()) >= 3}, key=len)
        parts = [re.escape(text) for text in reversed(phrases)]
        if username:
            # Bounded by letters and digits only: "zquill-hits.ris" names the person too.
            parts.append(rf"(?<!\w){re.escape(username)}(?!\w)")
        self.pattern = re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def text(self, value: str) -> str:
        if self.pattern is None or not value:
            return value
        return self.pattern.sub(self.pseudonym, value)

    def value(self, value: Any) -> Any:
        """The value with every string in it scrubbed (dict keys too), same shape."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {self.text(key): self.value(item) for key, item in value.items()}
        return value

    def scrub_model(self, model, fields: list[str]) -> int:
        """Scrub the fields of every row of the model; returns the number of rows changed.

        Every row is read: JSON values cannot be searched for text the same way on every
        database (SQLite stores them with non-ASCII escaped). Erasure is rare; an audit log of
        10^5 entries took 12 s (SQLite, a busy two-core machine).
        """
        changed = []
        # The base manager: rows in the bin hold personal data too (reviewapp.softdelete).
        rows = model._base_manager.only("pk", *fields).order_by("pk")
        for row in rows.iterator(chunk_size=2000):
            dirty = False
            for name in fields:
                before = getattr(row, name)
                after = self.value(before)
                if after != before:
                    setattr(row, name, after)
                    dirty = True
            if dirty:
                changed.append(row)
        model._base_manager.bulk_update(changed, fields, batch_size=500)
        return len(changed)


# --- the base app's slice ---------------------------------------------------------------


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _own_data(user) -> dict[str, list[dict]]:
    memberships = Membership.objects.filter(user=user).select_related("project")
    entries = AuditEntry.objects.filter(actor=user).select_related("project")
    profile = UserProfile.objects.filter(user=user).first()
    return {
        "preferences": [
            {"language": profile.language, "notify": profile.notify} if profile else {}
        ],
        "sessions": [
            {
                "logged_in_at": _when(session.created_at),
                "ip_address": session.ip_address,
                "user_agent": session.user_agent,
            }
            for session in UserSession.objects.filter(user=user).order_by("created_at", "id")
        ],
        "memberships": [
            {
                "project": membership.project.slug,
                "project_title": membership.project.title,
                "role": membership.role,
                "since": _when(membership.created_at),
            }
            for membership in memberships.order_by("created_at", "id")
        ],
        "api_tokens": [
            {
                "name": token.name,
                "created_at": _when(token.created_at),
                "last_used_at": _when(token.last_used_at),
                "revoked_at": _when(token.revoked_at),
            }
            for token in ApiToken.objects.filter(user=user).order_by("created_at", "id")
        ],
        "audit_entries": [
            {
                "created_at": _when(entry.created_at),
                "project": entry.project.slug if entry.project else None,
                "action": entry.action,
                "object_type": entry.object_type,
                "object": entry.object_repr,
                "before": entry.before,
                "after": entry.after,
            }
            for entry in entries.order_by("created_at", "id")
        ],
    }


register(
    PersonalDataSlice(
        # The audit log keeps who did what; its snapshots name people (a membership's
        # username, a stage's reviewers) and its object_repr is the object's text.
        # Notifications to others may name the person (a comment's target label).
        scrub={
            "reviewapp.auditentry": ["object_repr", "before", "after"],
            "reviewapp.notification": ["params"],
        },
        # Theirs alone: preferences, session list, mails not sent yet, and their two-factor
        # devices (django-otp's; the static device's recovery codes go with it).
        delete={
            "reviewapp.userprofile": "user",
            "reviewapp.usersession": "user",
            "reviewapp.notification": "user",
            "otp_totp.totpdevice": "user",
            "otp_static.staticdevice": "user",
        },
        kept={
            "reviewapp.project": "the review's own text, written as the review",
            "reviewapp.topicarea": "the review question and protocol",
            "reviewapp.membership": "the person's memberships are deleted by user_erase",
            "reviewapp.apitoken": "the person's tokens are deleted by user_erase",
            "reviewapp.invitation": (
                "those that reached the person are deleted by user_erase; an address is "
                "the invitee's, not a text that names the person"
            ),
            "reviewapp.erasure": "only a number and a date",
        },
        export=_own_data,
    )
)
