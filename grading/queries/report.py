"""Reading what the report tables are built from, and the report's comments."""

from __future__ import annotations

import hashlib
import json

from django.db.models import Count, Max, Q

from grading.frameworks import get_framework
from grading.models import Comment, InterventionCategory, Result, Study, Verdict
from grading.report import tables
from reviewapp.models import Project, TopicArea
from screening import flow
from screening import queries as screening_queries
from screening.models import Decision, Record, ScreeningItem, Stage


def category_rows(topic_area: TopicArea, statements: dict) -> tuple[tables.CategoryRow, ...]:
    framework = get_framework(topic_area.project.evidence_framework)
    levels = {level.code: (level.label_da, level.label_en) for level in framework.levels}
    rows = []
    for category in topic_area.categories.select_related("verdict").order_by("position", "id"):
        verdict = getattr(category, "verdict", None) if category.graded else None
        level = verdict.level if verdict else ""
        rows.append(
            tables.CategoryRow(
                id=category.pk,
                key=category.key,
                title=category.title,
                graded=category.graded,
                verdict_id=verdict.pk if verdict else None,
                level=level,
                level_labels=levels.get(level, ("", "")),
                computed_labels=levels.get(verdict.computed_level, ("", ""))
                if verdict
                else ("", ""),
                final=bool(verdict and verdict.final_level),
                rationale=verdict.rationale if verdict else "",
                statement=statements.get(category.key, ""),
            )
        )
    return tuple(rows)


RESULT_COLUMNS = (
    "id",
    "study_id",
    "category_id",
    "intervention",
    "target_group",
    "effect",
    "risk_of_bias",
    "risk_of_bias_justification",
    "transferability",
    "transferability_justification",
)
STUDY_COLUMNS = ("id", "label", "title", "year", "country", "peer_reviewed", "design")


def study_rows(topic_area: TopicArea) -> tuple[tables.StudyRow, ...]:
    """The topic area's studies with their results, in two queries of plain values: the
    recompute rebuilds the tables after every save, so no model instances are made."""
    results: dict[int, list[tables.ResultRow]] = {}
    for values in (
        Result.objects.filter(study__topic_area=topic_area)
        .order_by("id")
        .values_list(*RESULT_COLUMNS)
    ):
        row = dict(zip(RESULT_COLUMNS, values, strict=True))
        study_id = row.pop("study_id")
        results.setdefault(study_id, []).append(tables.ResultRow(**row))
    studies = topic_area.studies.order_by("year", "label", "id").values_list(*STUDY_COLUMNS)
    return tuple(
        tables.StudyRow(
            **dict(zip(STUDY_COLUMNS, values, strict=True)),
            results=tuple(results.get(values[0], ())),
        )
        for values in studies
    )


def topic_flow(topic_area: TopicArea) -> flow.FlowInput | None:
    if not topic_area.stages.exists():
        return None
    counts, _undecided = screening_queries.topic_area_flow(topic_area, "en")
    return counts


def decisions_digest(topic_area: TopicArea) -> str:
    """Changes whenever a screening decision is added, changed or removed (one query)."""
    figures = Decision.objects.filter(item__stage__topic_area=topic_area).aggregate(
        n=Count("id"), last=Max("decided_at"), top=Max("id")
    )
    return json.dumps(figures, default=str, sort_keys=True)


def screening_digest(counts: flow.FlowInput | None, decisions: str) -> str:
    """What the flow and agreement tables depend on: the flow's numbers (hand-entered ones
    included) and the decisions (`decisions_digest`). Compared by the report page to find
    tables gone stale."""
    values = flow.flow_prisma_csv(counts) if counts is not None else []
    data = [[row["data"], row["n"]] for row in values], decisions
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def agreement_rows(topic_area: TopicArea) -> list[dict]:
    return screening_queries.agreement_rows(
        topic_area.stages.order_by("position"),
        screening_queries.reviewer_names(topic_area.project),
    )


def included_records(project: Project):
    """The project's included records: those of its studies, and those included at a
    full-text stage; canonical records only, in topic-area and import order."""
    included_items = ScreeningItem.objects.filter(
        stage__kind=Stage.Kind.FULLTEXT, status=ScreeningItem.Status.INCLUDED
    )
    return (
        Record.objects.filter(
            topic_area__project=project, topic_area__deleted_at__isnull=True, canonical__isnull=True
        )
        .filter(
            Q(studies__isnull=False, studies__deleted_at__isnull=True)
            | Q(pk__in=included_items.values("record_id"))
        )
        .distinct()
        .select_related("topic_area")
        .order_by("topic_area__position", "topic_area_id", "position", "id")
    )


def live_topic_area() -> Q:
    """Comments outside the bin's topic areas (a join, which the topic areas' manager does
    not filter); a comment on nothing in a topic area has none."""
    return Q(topic_area__isnull=True) | Q(topic_area__deleted_at__isnull=True)


def comments_for(project: Project):
    """Every comment of the project with its author, threads in order (roots, replies)."""
    return (
        Comment.objects.filter(project=project)
        .filter(live_topic_area())
        .select_related("author", "resolved_by", "topic_area")
        .order_by("created_at", "id")
    )


def open_comments(project: Project):
    return comments_for(project).filter(parent__isnull=True, resolved_at__isnull=True)


def comment_targets(project: Project, kind: str, target_id: int):
    """The target's (topic area, label), or None if it is not in the project."""
    if kind == Comment.Target.FLOW:
        topic_area = TopicArea.objects.filter(project=project, pk=target_id).first()
        return (topic_area, topic_area.title) if topic_area else None
    if kind == Comment.Target.VERDICT:
        verdict = (
            Verdict.objects.filter(
                category__topic_area__project=project,
                category__deleted_at__isnull=True,
                pk=target_id,
            )
            .select_related("category__topic_area")
            .first()
        )
        return (verdict.category.topic_area, verdict.category.title) if verdict else None
    if kind == Comment.Target.CATEGORY:
        category = (
            InterventionCategory.objects.filter(topic_area__project=project, pk=target_id)
            .select_related("topic_area")
            .first()
        )
        return (category.topic_area, category.title) if category else None
    if kind == Comment.Target.STUDY:
        study = (
            Study.objects.filter(topic_area__project=project, pk=target_id)
            .select_related("topic_area")
            .first()
        )
        return (study.topic_area, study.label) if study else None
    if kind == Comment.Target.RESULT:
        result = (
            Result.objects.filter(study__topic_area__project=project, pk=target_id)
            .select_related("study__topic_area", "category")
            .first()
        )
        if result is None:
            return None
        return result.study.topic_area, f"{result.study.label}: {result.category.title}"
    return None
