"""A lead's bulk actions on a filtered stage list: exclude with a reason, add a label. Each
is one transaction, one audit entry and one `BulkAction`, undone as a whole by
`bulk_action_undo`, which refuses once any record it changed has changed since.

The exclusion is a lead's resolution of each record that is still open (not resolved, not
moved on to a decided next stage): the same steps as `conflict_resolve`, without one audit
entry per record.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reviewapp.audit import audit_record
from reviewapp.versioning import StateConflict
from screening.models import BulkAction, RecordLabel, ScreeningItem, Stage
from screening.queries import stage_items_filtered
from screening.services.labels import label_for_name

# The screening service's own steps, shared so a bulk exclusion settles (and moves records
# back from the next stage) exactly as a single resolution does.
from screening.services.ranking import ranking_request_if_due
from screening.services.screening import (
    ScreeningClosed,
    _ensure_open,
    _locked_item,
    _settle,
    _validate_decision,
)


class BulkChanged(StateConflict):
    """Records the bulk action changed have changed since: it cannot be undone whole."""

    code = "bulk_changed"


def _audit(*, actor, bulk: BulkAction, action: str, after: dict) -> None:
    audit_record(
        actor=actor,
        project=bulk.stage.topic_area.project,
        action=action,
        obj=bulk,
        after={**after, "stage": bulk.stage.name, "records": len(bulk.rows)},
    )


def bulk_action_apply(
    *, stage: Stage, actor, filters: dict, kind: str, reason: str = "", name: str = ""
) -> BulkAction:
    """The lead's bulk action of `kind` on the stage's list of records as `filters` narrow it
    (`stage_items_filtered`, as the lead sees the list): an exclusion with `reason`, or the
    label `name`. The page's bulk form and the API both act through here."""
    items = stage_items_filtered(stage, viewer=actor, filters=filters)
    if kind == BulkAction.Kind.EXCLUDE:
        return records_bulk_exclude(stage=stage, actor=actor, items=items, reason=reason)
    if kind == BulkAction.Kind.LABEL:
        return records_bulk_label(stage=stage, actor=actor, items=items, name=name)
    raise ValidationError({"kind": _("Choose an action.")})


@transaction.atomic
def records_bulk_exclude(*, stage: Stage, actor, items, reason: str) -> BulkAction:
    """Exclude every open item of `items` (the stage's filtered list) with `reason`, as the
    lead's resolution; items already resolved or moved on are left as they are."""
    _validate_decision(stage, "exclude", reason)
    if not reason:
        raise ValidationError({"reason": _("A bulk exclusion needs a reason.")})
    rows = []
    now = timezone.now()
    for item_id in list(items.values_list("pk", flat=True)):
        item = _locked_item(stage=stage, item_id=item_id, with_record=False)
        try:
            _ensure_open(item)
        except ScreeningClosed:
            continue
        if item.status == ScreeningItem.Status.EXCLUDED:
            continue
        was_included = item.status == ScreeningItem.Status.INCLUDED
        item.status = ScreeningItem.Status.EXCLUDED
        item.exclusion_reason = reason
        item.resolved_by = actor
        item.resolved_at = now
        item.save(update_fields=["status", "exclusion_reason", "resolved_by", "resolved_at"])
        _settle(item, was_included=was_included)
        rows.append({"item": item.pk, "version": item.version})
    if rows:
        ranking_request_if_due(stage=stage, item=item)
    bulk = BulkAction.objects.create(
        stage=stage, kind=BulkAction.Kind.EXCLUDE, reason=reason, rows=rows, actor=actor
    )
    _audit(actor=actor, bulk=bulk, action="records.bulk_exclude", after={"reason": reason})
    return bulk


@transaction.atomic
def records_bulk_label(*, stage: Stage, actor, items, name: str) -> BulkAction:
    """Put the label named `name` on the record of every item in `items`."""
    label = label_for_name(project=stage.topic_area.project, name=name)
    record_ids = set(items.values_list("record_id", flat=True))
    had = set(
        RecordLabel.objects.filter(label=label, record_id__in=record_ids).values_list(
            "record_id", flat=True
        )
    )
    links = RecordLabel.objects.bulk_create(
        [
            RecordLabel(record_id=record_id, label=label, added_by=actor)
            for record_id in sorted(record_ids - had)
        ]
    )
    bulk = BulkAction.objects.create(
        stage=stage,
        kind=BulkAction.Kind.LABEL,
        label=label,
        rows=[{"record": link.record_id} for link in links],
        actor=actor,
    )
    _audit(actor=actor, bulk=bulk, action="records.bulk_label", after={"label": label.name})
    return bulk


@transaction.atomic
def bulk_action_undo(*, bulk: BulkAction, actor) -> BulkAction:
    """Revert exactly what the bulk action did; refused (BulkChanged) once any record it
    changed has changed since, or when it was undone already."""
    bulk = (
        BulkAction.objects.select_for_update().select_related("stage__topic_area").get(pk=bulk.pk)
    )
    if bulk.undone_at is not None:
        raise BulkChanged(_("This bulk action has been undone already."))
    if bulk.kind == BulkAction.Kind.EXCLUDE:
        versions = {row["item"]: row["version"] for row in bulk.rows}
        items = list(
            ScreeningItem.objects.select_for_update().filter(pk__in=versions).order_by("pk")
        )
        if len(items) != len(versions) or any(item.version != versions[item.pk] for item in items):
            raise BulkChanged(
                _("Some of these records have changed since, so the action cannot be undone.")
            )
        for item in items:
            item.stage = bulk.stage
            item.resolved_by = None
            item.resolved_at = None
            item.save(update_fields=["resolved_by", "resolved_at"])
            _settle(item)
    else:
        record_ids = [row["record"] for row in bulk.rows]
        links = RecordLabel.objects.filter(label=bulk.label, record_id__in=record_ids)
        if bulk.label is None or links.count() != len(record_ids):
            raise BulkChanged(
                _("Some of these labels have been taken off since, so the action cannot be undone.")
            )
        links.delete()
    bulk.undone_at = timezone.now()
    bulk.undone_by = actor
    bulk.save(update_fields=["undone_at", "undone_by"])
    _audit(actor=actor, bulk=bulk, action="records.bulk_undo", after={"kind": bulk.kind})
    return bulk
