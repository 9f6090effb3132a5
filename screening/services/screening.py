"""Screening writes: stages, the queue's claims, decisions, conflicts, reopening.

A record's status at a stage lives on its `ScreeningItem`, derived by
`screening.progression` from the decisions each time one changes, inside the same
transaction and under a row lock on the item, so two reviewers deciding one record
at once cannot both miss each other.

First decisions are not written to the audit log: the decision row itself says who
decided what and when. Changing or undoing a decision, and every lead action, is
audited with before and after.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Count, Exists, IntegerField, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reviewapp.audit import audit_record, snapshot
from reviewapp.models import Membership, Notification, Role, TopicArea
from reviewapp.notifications import notify
from reviewapp.versioning import StateConflict, check_version
from screening import progression
from screening.models import Claim, Decision, MaybeFlag, ScreeningItem, Stage
from screening.services.ranking import ranking_request_if_due

CLAIM_DURATION = timedelta(minutes=15)
STAGE_FIELDS = [
    "name",
    "kind",
    "reviewers_required",
    "exclusion_reasons",
    "reason_required",
    "include_keywords",
    "exclude_keywords",
    "show_decisions_after",
]
# What may change once a stage has decisions: not how many reviewers decide, nor its kind.
STAGE_FIELDS_ONCE_STARTED = [
    "name",
    "exclusion_reasons",
    "reason_required",
    "include_keywords",
    "exclude_keywords",
    "show_decisions_after",
]
PRESETS = {
    "three": [Stage.Kind.TITLE, Stage.Kind.ABSTRACT, Stage.Kind.FULLTEXT],
    "two": [Stage.Kind.ABSTRACT, Stage.Kind.FULLTEXT],
}


class ScreeningClosed(StateConflict):
    """The record has moved on (or a lead resolved it): its decisions are settled."""

    code = "closed"


class ScreeningTaken(ScreeningClosed):
    """Other reviewers gave the record the decisions it needs while this one read it
    (the screening page shows a record before the reviewer acts, without holding it)."""

    code = "taken"


def default_exclusion_reasons() -> list[str]:
    return [
        _("Wrong population"),
        _("Wrong intervention"),
        _("Wrong outcome"),
        _("Wrong study design"),
        _("Outside the limits (years, language, country)"),
        _("Not an empirical study"),
    ]


def _stage_defaults(kind: str) -> dict:
    fulltext = kind == Stage.Kind.FULLTEXT
    return {
        "name": str(Stage.Kind(kind).label),
        "kind": kind,
        "reason_required": fulltext,
        "exclusion_reasons": default_exclusion_reasons(),
    }


@transaction.atomic
def stages_set_up(*, topic_area: TopicArea, actor, preset: str) -> list[Stage]:
    """Create the stages of a preset and put every unique record into the first.

    Allowed until the first decision; earlier stages without decisions are replaced.
    """
    if preset not in PRESETS:
        raise ValidationError(_("Unknown set of stages: %(preset)s") % {"preset": preset})
    TopicArea.objects.select_for_update().get(pk=topic_area.pk)
    if Decision.objects.filter(item__stage__topic_area=topic_area).exists():
        raise ValidationError(_("Screening has started: the stages can no longer be replaced."))
    before = list(topic_area.stages.values_list("name", flat=True))
    topic_area.stages.all().delete()
    with translation.override(topic_area.project.language):
        stages = [
            Stage.objects.create(topic_area=topic_area, position=position, **_stage_defaults(kind))
            for position, kind in enumerate(PRESETS[preset], start=1)
        ]
    stage_enter_records(
        stage=stages[0],
        record_ids=topic_area.records.filter(canonical__isnull=True).values_list("id", flat=True),
    )
    audit_record(
        actor=actor,
        project=topic_area.project,
        action="stages.set_up",
        obj=topic_area,
        before={"stages": before},
        after={"stages": [stage.name for stage in stages]},
    )
    return stages


def stage_has_decisions(stage: Stage) -> bool:
    return Decision.objects.filter(stage=stage).exists()


@transaction.atomic
def stage_update(
    *, stage: Stage, actor, expected_version: int, reviewer_ids: list[int] | None = None, **fields
) -> Stage:
    locked = Stage.objects.select_for_update().get(pk=stage.pk)
    check_version(locked, expected_version)
    allowed = STAGE_FIELDS_ONCE_STARTED if stage_has_decisions(locked) else STAGE_FIELDS
    refused = [name for name in set(fields) - set(allowed) if getattr(locked, name) != fields[name]]
    if refused:
        raise ValidationError(
            _("Screening has started at this stage: %(fields)s can no longer change.")
            % {"fields": ", ".join(sorted(refused))}
        )
    before = {**snapshot(locked, STAGE_FIELDS), "reviewers": _reviewer_names(locked)}
    for name, value in fields.items():
        if name in allowed:
            setattr(locked, name, value)
    locked.full_clean()
    locked.version += 1
    locked.save()
    if reviewer_ids is not None:
        locked.reviewers.set(reviewer_ids)
        if reviewer_ids:
            # Those no longer chosen may not screen here: their assignments are released.
            _release_unchosen(locked, actor=actor, chosen=reviewer_ids)
    audit_record(
        actor=actor,
        project=locked.topic_area.project,
        action="stage.update",
        obj=locked,
        before=before,
        after={**snapshot(locked, STAGE_FIELDS), "reviewers": _reviewer_names(locked)},
    )
    return locked


def assignments_release(*, user, actor, project=None, stage: Stage | None = None) -> int:
    """The records assigned to `user` (in `project`, or at `stage`, or everywhere) are
    assigned to nobody any more: they left the project, may no longer screen there, or
    their account is deactivated. Records in the bin too (a restored import brings no
    assignment back). Audited per stage; returns how many were released."""
    items = ScreeningItem.all_objects.filter(assigned_to=user)
    if project is not None:
        items = items.filter(stage__topic_area__project=project)
    if stage is not None:
        items = items.filter(stage=stage)
    by_stage = dict(
        items.values("stage_id").order_by().annotate(n=Count("id")).values_list("stage_id", "n")
    )
    if not by_stage:
        return 0
    released = ScreeningItem.all_objects.filter(assigned_to=user, stage_id__in=by_stage).update(
        assigned_to=None
    )
    for released_at in Stage.objects.filter(pk__in=by_stage).select_related("topic_area__project"):
        audit_record(
            actor=actor,
            project=released_at.topic_area.project,
            action="records.assignments_release",
            obj=released_at,
            before={"assigned_to": user.username, "records": by_stage[released_at.pk]},
            after={"stage": released_at.name},
        )
    return released


def _release_unchosen(stage: Stage, *, actor, chosen) -> None:
    assignees = (
        ScreeningItem.all_objects.filter(stage=stage, assigned_to__isnull=False)
        .exclude(assigned_to__in=chosen)
        .values_list("assigned_to", flat=True)
        .distinct()
    )
    for user in get_user_model().objects.filter(pk__in=list(assignees)):
        assignments_release(user=user, actor=actor, stage=stage)


def _reviewer_names(stage: Stage) -> list[str]:
    return sorted(stage.reviewers.values_list("username", flat=True))


def stage_enter_records(*, stage: Stage, record_ids) -> int:
    """Put records into a stage's queue (once each); returns how many were new."""
    items = [
        ScreeningItem(
            stage=stage,
            record_id=record_id,
            order_key=progression.queue_order_key(stage.pk, record_id),
        )
        for record_id in record_ids
    ]
    created = ScreeningItem.objects.bulk_create(items, ignore_conflicts=True, batch_size=2000)
    return len(created)


