"""Corrections of a record's bibliographic data, each kept in the record's history.

A correction locks the record, refuses a stale version (`EditConflict`: someone saved in
between), keeps the fields as they stood in a `RecordVersion`, and is audited with before
and after. What is derived from the text is marked for recomputation: the ranking's cached
features of every stage the record is at. De-duplication reads the records afresh at each
import, and the flow diagram counts records, not their text: neither needs more.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reviewapp.audit import snapshot
from reviewapp.versioning import versioned_save
from screening.bibrecord import RECORD_FIELDS, normalise_doi
from screening.models import Record, RecordVersion, ScreeningItem
from screening.services.ranking import ranking_features_forget

# What a correction may change: every bibliographic field (not `raw`, the file as read).
# The record form and the API's record serializer accept this list.
RECORD_EDIT_FIELDS: list[str] = list(RECORD_FIELDS)


def _cleaned(fields: dict) -> dict:
    fields = dict(fields)
    if fields.get("doi"):
        doi = normalise_doi(fields["doi"])
        if not doi:
            raise ValidationError({"doi": _("Not a DOI (one looks like 10.1000/xyz123).")})
        fields["doi"] = doi
    for name in ("authors", "keywords"):
        if name in fields:
            fields[name] = [text.strip() for text in fields[name] or [] if text.strip()]
    return fields


@transaction.atomic
def record_update(*, record: Record, actor, expected_version: int, **fields) -> Record:
    """Correct the record's fields (names from RECORD_EDIT_FIELDS); returns the record
    saved, its version bumped. Raises EditConflict when `expected_version` is not the
    record's version, ValidationError on a field the record cannot hold."""
    fields = _cleaned(fields)
    locked, before = versioned_save(
        instance=record,
        actor=actor,
        project=record.topic_area.project,
        action="record.update",
        expected_version=expected_version,
        fields=fields,
        allowed=RECORD_EDIT_FIELDS,
    )
    RecordVersion.objects.create(
        record=locked,
        version=locked.version - 1,
        fields=before,
        replaced_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if snapshot(locked, ["title", "abstract", "keywords", "language"]) != {
        name: before[name] for name in ("title", "abstract", "keywords", "language")
    }:
        ranking_features_forget(
            stage_ids=ScreeningItem.objects.filter(record=locked).values_list("stage_id", flat=True)
        )
    return locked
