"""A lead's bulk actions on a filtered stage list: exclude with a reason, add a label, assign
to a reviewer. Each is one transaction, one audit entry and one `BulkAction`, undone as a
whole by `bulk_action_undo`, which refuses once any record it excluded or labelled has
changed since (an assignment's undo unassigns what is still assigned).

The exclusion is a lead's resolution of each record that is still open (not resolved, not
moved on to a decided next stage): the same steps as `conflict_resolve`, without one audit
entry per record.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from reviewapp.audit import audit_record
from reviewapp.versioning import StateConflict
from screening.models import BulkAction, Decision, RecordLabel, ScreeningItem, Stage
from screening.queries import project_screeners, stage_items_filtered
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
    *,
    stage: Stage,
    actor,
    filters: dict,
    kind: str,
    reason: str = "",
    name: str = "",
    assignee=None,
) -> BulkAction:
    """The lead's bulk action of `kind` on the stage's list of records as `filters` narrow it
    (`stage_items_filtered`, as the lead sees the list): an exclusion with `reason`, the
    label `name`, or an assignment to `assignee`. The page's bulk form and the API both act
    through here."""
    items = stage_items_filtered(stage, viewer=actor, filters=filters)
    if kind == BulkAction.Kind.EXCLUDE:
        return records_bulk_exclude(stage=stage, actor=actor, items=items, reason=reason)
    if kind == BulkAction.Kind.LABEL:
        return records_bulk_label(stage=stage, actor=actor, items=items, name=name)
    if kind == BulkAction.Kind.ASSIGN:
        return records_bulk_assign(stage=stage, actor=actor, items=items, assignee=assignee)
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


def stage_assignees(stage: Stage):
    """Who a lead may assign the stage's records to: the leads and reviewers of the project
    who screen at the stage (those chosen for it, or every one when none is chosen)."""
    chosen = Stage.reviewers.through.objects.filter(stage_id=stage.pk)
    # One query: those chosen, or everyone when nobody is.
    return (
        project_screeners(stage.topic_area.project_id)
        .filter(is_active=True)
        .filter(Exists(chosen.filter(user_id=OuterRef("pk"))) | ~Exists(chosen))
    )


@transaction.atomic
def records_bulk_assign(*, stage: Stage, actor, items, assignee) -> BulkAction:
    """Assign every record of `items` that still waits for `assignee`'s decision to them:
    the queue hands it to them first and holds one of its seats for them until they decide
    it (`screening_next`). Records assigned to another reviewer are assigned to this one
    instead; settled records, and those the assignee has decided, are left as they are."""
    if assignee is None or not stage_assignees(stage).filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": _("Choose a reviewer who screens at this stage.")})
    listed = set(items.order_by().values_list("pk", flat=True))
    decided = Decision.objects.filter(item=OuterRef("pk"), reviewer=assignee)
    # Locked in id order, as every bulk action locks; the status is read under the lock.
    waiting = list(
        ScreeningItem.objects.select_for_update(of=("self",))
        .filter(pk__in=listed, stage=stage, status=ScreeningItem.Status.PENDING)
        .exclude(assigned_to=assignee)
        .filter(~Exists(decided))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ScreeningItem.objects.filter(pk__in=waiting).update(assigned_to=assignee)
    bulk = BulkAction.objects.create(
        stage=stage,
        kind=BulkAction.Kind.ASSIGN,
        assignee=assignee,
        rows=[{"item": item_id} for item_id in waiting],
        actor=actor,
    )
    _audit(
        actor=actor, bulk=bulk, action="records.bulk_assign", after={"assignee": assignee.username}
    )
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
    elif bulk.kind == BulkAction.Kind.ASSIGN:
        # Unassigning: the records still assigned to the reviewer by it (not those they
        # have decided since, nor those a later action gave someone else) go back to
        # everyone's queue.
        if bulk.assignee_id is not None:
            ScreeningItem.all_objects.filter(
                pk__in=[row["item"] for row in bulk.rows], assigned_to_id=bulk.assignee_id
            ).update(assigned_to=None)
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