def topic_area_enter_new_records(*, topic_area: TopicArea) -> int:
    """Unique records not yet in the first stage join its queue (after an import or
    an undone merge). Nothing happens before the stages are set up."""
    first = topic_area.stages.order_by("position").first()
    if first is None:
        return 0
    missing = topic_area.records.filter(canonical__isnull=True).exclude(
        screening_items__stage=first
    )
    return stage_enter_records(stage=first, record_ids=missing.values_list("id", flat=True))


def records_left_screening(*, record_ids) -> None:
    """Records merged away as duplicates leave the queues where nobody decided them yet;
    decisions already made stay on the record they were made on."""
    ScreeningItem.objects.filter(record_id__in=record_ids, decisions_made=0).delete()


def stage_reviewer_check(reviewer) -> dict[str, RawSQL]:
    """An annotation for a query on stages, `.annotate(**stage_reviewer_check(reviewer))`:
    whether the reviewer may screen the stage. `stage_has_reviewer` then answers from it
    without a query of its own (the view reads it with the stage, on every decision)."""
    # Written out: the ORM took longer to build the same query with Exists/OuterRef
    # (1.8 ms) than to run two simple queries (1.3 ms).
    chosen = Stage.reviewers.through._meta.db_table
    stage = Stage._meta.db_table
    sql = (
        f"EXISTS (SELECT 1 FROM {chosen} WHERE stage_id = {stage}.id AND user_id = %s)"  # noqa: S608 - table names from the models
        f" OR (NOT EXISTS (SELECT 1 FROM {chosen} WHERE stage_id = {stage}.id)"
        f" AND EXISTS (SELECT 1 FROM {Membership._meta.db_table} m"
        f" JOIN {TopicArea._meta.db_table} t ON t.project_id = m.project_id"
        f" WHERE t.id = {stage}.topic_area_id AND m.user_id = %s AND m.role IN (%s, %s)))"
    )
    check = RawSQL(  # noqa: S611 - table names from the models, values as parameters
        sql, [reviewer.pk, reviewer.pk, Role.LEAD, Role.REVIEWER], output_field=BooleanField()
    )
    return {_reviewer_check_name(reviewer): check}


