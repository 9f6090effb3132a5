"""Screening's part of the work list (`reviewapp.workbench`): records waiting for the person
at each stage, their maybe pile, conflicts and records on reviewers' maybe piles (leads),
and failed imports; and each stage's progress for the dashboard.

One query reads every stage of the person's projects with its counts (correlated
subqueries per stage, each on an index beginning with the stage), one more the failed
imports: the home page costs the same with one project or twenty.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reviewapp.models import Role
from reviewapp.workbench import Progress, Work
from screening.models import Decision, ImportJob, MaybeFlag, ScreeningItem, Stage
from screening.queries import count_of, maybes_waiting
from screening.services.screening import stage_has_reviewer, stage_reviewer_check

# A failed import is shown on the work list for this long (it stays in the import list).
FAILED_IMPORTS_SHOWN = timedelta(days=14)
KIND_ORDER = {"screen": 0, "maybes": 1, "conflicts": 2, "maybes_waiting": 3}


def _stages(user, projects):
    status = ScreeningItem.Status
    items = ScreeningItem.objects.filter(stage=OuterRef("pk"), record__canonical__isnull=True)
    pending = items.filter(status=status.PENDING).exclude(record__fulltext__not_retrievable=True)
    mine = Decision.objects.filter(item=OuterRef("pk"), reviewer=user)
    flagged = MaybeFlag.objects.filter(item=OuterRef("pk"), reviewer=user)
    waiting = pending.filter(decisions_made__lt=OuterRef("reviewers_required")).filter(
        ~Exists(mine), ~Exists(flagged)
    )
    settled = items.filter(Q(status__in=[status.INCLUDED, status.EXCLUDED]))
    return (
        Stage.objects.filter(topic_area__project__in=[project.pk for project in projects])
        .select_related("topic_area")
        .annotate(
            **stage_reviewer_check(user),
            waiting=count_of(waiting),
            conflicts_n=count_of(items.filter(status=status.CONFLICT)),
            my_maybes=count_of(
                MaybeFlag.objects.filter(
                    stage=OuterRef("pk"), reviewer=user, item__status=status.PENDING
                )
            ),
            maybes_waiting=Coalesce(maybes_waiting(), 0),
            total_n=count_of(items),
            settled_n=count_of(settled),
        )
        .order_by("topic_area__position", "topic_area_id", "position")
    )


def _stage_url(name: str, stage: Stage, project) -> str:
    return reverse(
        name,
        kwargs={"slug": project.slug, "topic_key": stage.topic_area.key, "stage_id": stage.pk},
    )


def _where(stage: Stage) -> str:
    return f"{stage.topic_area.title} · {stage.name}"


def screening_work(user, projects) -> list[Work]:
    by_id = {project.pk: project for project in projects}
    works = []
    for stage in _stages(user, projects):
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


def screening_progress(user, projects) -> list[Progress]:
    by_id = {project.pk: project for project in projects}
    rows = []
    for stage in _stages(user, projects):
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
