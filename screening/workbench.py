"""Screening's part of the work list (`reviewapp.workbench`): records waiting for the person
at each stage, their maybe pile, conflicts and records on reviewers' maybe piles (leads),
and failed imports; and each stage's progress for the dashboard.

One query reads every stage of the person's projects with its counts (correlated
subqueries per stage, each on an index beginning with the stage), one more the failed
imports, and one more the records assigned to people where a stage has any: the home page
costs the same with one project or twenty.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reviewapp.models import Role
from reviewapp.workbench import Progress, Work
from screening.models import Decision, ImportJob, MaybeFlag, ScreeningItem, Stage
from screening.services.screening import (
    NOT_ASSIGNED,
    stage_assignment_check,
    stage_assignments,
    stage_has_reviewer,
    stage_reviewer_check,
)

# A failed import is shown on the work list for this long (it stays in the import list).
FAILED_IMPORTS_SHOWN = timedelta(days=14)
KIND_ORDER = {"assigned": 0, "screen": 1, "maybes": 2, "conflicts": 3, "maybes_waiting": 4}


def _stages(user, projects, shared: dict) -> list[Stage]:
    """`_counted_stages`, read once per page: the dashboard's work list and its progress
    bars both need them (`shared` is the page's, see `reviewapp.workbench`)."""
    if "screening.stages" not in shared:
        shared["screening.stages"] = _counted_stages(user, projects)
    return shared["screening.stages"]


def _counted_stages(user, projects) -> list[Stage]:
    """The stages of the projects, each with its counts for the work list and the progress
    bars (`waiting`, `assigned_to_me`, `my_maybes`, `maybes_waiting`, `conflicts_n`,
    `total_n`, `settled_n`).

    A fixed number of grouped queries for all the stages together, each cheap on a large
    stage: correlated subqueries that joined every item of a stage to its record (to count
    unique records only) cost 60-90 ms a stage at 50,000 records. The items are counted by
    stage and status alone (an index-only scan of `item_queue`), and the few rows that must
    not count (items of records merged away as duplicates, full texts marked not
    retrievable, the person's own decisions and maybes) are counted from their small side
    and taken off. A pending item is always a decision short: two decisions at a dual
    stage settle it or make it a conflict.
    """
    stages = list(
        # A join, which the topic areas' manager does not filter: the bin left out.
        Stage.objects.filter(
            topic_area__project__in=[project.pk for project in projects],
            topic_area__deleted_at__isnull=True,
        )
        .select_related("topic_area")
        .annotate(**stage_reviewer_check(user), **stage_assignment_check(user))
        .order_by("topic_area__position", "topic_area_id", "position")
    )
    if not stages:
        return stages
    status = ScreeningItem.Status
    ids = [stage.pk for stage in stages]
    counts = _by_stage_and_status(ScreeningItem.objects.filter(stage_id__in=ids))
    # Records merged away as duplicates keep their items only where someone had decided.
    duplicates = _by_stage_and_status(
        ScreeningItem.objects.filter(
            stage_id__in=ids,
            record__topic_area_id__in={stage.topic_area_id for stage in stages},
            record__canonical__isnull=False,
        )
    )
    # The person's decisions on records still pending (a merge join on the item ids), less
    # those on records merged away (below).
    my_pending = Decision.objects.filter(
        stage_id__in=ids, reviewer=user, item__status=status.PENDING
    )
    mine = _by_stage(my_pending, Count("id"))
    # A "maybe" decision (made before maybes were flags, or through the API) parks a
    # single-reviewer record on its reviewer's pile: counted with the flags.
    parked = _by_stage(
        Decision.objects.filter(stage_id__in=ids, item__status=status.MAYBE),
        Count("id", filter=Q(reviewer=user)),
    )
    # Only stages with pending items of merged records (usually none) need the person's
    # decisions and maybes on those counted apart: two queries saved on most pages.
    merged = [pk for pk, found in duplicates.items() if found.get(status.PENDING)]
    on_merged = Q(
        stage_id__in=merged,
        item__record__topic_area_id__in={stage.topic_area_id for stage in stages},
        item__record__canonical__isnull=False,
    )
    mine_duplicates = _by_stage(my_pending.filter(on_merged), Count("id")) if merged else {}
    missing = {}
    if any(stage.kind == Stage.Kind.FULLTEXT for stage in stages):
        missing = _by_stage(
            ScreeningItem.objects.filter(
                stage_id__in=ids,
                status=status.PENDING,
                record__fulltext__not_retrievable=True,
                record__canonical__isnull=True,
            ),
            Count("id"),
        )
    flags = {
        row.pop("stage_id"): row
        # item__deleted_at: a join, which the items' manager does not filter (the bin).
        for row in MaybeFlag.objects.filter(
            stage_id__in=ids, item__status=status.PENDING, item__deleted_at__isnull=True
        )
        .values("stage_id")
        .order_by()
        .annotate(
            everyone=Count("item_id", distinct=True),
            mine=Count("id", filter=Q(reviewer=user)),
        )
    }
    flagged_duplicates = (
        _by_stage(
            MaybeFlag.objects.filter(
                on_merged, reviewer=user, item__status=status.PENDING, item__deleted_at__isnull=True
            ),
            Count("id"),
        )
        if merged
        else {}
    )
    assigned = _assigned(user, stages)
    for stage in stages:
        here, dup = counts.get(stage.pk, {}), duplicates.get(stage.pk, {})

        def net(*names, here=here, dup=dup):
            return sum(here.get(name, 0) - dup.get(name, 0) for name in names)

        flagged = flags.get(stage.pk, {})
        stage.total_n = net(*status.values)
        stage.settled_n = net(status.INCLUDED, status.EXCLUDED)
        stage.conflicts_n = net(status.CONFLICT)
        stage.my_maybes = flagged.get("mine", 0) + parked.get(stage.pk, 0)
        stage.maybes_waiting = flagged.get("everyone", 0) + net(status.MAYBE)
        stage.waiting = max(
            0,
            net(status.PENDING)
            - missing.get(stage.pk, 0)
            - (mine.get(stage.pk, 0) - mine_duplicates.get(stage.pk, 0))
            - (flagged.get("mine", 0) - flagged_duplicates.get(stage.pk, 0))
            - assigned.get(stage.pk, {}).get("held", 0),
        )
        stage.assigned_to_me = assigned.get(stage.pk, {}).get("mine", 0)
    return stages


def _assigned(user, stages: list[Stage]) -> dict[int, dict[str, int]]:
    """By stage, the records assigned to the person (`mine`) and those assigned to others
    that hold the last seat the person could take (`held`: they do not wait for them).
    One query, and only where a stage has assignments (read with the stages)."""
    ids = [stage.pk for stage in stages if stage_assignments(stage, user) != NOT_ASSIGNED]
    if not ids:
        return {}
    decided = Decision.objects.filter(item=OuterRef("pk"), reviewer=user)
    others = ~Q(assigned_to=user) & Q(decisions_made__gte=F("stage__reviewers_required") - 1)
    return {
        row.pop("stage_id"): row
        for row in ScreeningItem.objects.filter(
            stage_id__in=ids,
            status=ScreeningItem.Status.PENDING,
            assigned_to__isnull=False,
            record__canonical__isnull=True,
        )
        .values("stage_id")
        .order_by()
        .annotate(
            mine=Count("id", filter=Q(assigned_to=user)),
            held=Count("id", filter=others & ~Exists(decided)),
        )
    }


def _by_stage_and_status(items) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = {}
    for stage_id, item_status, n in (
        items.values("stage_id", "status")
        .order_by()
        .annotate(n=Count("id"))
        .values_list("stage_id", "status", "n")
    ):
        found.setdefault(stage_id, {})[item_status] = n
    return found


def _by_stage(rows, count) -> dict[int, int]:
    return dict(rows.values("stage_id").order_by().annotate(n=count).values_list("stage_id", "n"))


def _stage_url(name: str, stage: Stage, project) -> str:
    return reverse(
        name,
        kwargs={"slug": project.slug, "topic_key": stage.topic_area.key, "stage_id": stage.pk},
    )


def _where(stage: Stage) -> str:
    return f"{stage.topic_area.title} · {stage.name}"


def screening_work(user, projects, shared: dict) -> list[Work]:
    by_id = {project.pk: project for project in projects}
    works = []
    for stage in _stages(user, projects, shared):
        project = by_id[stage.topic_area.project_id]
        lead = project.my_role == Role.LEAD
        order = (stage.topic_area.position, stage.topic_area_id, stage.position)

        def add(kind, count, text, action, url, order=order, stage=stage, project=project):
            works.append(
                Work(
                    project_id=project.pk,
                    kind=kind,
                    count=count,
                    text=text,
                    where=_where(stage),
                    action=action,
                    url=url,
                    order=(*order, KIND_ORDER[kind]),
                )
            )

        if stage_has_reviewer(stage, user) and stage.stopped_at is None:
            n = stage.assigned_to_me
            add(
                "assigned",
                n,
                ngettext("%(n)s record assigned to you", "%(n)s records assigned to you", n)
                % {"n": n},
                _("See them"),
                _stage_url("stage_records", stage, project) + f"?assigned={user.pk}",
            )
            n = stage.waiting
            add(
                "screen",
                n,
                ngettext("%(n)s record waiting for you", "%(n)s records waiting for you", n)
                % {"n": n},
                _("Continue"),
                _stage_url("screen", stage, project),
            )
            n = stage.my_maybes
            add(
                "maybes",
                n,
                ngettext("%(n)s record on your maybe pile", "%(n)s records on your maybe pile", n)
                % {"n": n},
                _("Revisit"),
                _stage_url("stage_records", stage, project) + "?maybe=1",
            )
        if lead:
            n = stage.conflicts_n
            add(
                "conflicts",
                n,
                ngettext("%(n)s conflict", "%(n)s conflicts", n) % {"n": n},
                _("Resolve"),
                _stage_url("conflicts", stage, project),
            )
            n = stage.maybes_waiting
            add(
                "maybes_waiting",
                n,
                ngettext(
                    "%(n)s record on reviewers' maybe piles",
                    "%(n)s records on reviewers' maybe piles",
                    n,
                )
                % {"n": n},
                _("See the stages"),
                reverse(
                    "screening_overview",
                    kwargs={"slug": project.slug, "topic_key": stage.topic_area.key},
                ),
            )
    works.extend(_failed_imports(user, projects))
    return works


def _failed_imports(user, projects) -> list[Work]:
    by_id = {project.pk: project for project in projects}
    leads = [project.pk for project in projects if project.my_role == Role.LEAD]
    importers = [
        project.pk for project in projects if project.my_role in (Role.LEAD, Role.REVIEWER)
    ]
    rows = (
        ImportJob.objects.filter(
            topic_area__project__in=importers,
            topic_area__deleted_at__isnull=True,
            status=ImportJob.Status.FAILED,
            created_at__gte=timezone.now() - FAILED_IMPORTS_SHOWN,
        )
        .filter(Q(created_by=user) | Q(topic_area__project__in=leads))
        .values(
            "topic_area_id",
            "topic_area__key",
            "topic_area__title",
            "topic_area__position",
            project=F("topic_area__project_id"),
        )
        .order_by()
        .annotate(n=Count("id"))
    )
    works = []
    for row in rows:
        project = by_id[row["project"]]
        n = row["n"]
        works.append(
            Work(
                project_id=project.pk,
                kind="imports",
                count=n,
                text=ngettext("%(n)s import failed", "%(n)s imports failed", n) % {"n": n},
                where=row["topic_area__title"],
                action=_("See why"),
                url=reverse(
                    "import_create",
                    kwargs={"slug": project.slug, "topic_key": row["topic_area__key"]},
                ),
                order=(row["topic_area__position"], row["topic_area_id"], 99),
            )
        )
    return works


def screening_progress(user, projects, shared: dict) -> list[Progress]:
    by_id = {project.pk: project for project in projects}
    rows = []
    for stage in _stages(user, projects, shared):
        project = by_id[stage.topic_area.project_id]
        n = stage.conflicts_n
        detail = ngettext("%(n)s conflict", "%(n)s conflicts", n) % {"n": n} if n else ""
        rows.append(
            Progress(
                project_id=project.pk,
                topic_area=stage.topic_area.title,
                label=stage.name,
                done=stage.settled_n,
                total=stage.total_n,
                detail=detail,
                url=reverse(
                    "screening_overview",
                    kwargs={"slug": project.slug, "topic_key": stage.topic_area.key},
                ),
                order=(stage.topic_area.position, stage.topic_area_id, stage.position),
            )
        )
    return rows