def _reviewer_check_name(reviewer) -> str:
    # The reviewer is in the name: a stage read for one reviewer never answers for another.
    return f"may_screen_{reviewer.pk}"


def stage_has_reviewer(stage: Stage, reviewer) -> bool:
    """Whether the reviewer may screen the stage: one of those chosen, or, when nobody
    is chosen, a lead or reviewer of the project."""
    name = _reviewer_check_name(reviewer)
    known = getattr(stage, name, None)
    if known is not None:
        return bool(known)
    answer = (
        Stage.objects.filter(pk=stage.pk)
        .annotate(**stage_reviewer_check(reviewer))
        .values_list(name, flat=True)
        .first()
    )
    return bool(answer)


# What a stage's open assignments (`ScreeningItem.assigned_to`, on records still pending)
# are for one reviewer: none at all, only other reviewers', or some of theirs.
NOT_ASSIGNED, ASSIGNED_TO_OTHERS, ASSIGNED_TO_ME = 0, 1, 2


def stage_assignment_check(reviewer) -> dict[str, RawSQL]:
    """An annotation for a query on stages, `.annotate(**stage_assignment_check(reviewer))`:
    NOT_ASSIGNED, ASSIGNED_TO_OTHERS or ASSIGNED_TO_ME. `stage_assignments` then answers
    from it without a query of its own: read with the stage, a stage without assignments
    costs the screening round trip no query more (two lookups in the partial index
    `item_assigned`, which holds only assigned items)."""
    item = ScreeningItem._meta.db_table
    stage = Stage._meta.db_table
    assigned = (
        f"EXISTS (SELECT 1 FROM {item} i WHERE i.stage_id = {stage}.id"  # noqa: S608 - table names from the models
        " AND i.assigned_to_id {who} AND i.status = %s AND i.deleted_at IS NULL)"
    )
    sql = (
        f"CASE WHEN {assigned.format(who='= %s')} THEN {ASSIGNED_TO_ME}"
        f" WHEN {assigned.format(who='IS NOT NULL')} THEN {ASSIGNED_TO_OTHERS}"
        f" ELSE {NOT_ASSIGNED} END"
    )
    pending = ScreeningItem.Status.PENDING
    check = RawSQL(  # noqa: S611 - table names from the models, values as parameters
        sql, [reviewer.pk, pending, pending], output_field=IntegerField()
    )
    return {_assignment_check_name(reviewer): check}


def _assignment_check_name(reviewer) -> str:
    return f"assigned_{reviewer.pk}"


def stage_assignments(stage: Stage, reviewer) -> int:
    """NOT_ASSIGNED, ASSIGNED_TO_OTHERS or ASSIGNED_TO_ME: from the stage's annotation
    (`stage_assignment_check`) when it was read with one, else from a query."""
    known = getattr(stage, _assignment_check_name(reviewer), None)
    if known is not None:
        return int(known)
    answer = (
        Stage.objects.filter(pk=stage.pk)
        .annotate(**stage_assignment_check(reviewer))
        .values_list(_assignment_check_name(reviewer), flat=True)
        .first()
    )
    return int(answer or NOT_ASSIGNED)


def _check_reviewer(stage: Stage, reviewer) -> None:
    if not stage_has_reviewer(stage, reviewer):
        raise PermissionDenied(_("You are not a reviewer at this stage."))


# What the screening page does not show of the record it is handed: the fields as
# imported are the largest part of a record's row.
SHOWN_WITHOUT = ("record__raw",)


