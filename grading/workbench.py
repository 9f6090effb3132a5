"""Grading's part of the work list (`reviewapp.workbench`): results whose two extractions
wait for a consensus the person may settle, and open comments for the leads who resolve
them. Two queries for all the person's projects (three when consensus waits)."""

from __future__ import annotations

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grading.models import Comment, Extraction, Result
from grading.queries.consensus import REVIEWERS
from grading.queries.report import live_topic_area
from reviewapp.models import Role
from reviewapp.workbench import Work


def grading_work(user, projects, shared: dict) -> list[Work]:
    return [*_consensus_waiting(user, projects), *_open_comments(projects)]


def _consensus_waiting(user, projects) -> list[Work]:
    """Results with both extractions and no consensus, where the person may settle it
    (`grading.rules.can_settle_consensus`: a lead, or one of the two extractors)."""
    by_id = {project.pk: project for project in projects}
    leads = [project.pk for project in projects if project.my_role == Role.LEAD]
    extractors = [
        project.pk for project in projects if project.my_role in (Role.LEAD, Role.REVIEWER)
    ]
    mine = Extraction.objects.filter(reviewer=user).values("result_id")
    eligible = (
        Result.objects.filter(
            study__topic_area__project__in=extractors,
            study__topic_area__deleted_at__isnull=True,
            study__topic_area__project__extraction_settings__dual_extraction=True,
            consensus__isnull=True,
        )
        .filter(Q(study__topic_area__project__in=leads) | Q(pk__in=mine))
        .annotate(extracted=Count("extractions"))
        .filter(extracted__gte=REVIEWERS)
        .values("pk")
    )
    rows = list(
        Result.objects.filter(pk__in=eligible)
        .values(
            "study__topic_area_id",
            "study__topic_area__key",
            "study__topic_area__title",
            "study__topic_area__position",
            "study__topic_area__project_id",
        )
        .order_by()
        .annotate(n=Count("id"), first=Min("id"))
    )
    if not rows:
        return []
    studies = dict(
        Result.objects.filter(pk__in=[row["first"] for row in rows]).values_list("pk", "study_id")
    )
    works = []
    for row in rows:
        project = by_id[row["study__topic_area__project_id"]]
        n = row["n"]
        works.append(
            Work(
                project_id=project.pk,
                kind="consensus",
                count=n,
                text=ngettext(
                    "%(n)s result waiting for a consensus",
                    "%(n)s results waiting for a consensus",
                    n,
                )
                % {"n": n},
                where=row["study__topic_area__title"],
                action=_("Agree"),
                url=reverse(
                    "result_consensus",
                    kwargs={
                        "slug": project.slug,
                        "topic_key": row["study__topic_area__key"],
                        "study_id": studies[row["first"]],
                        "result_id": row["first"],
                    },
                ),
                order=(row["study__topic_area__position"], row["study__topic_area_id"], 50),
            )
        )
    return works


def _open_comments(projects) -> list[Work]:
    """Open comment threads, for the leads (who reply and resolve)."""
    by_id = {project.pk: project for project in projects}
    leads = [project.pk for project in projects if project.my_role == Role.LEAD]
    if not leads:
        return []
    rows = (
        Comment.objects.filter(project__in=leads, parent__isnull=True, resolved_at__isnull=True)
        .filter(live_topic_area())
        .values("project_id")
        .order_by()
        .annotate(n=Count("id"))
    )
    return [
        Work(
            project_id=row["project_id"],
            kind="comments",
            count=row["n"],
            text=ngettext("%(n)s open comment", "%(n)s open comments", row["n"]) % {"n": row["n"]},
            where=_("Report"),
            action=_("Answer"),
            url=reverse("comments", kwargs={"slug": by_id[row["project_id"]].slug}),
            order=(10**9, 0, 0),
        )
        for row in rows
    ]