@transaction.atomic
def screening_next(*, stage: Stage, reviewer, claim: bool = True) -> ScreeningItem | None:
    """Hand the reviewer the next record of the queue and claim it for a while.

    The reviewer's own unexpired claim comes back first (a reload shows the same
    record). Otherwise the first pending record in queue order that the reviewer has
    not decided nor put on their maybe pile and that still needs a reviewer once the
    other reviewers' claims are counted; the records on their maybe pile come last, in
    the order they were put there. On PostgreSQL the candidate row is locked with SKIP
    LOCKED and its claims counted again under the lock, so two reviewers asking at the
    same moment are never handed the record that needs only one of them.

    `claim=False`: opening the screening page shows the next record without holding it
    for others. A claim is a reservation only while someone screens: it is made when the
    reviewer acts (decides, puts on the pile, undoes), so a lead who merely looks at a
    stage keeps no record from the reviewers for 15 minutes.
    """
    return _next_item(stage=stage, reviewer=reviewer, now=timezone.now(), claim=claim)


def _next_item(
    *, stage: Stage, reviewer, now, decided: ScreeningItem | None = None, claim: bool = True
) -> ScreeningItem | None:
    """`screening_next` inside the caller's transaction (no savepoint of its own).

    `decided`: the item the reviewer has just decided (or put on their pile) in this
    transaction. Their claim on it is not handed back; it moves to the next item (one
    UPDATE, where a DELETE and an INSERT would be two queries), or goes when there is none.
    """
    if stage.stopped_at is not None:
        # A lead stopped screening here: the records left are excluded by the stopping rule.
        Claim.objects.filter(stage=stage, reviewer=reviewer).delete()
        return None
    # One read of the stage's claims (about one per reviewer at work) serves the sweep
    # of expired claims, the reviewer's own and the count of everyone else's.
    claims = _stage_claims(stage)
    if any(claim[3] <= now for claim in claims):
        Claim.objects.filter(stage=stage, expires_at__lte=now).delete()
        claims = [claim for claim in claims if claim[3] > now]
    mine = [claim for claim in claims if claim[2] == reviewer.pk]
    decided_id = decided.pk if decided is not None else None
    for claim_id, item_id, _r, _e, _m, status, _a in mine:
        if status == ScreeningItem.Status.PENDING and item_id != decided_id:
            _release(mine, decided_id)
            Claim.objects.filter(pk=claim_id).update(expires_at=now + CLAIM_DURATION)
            item = (
                ScreeningItem.objects.select_related("record").defer(*SHOWN_WITHOUT).get(pk=item_id)
            )
            item.stage = stage
            return item
    full = _full_items(stage, reviewer, claims, now)
    pending = stage.items.filter(
        status=ScreeningItem.Status.PENDING, record__canonical__isnull=True
    )
    if stage.reviewers_required > 1:
        # Only here can a pending record carry the reviewer's decision. With one reviewer
        # a decision settles the record, so pending means undecided, and the NOT EXISTS on
        # the decisions would cost the round trip's main query for nothing.
        pending = pending.exclude(decisions__reviewer=reviewer)
    if stage.kind == Stage.Kind.FULLTEXT:
        # Nothing to read: a record marked not retrievable is counted, not screened.
        pending = pending.exclude(record__fulltext__not_retrievable=True)
    # The reviewer's maybe pile is the queue's tail: its records come once nothing else
    # waits for them, the longest-waiting first.
    flagged = MaybeFlag.objects.filter(item=OuterRef("pk"), reviewer=reviewer)
    queues = []
    assignments = stage_assignments(stage, reviewer)
    if assignments != NOT_ASSIGNED:
        # Records a lead assigned to this reviewer come first. A record assigned to another
        # holds one seat for them until they decide it (which clears the assignment): at a
        # single-reviewer stage nobody else is handed it, at a dual stage only while a seat
        # besides theirs is free (claims are counted in `_full_items` and `_first_free`).
        # Only here: a stage without assignments keeps its queries as they were.
        if assignments == ASSIGNED_TO_ME:
            queues.append(
                pending.filter(~Exists(flagged), assigned_to=reviewer).order_by(*queue_order(stage))
            )
        open_to_me = Q(assigned_to__isnull=True) | Q(assigned_to=reviewer)
        if stage.reviewers_required > 1:
            open_to_me |= Q(decisions_made__lte=stage.reviewers_required - 2)
        pending = pending.filter(open_to_me)
    queues += [
        pending.filter(~Exists(flagged)).order_by(*queue_order(stage)),
        pending.filter(maybe_flags__reviewer=reviewer).order_by("maybe_flags__flagged_at", "id"),
    ]
    for queue in queues:
        item = _first_free(queue, stage, reviewer, full, now, claim=claim, mine=mine)
        if item is not None:
            return item
    _release(mine, decided_id)
    return None


def _first_free(queue, stage: Stage, reviewer, full: set[int], now, *, claim: bool, mine):
    """The queue's first item that still needs a reviewer, claimed for this one unless
    `claim` is false; None when there is none."""
    if not claim:
        item = queue.exclude(pk__in=full).select_related("record").defer(*SHOWN_WITHOUT).first()
        if item is not None:
            item.stage = stage
        return item
    for _attempt in range(20):
        item = (
            queue.exclude(pk__in=full)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("record")
            .defer(*SHOWN_WITHOUT)
            .first()
        )
        if item is None:
            return None
        item.stage = stage
        claimers = list(
            Claim.objects.filter(item=item)
            .exclude(reviewer=reviewer)
            .values_list("reviewer_id", flat=True)
        )
        seats = len(claimers) + item.decisions_made
        seats += _assignee_seat(item.assigned_to_id, reviewer, claimers)
        if seats >= stage.reviewers_required:
            # Claimed since the claims were read. Every reviewer starts at the head of the
            # queue, so under load (or after this request waited for a core) there can be
            # dozens of such: read the claims again rather than meet them one attempt at a
            # time, which ran out of attempts and showed a full queue as empty.
            full |= _full_items(stage, reviewer, _stage_claims(stage), now) | {item.pk}
            continue
        _claim(item, reviewer, now, held=[claim[0] for claim in mine])
        return item
    return None


def queue_order(stage: Stage) -> tuple[str, ...]:
    """The queue's order: the fixed random order, or, prioritised, the latest ranking's
    highest score first (records it has not scored yet, at -1, come after in random order).
    Both follow an index on (stage, status, ...)."""
    if stage.queue_order == Stage.Order.PRIORITISED:
        return ("-score", "order_key", "id")
    return ("order_key", "id")


def _stage_claims(stage: Stage) -> list[tuple]:
    """(id, item, reviewer, expires_at, the item's decisions_made, status and assignee) of
    the stage's claims."""
    return list(
        Claim.objects.filter(stage=stage).values_list(
            "id",
            "item_id",
            "reviewer_id",
            "expires_at",
            "item__decisions_made",
            "item__status",
            "item__assigned_to_id",
        )
    )


def _assignee_seat(assignee_id: int | None, reviewer, claimers) -> int:
    """1 when the item is assigned to another reviewer who has not claimed it yet: the seat
    their claim will take is held for them (their claim, once made, is counted itself)."""
    return int(
        assignee_id is not None and assignee_id != reviewer.pk and assignee_id not in claimers
    )


def _full_items(stage: Stage, reviewer, claims: list[tuple], now) -> set[int]:
    """Items that the other reviewers' live claims, the decisions made and the seat held for
    another reviewer they are assigned to leave no room on."""
    live = [claim for claim in claims if claim[2] != reviewer.pk and claim[3] > now]
    claimers: dict[int, list[int]] = {}
    for claim in live:
        claimers.setdefault(claim[1], []).append(claim[2])
    made = {claim[1]: (claim[4], claim[6]) for claim in claims}
    return {
        item_id
        for item_id, who in claimers.items()
        if len(who) + made[item_id][0] + _assignee_seat(made[item_id][1], reviewer, who)
        >= stage.reviewers_required
    }


def _release(mine: list[tuple], item_id: int | None) -> None:
    """Delete the reviewer's claim on the item, if `mine` (their claims) has one."""
    held = [claim[0] for claim in mine if claim[1] == item_id]
    if held:
        Claim.objects.filter(pk__in=held).delete()


def _claim(item: ScreeningItem, reviewer, now, *, held: list[int] | None = None) -> None:
    """The reviewer's one claim at the item's stage is now this item.

    `held`: the ids of the reviewer's claims at the stage, when the caller has just read
    them in this transaction; the first moves to this item, any other goes. (Usually
    there is at most one. Two requests of one reviewer at once can each add one: a
    DELETE would not prevent that either, as it cannot see the other's new row.)
    """
    expires_at = now + CLAIM_DURATION
    if held is None:
        Claim.objects.filter(stage=item.stage, reviewer=reviewer).delete()
    elif held:
        Claim.objects.filter(pk=held[0]).update(item=item, expires_at=expires_at)
        if len(held) > 1:
            Claim.objects.filter(pk__in=held[1:]).delete()
        return
    Claim.objects.create(item=item, stage=item.stage, reviewer=reviewer, expires_at=expires_at)


def _lock_item(item: ScreeningItem) -> ScreeningItem:
    """The item again, locked; its stage is the caller's (which knows its topic area)."""
    return _locked_item(stage=item.stage, item_id=item.pk)


def _locked_item(*, stage: Stage, item_id: int, with_record: bool = True) -> ScreeningItem:
    """The stage's item (with its record unless `with_record` is false), read once and
    locked. Raises ScreeningItem.DoesNotExist when the stage has no such item."""
    items = ScreeningItem.objects.select_for_update()
    if with_record:
        items = items.select_related("record")
    locked = items.get(stage_id=stage.pk, pk=item_id)
    locked.stage = stage
    return locked


def _next_stage(stage: Stage) -> Stage | None:
    return (
        Stage.objects.filter(topic_area_id=stage.topic_area_id, position__gt=stage.position)
        .order_by("position")
        .first()
    )


def _decided_later(item: ScreeningItem) -> bool:
    """Whether a later stage has decisions on the record."""
    return ScreeningItem.objects.filter(
        record_id=item.record_id,
        stage__topic_area_id=item.stage.topic_area_id,
        stage__position__gt=item.stage.position,
        decisions_made__gt=0,
    ).exists()


def _ensure_open(item: ScreeningItem) -> None:
    """A record's decisions are settled once a lead resolved it or the next stage
    has started on it (only an included record reaches the next stage)."""
    if item.resolved_by_id is not None:
        raise ScreeningClosed(_("A lead has resolved this record; ask a lead to reopen it."))
    if item.status == ScreeningItem.Status.INCLUDED and _decided_later(item):
        raise ScreeningClosed(
            _("This record has moved on to the next stage; ask a lead to reopen it.")
        )


def _settle(
    item: ScreeningItem,
    *,
    was_included: bool | None = None,
    decisions: list[tuple[str, str]] | None = None,
    decided_by=None,
) -> None:
    """Derive the item's status from its decisions, and move it on or back.

    `was_included`: whether the record was included here before the change (by default,
    its status on entry; a lead's resolution sets the status before calling this).
    `decisions`: (value, reason) of the item's decisions in decision order, when the
    caller has them; read here otherwise. `decided_by`: the reviewer whose decision this
    is, when it is one: an assignment to them is done.
    """
    if was_included is None:
        was_included = item.status == ScreeningItem.Status.INCLUDED
    if decisions is None:
        decisions = list(item.decisions.order_by("decided_at", "id").values_list("value", "reason"))
    item.decisions_made = len(decisions)
    was_conflict = item.status == ScreeningItem.Status.CONFLICT
    if item.resolved_by_id is None:
        item.status = progression.item_status(
            [value for value, _r in decisions], item.stage.reviewers_required
        )
        item.exclusion_reason = (
            progression.exclusion_reason(decisions)
            if item.status == ScreeningItem.Status.EXCLUDED
            else ""
        )
    item.version += 1
    fields = ["decisions_made", "status", "exclusion_reason", "version"]
    # An assignment holds a seat until the assignee decides; a record settled (by them, the
    # others or a lead) needs nobody any more. Cleared in the same UPDATE.
    if item.assigned_to_id is not None and (
        item.status != ScreeningItem.Status.PENDING
        or (decided_by is not None and item.assigned_to_id == decided_by.pk)
    ):
        item.assigned_to = None
        fields.append("assigned_to")
    item.save(update_fields=fields)
    if item.status == ScreeningItem.Status.CONFLICT and not was_conflict:
        _notify_conflict(item.stage)
    included = item.status == ScreeningItem.Status.INCLUDED
    if included == was_included:
        return  # nothing moves: most decisions at a title stage are exclusions
    next_stage = _next_stage(item.stage)
    if next_stage is None:
        return
    if included:
        stage_enter_records(stage=next_stage, record_ids=[item.record_id])
    else:
        # _ensure_open made sure nobody has decided it there yet.
        ScreeningItem.objects.filter(stage=next_stage, record_id=item.record_id).delete()


def _notify_conflict(stage: Stage) -> None:
    """Leads hear of conflicts waiting for them (one line per stage until it is mailed)."""
    topic_area = stage.topic_area
    project = topic_area.project
    leads = [
        m.user
        for m in Membership.objects.filter(project=project, role=Role.LEAD).select_related("user")
    ]
    notify(
        users=leads,
        kind=Notification.Kind.CONFLICT,
        project=project,
        params={"topic": f"{topic_area.title} ({stage.name})"},
        path=reverse(
            "screening_overview", kwargs={"slug": project.slug, "topic_key": topic_area.key}
        ),
    )


def _validate_decision(stage: Stage, value: str, reason: str) -> None:
    if value not in Decision.Value.values:
        raise ValidationError({"value": _("Choose include, exclude or maybe.")})
    if value == Decision.Value.EXCLUDE:
        if stage.reason_required and not reason:
            raise ValidationError({"reason": _("An exclusion at this stage needs a reason.")})
        if reason and stage.exclusion_reasons and reason not in stage.exclusion_reasons:
            raise ValidationError(
                {"reason": _("%(reason)s is not one of this stage's reasons.") % {"reason": reason}}
            )
    elif reason:
        raise ValidationError({"reason": _("Only an exclusion takes a reason.")})


@transaction.atomic
def decision_record(
    *, item: ScreeningItem, reviewer, value: str, reason: str = "", note: str = ""
) -> Decision:
    """Record (or change) the reviewer's own decision on a record at a stage."""
    item = _lock_item(item)
    decision = _decision_save(item=item, reviewer=reviewer, value=value, reason=reason, note=note)
    Claim.objects.filter(item=item, reviewer=reviewer).delete()
    ranking_request_if_due(stage=item.stage, item=item)
    return decision


@transaction.atomic
def screening_decide(
    *, stage: Stage, item_id: int, reviewer, value: str, reason: str = "", note: str = ""
) -> ScreeningItem | None:
    """A reviewer's decision and the next record for them, in one transaction: the
    screening page's round trip. The item is read once, locked; raises
    ScreeningItem.DoesNotExist when the stage has no such item.

    The steps are the private halves of `decision_record` and `screening_next`:
    calling the atomic services would add a savepoint each (four queries).
    """
    # The decided record is not shown again: its row (abstract, fields as imported) is
    # not read, but for the audit entry of a changed decision.
    item = _locked_item(stage=stage, item_id=item_id, with_record=False)
    _decision_save(item=item, reviewer=reviewer, value=value, reason=reason, note=note)
    ranking_request_if_due(stage=stage, item=item)
    return _next_item(stage=stage, reviewer=reviewer, now=timezone.now(), decided=item)


def _decision_save(*, item: ScreeningItem, reviewer, value: str, reason: str, note: str):
    """`decision_record` on the locked item, inside the caller's transaction; the
    caller removes the reviewer's claim on it."""
    _check_reviewer(item.stage, reviewer)
    _validate_decision(item.stage, value, reason)
    _ensure_open(item)
    # One read serves twice: the reviewer's own decision, and the list the status is
    # derived from. The item is locked, so nobody changes its decisions meanwhile.
    # The count kept on the locked item says when there is nothing to read: the first
    # decision on a record, most of a stage's decisions.
    decisions = list(item.decisions.order_by("decided_at", "id")) if item.decisions_made else []
    decision = next((d for d in decisions if d.reviewer_id == reviewer.pk), None)
    if decision is None and item.decisions_made >= item.stage.reviewers_required:
        raise ScreeningTaken(_("This record already has the decisions it needs."))
    before = snapshot(decision, ["value", "reason", "note"]) if decision else None
    if decision is None:
        decision = Decision(item=item, stage=item.stage, reviewer=reviewer)
    else:
        decisions.remove(decision)
    decision.value, decision.reason, decision.note = value, reason, note
    decision.save()
    # A decision takes the record off the reviewer's maybe pile, if it was there.
    MaybeFlag.objects.filter(item=item, reviewer=reviewer).delete()
    # decided_at is auto_now: the saved decision is now the latest, last in decision order.
    decisions.append(decision)
    _settle(item, decisions=[(d.value, d.reason) for d in decisions], decided_by=reviewer)
    if before is not None:
        audit_record(
            actor=reviewer,
            project=item.stage.topic_area.project,
            action="decision.change",
            obj=item.record,
            before={**before, "stage": item.stage.name},
            after={**snapshot(decision, ["value", "reason", "note"]), "stage": item.stage.name},
        )
    return decision


@transaction.atomic
def screening_maybe(
    *, stage: Stage, item_id: int, reviewer, note: str = ""
) -> ScreeningItem | None:
    """Put a record on the reviewer's maybe pile and hand them the next record, in one
    transaction (the screening page's "Maybe" round trip).

    A maybe is a private flag, not a decision, at every stage: the record stays pending
    and waits for the others as before, and comes back to this reviewer at the tail of
    their queue. Raises ScreeningItem.DoesNotExist when the stage has no such item."""
    item = _locked_item(stage=stage, item_id=item_id, with_record=False)
    _check_reviewer(stage, reviewer)
    _ensure_open(item)
    if item.status != ScreeningItem.Status.PENDING:
        raise ScreeningTaken(_("This record already has the decisions it needs."))
    if item.decisions.filter(reviewer=reviewer).exists():
        raise ValidationError(
            _(
                "You have decided this record: change your decision, or undo it to put "
                "the record on your maybe pile."
            )
        )
    MaybeFlag.objects.update_or_create(
        item=item, reviewer=reviewer, defaults={"stage": stage, "note": note}
    )
    return _next_item(stage=stage, reviewer=reviewer, now=timezone.now(), decided=item)


def last_decision(*, stage: Stage, reviewer) -> Decision | None:
    return (
        Decision.objects.filter(stage=stage, reviewer=reviewer)
        .select_related("item")
        .order_by("-decided_at", "-id")
        .first()
    )


@transaction.atomic
def decision_undo(*, stage: Stage, reviewer) -> ScreeningItem | None:
    """Take back the reviewer's latest decision at the stage; the record comes back to
    them first. Returns the item, or None when there was nothing to undo; the item's
    `undone` is the decision taken back (deleted: its fields as they were, no id).
    Only a reviewer of the stage (`stage_has_reviewer`) undoes there."""
    _check_reviewer(stage, reviewer)
    decision = last_decision(stage=stage, reviewer=reviewer)
    if decision is None:
        return None
    decision.item.stage = stage
    item = _lock_item(decision.item)
    _ensure_open(item)
    before = snapshot(decision, ["value", "reason", "note"])
    decision.delete()
    _settle(item)
    _claim(item, reviewer, timezone.now())
    audit_record(
        actor=reviewer,
        project=stage.topic_area.project,
        action="decision.undo",
        obj=item.record,
        before={**before, "stage": stage.name},
    )
    item.undone = decision
    return item


@transaction.atomic
def conflict_resolve(
    *, item: ScreeningItem, actor, value: str, reason: str = "", note: str = ""
) -> ScreeningItem:
    """A lead's resolution of a record at a stage: include or exclude, with a note."""
    item = _lock_item(item)
    if value not in (Decision.Value.INCLUDE, Decision.Value.EXCLUDE):
        raise ValidationError({"value": _("A resolution includes or excludes the record.")})
    _validate_decision(item.stage, value, reason)
    _ensure_open(item)
    before = {"status": item.status, "reason": item.exclusion_reason}
    was_included = item.status == ScreeningItem.Status.INCLUDED
    item.status = (
        ScreeningItem.Status.INCLUDED
        if value == Decision.Value.INCLUDE
        else ScreeningItem.Status.EXCLUDED
    )
    item.exclusion_reason = reason
    item.resolved_by = actor
    item.resolution_note = note
    item.resolved_at = timezone.now()
    item.save(
        update_fields=[
            "status",
            "exclusion_reason",
            "resolved_by",
            "resolution_note",
            "resolved_at",
        ]
    )
    _settle(item, was_included=was_included)
    ranking_request_if_due(stage=item.stage, item=item)
    audit_record(
        actor=actor,
        project=item.stage.topic_area.project,
        action="screening.resolve",
        obj=item.record,
        before={**before, "stage": item.stage.name},
        after={"status": item.status, "reason": reason, "note": note, "stage": item.stage.name},
    )
    return item


@transaction.atomic
def screening_item_reopen(*, item: ScreeningItem, actor) -> ScreeningItem:
    """A lead reopens a record at a stage: a resolution is withdrawn and the status
    derived from the decisions again. Refused while a later stage has decisions on it
    (reopen that stage first)."""
    item = _lock_item(item)
    if _decided_later(item):
        raise ScreeningClosed(_("Reopen the record at the later stage first."))
    before = {"status": item.status, "resolved_by": str(item.resolved_by or "")}
    item.resolved_by = None
    item.resolution_note = ""
    item.resolved_at = None
    item.save(update_fields=["resolved_by", "resolution_note", "resolved_at"])
    _settle(item)
    audit_record(
        actor=actor,
        project=item.stage.topic_area.project,
        action="screening.reopen",
        obj=item.record,
        before={**before, "stage": item.stage.name},
        after={"status": item.status, "stage": item.stage.name},
    )
    return item
