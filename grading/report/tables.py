"""The report's tables, built from plain data in one language.

A table is plain JSON, the form it is stored, shown and exported in:
``{"kind", "key", "title", "columns", "rows", "row_kinds", "footnotes", "landscape",
"widths", "targets"}``. `rows` are lists of cells (text or whole numbers; text may hold line
breaks); `row_kinds` marks each row "item", "heading" or "total"; `widths` are relative column
widths; `targets` names each row's comment target (``["study", id]``) or None.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping

from grading.report import labels
from grading.report.labels import pick, text
from screening import flow as prisma


@dataclasses.dataclass(frozen=True)
class ResultRow:
    id: int
    category_id: int
    intervention: str
    target_group: str
    effect: str
    risk_of_bias: str  # a labels.RATINGS code, or "" when not judged
    risk_of_bias_justification: str = ""
    transferability: str = ""
    transferability_justification: str = ""


@dataclasses.dataclass(frozen=True)
class StudyRow:
    id: int
    label: str
    title: str
    year: int | None
    country: str
    peer_reviewed: bool
    design: str
    results: tuple[ResultRow, ...] = ()


@dataclasses.dataclass(frozen=True)
class CategoryRow:
    id: int
    key: str
    title: str
    graded: bool
    verdict_id: int | None = None
    level: str = ""  # the level that stands (final, else computed), a framework code
    level_labels: tuple[str, str] = ("", "")
    computed_labels: tuple[str, str] = ("", "")
    final: bool = False
    rationale: str = ""
    statement: str = ""


@dataclasses.dataclass(frozen=True)
class TopicInput:
    """Everything one topic area's tables show."""

    key: str
    title: str
    framework_labels: tuple[str, str]
    categories: tuple[CategoryRow, ...]
    studies: tuple[StudyRow, ...]
    flow: prisma.FlowInput | None = None
    agreement_rows: tuple[Mapping, ...] = ()
    # How the counts table counts the intermediate ratings: "low", "middle" or "high".
    moderate_high_as: str = "middle"
    low_moderate_as: str = "middle"


def _table(
    kind,
    key,
    title,
    columns,
    rows,
    *,
    widths,
    footnotes=(),
    row_kinds=None,
    targets=None,
    landscape=False,
) -> dict:
    return {
        "kind": kind,
        "key": key,
        "title": title,
        "columns": list(columns),
        "rows": [list(row) for row in rows],
        "row_kinds": list(row_kinds) if row_kinds is not None else ["item"] * len(rows),
        "targets": list(targets) if targets is not None else [None] * len(rows),
        "footnotes": list(footnotes),
        "landscape": landscape,
        "widths": list(widths),
    }


# --------------------------------------------------------------------------------------------
# Summary (the report's table 1)


def summary_table(topic: TopicInput, language: str) -> dict:
    rows, targets = [], []
    for category in topic.categories:
        if not category.graded:
            continue
        level = pick(category.level_labels, language) or text("no_level", language)
        rows.append([category.title, category.statement, level])
        targets.append(["category", category.id])
    return _table(
        "summary",
        f"summary-{topic.key}",
        text("summary_title", language, topic=topic.title),
        labels.columns("summary_columns", language),
        rows,
        targets=targets,
        widths=[3, 5, 2],
        footnotes=[
            text("summary_note", language, framework=pick(topic.framework_labels, language))
        ],
    )


# --------------------------------------------------------------------------------------------
# Study tables (the report's tables 2.1 and 3.1-3.4)


def _study_cell(study: StudyRow, also_elsewhere: bool) -> str:
    star = "*" if study.peer_reviewed else ""
    mark = " #" if also_elsewhere else ""
    lines = [f"{study.label}.{star}{mark}", study.title.rstrip(".") + ".", study.country.upper()]
    return "\n".join(line for line in lines if line.strip(". "))


def _risk_cell(result: ResultRow, language: str) -> str:
    lines = []
    if result.risk_of_bias:
        level = pick(labels.RATINGS[result.risk_of_bias], language)
        sentence = text("risk_of_bias", language, level=level)
        if result.risk_of_bias_justification.strip():
            sentence += " " + result.risk_of_bias_justification.strip()
        lines.append(sentence)
    if result.transferability or result.transferability_justification:
        level = (
            pick(labels.RATINGS[result.transferability], language) if result.transferability else ""
        )
        why = result.transferability_justification.strip()
        # The justification often repeats the level ("Middel til høj (nationale tal)").
        shown = (
            why
            if why.lower().startswith(level.lower()) and why
            else " ".join(part for part in (level + ("." if why and level else ""), why) if part)
        )
        lines.append(text("transferability", language, text=shown))
    return "\n".join(lines)


def _by_recency(study: StudyRow):
    # The report lists studies newest first ("omvendt kronologisk rækkefølge").
    return (-(study.year or 0), study.label.lower(), study.id)


def study_tables(topic: TopicInput, language: str) -> list[dict]:
    titles = {category.id: category.title for category in topic.categories}
    tables = []
    for category in topic.categories:
        rows, targets, elsewhere = [], [], set()
        for study in sorted(topic.studies, key=_by_recency):
            others = sorted(
                {titles[r.category_id] for r in study.results if r.category_id != category.id}
            )
            for result in study.results:
                if result.category_id != category.id:
                    continue
                if others:
                    elsewhere.update(others)
                rows.append(
                    [
                        _study_cell(study, bool(others)),
                        result.intervention,
                        result.target_group,
                        result.effect,
                        _risk_cell(result, language),
                    ]
                )
                targets.append(["result", result.id, study.id])
        footnotes = [text("peer_reviewed_note", language)]
        if elsewhere:
            footnotes.append(text("also_in_note", language, tables="; ".join(sorted(elsewhere))))
        footnotes.append(text("judgement_note", language))
        tables.append(
            _table(
                "study",
                f"study-{topic.key}-{category.key}",
                text("study_title", language, category=category.title),
                labels.columns("study_columns", language),
                rows,
                targets=targets,
                widths=[3, 3, 3, 3, 3],
                footnotes=footnotes,
                landscape=True,
            )
        )
    return tables


# --------------------------------------------------------------------------------------------
# Counts (the report's table 4.2)


def design_group(design: str) -> str:
    if design in labels.RANDOMISED:
        return "randomised"
    if design == "natural_experiment":
        return "natural_experiment"
    return "other"


def risk_group(rating: str, topic: TopicInput) -> str:
    if rating == "moderate_high":
        return topic.moderate_high_as
    if rating == "low_moderate":
        return topic.low_moderate_as
    return {"low": "low", "moderate": "middle", "high": "high"}.get(rating, "not_assessed")


def study_risk_group(study: StudyRow, topic: TopicInput) -> str:
    """The study's group: its results' highest, when they differ."""
    groups = {risk_group(r.risk_of_bias, topic) for r in study.results if r.risk_of_bias}
    for group in ("high", "middle", "low"):
        if group in groups:
            return group
    return "not_assessed"


def _table_order(topic: TopicInput) -> list[StudyRow]:
    """Studies in the order the study tables first show them (categories in order, newest
    first within each); studies in no table last."""
    position = {category.id: index for index, category in enumerate(topic.categories)}
    far = len(position)

    def first_table(study: StudyRow) -> int:
        return min((position.get(r.category_id, far) for r in study.results), default=far + 1)

    by_recency = sorted(topic.studies, key=_by_recency)
    return sorted(by_recency, key=first_table)


def counts(topic: TopicInput) -> dict:
    """The counts table's numbers, language-neutral: design, risk and country breakdowns of
    the topic area's studies, and the total."""
    ordered = _table_order(topic)
    countries: dict[str, int] = {}
    for study in ordered:
        code = study.country.upper()
        countries[code] = countries.get(code, 0) + 1
    design = Counter(design_group(study.design) for study in ordered)
    risk = Counter(study_risk_group(study, topic) for study in ordered)
    return {
        "total": len(ordered),
        "design": {group: design.get(group, 0) for group in labels.DESIGN_GROUP_ORDER},
        "risk": {
            group: risk.get(group, 0)
            for group in labels.RISK_GROUP_ORDER
            if group != "not_assessed" or risk.get(group)
        },
        # Danish first (the report's home country), then in the order the tables show them.
        "country": dict(sorted(countries.items(), key=lambda item: item[0] != "DK")),
    }


def counts_table(topic: TopicInput, language: str, numbers: dict | None = None) -> dict:
    numbers = numbers or counts(topic)
    rows, kinds = [], []

    def heading(key):
        rows.append([text(key, language), ""])
        kinds.append("heading")

    def item(label, n):
        rows.append([f"– {label}", n])
        kinds.append("item")

    heading("design")
    for group, n in numbers["design"].items():
        item(pick(labels.DESIGN_GROUPS[group], language), n)
    heading("risk")
    for group, n in numbers["risk"].items():
        item(pick(labels.RISK_GROUPS[group], language), n)
    heading("geography")
    for code, n in numbers["country"].items():
        item(labels.country(code, language), n)
    rows.append([text("total", language), numbers["total"]])
    kinds.append("total")
    footnotes = [
        text(
            "counted_as",
            language,
            rating=pick(labels.RATINGS[rating], language),
            group=pick(labels.RISK_GROUPS[group], language).lower(),
        )
        for rating, group in (
            ("moderate_high", topic.moderate_high_as),
            ("low_moderate", topic.low_moderate_as),
        )
    ]
    footnotes.append(text("highest_note", language))
    return _table(
        "counts",
        f"counts-{topic.key}",
        text("counts_title", language),
        labels.columns("counts_columns", language),
        rows,
        row_kinds=kinds,
        widths=[6, 2],
        footnotes=footnotes,
    )


# --------------------------------------------------------------------------------------------
# Flow and agreement


def _n(count: prisma.Count) -> str | int:
    return f"{count.value}†" if count.reported else count.value


def flow_rows(flow: prisma.FlowInput, language: str) -> list[tuple[str, object]]:
    def label(key: str) -> str:
        return pick(prisma.LABELS[key], language)

    rows: list[tuple[str, object]] = []
    for source in flow.sources:
        rows.append((text("source", language, name=source.name), _n(source.count)))
    rows.append((label("duplicates"), _n(flow.duplicates)))
    if flow.removed_automatic.value:
        rows.append((label("removed_automatic"), _n(flow.removed_automatic)))
    if flow.removed_other.value:
        rows.append((label("removed_other"), _n(flow.removed_other)))
    for stage in flow.stages:
        rows.append((text("stage_screened", language, stage=stage.name), _n(stage.screened)))
        rows.append((text("stage_excluded", language, stage=stage.name), _n(stage.excluded)))
        for reason, n in stage.excluded_by_reason.items():
            rows.append((text("reason", language, reason=reason), n))
    column = flow.fulltext
    rows += [
        (label("sought"), _n(column.sought)),
        (label("not_retrieved"), _n(column.not_retrieved)),
        (label("assessed"), _n(column.assessed)),
        (label("reports_excluded"), _n(column.excluded)),
    ]
    rows += [(text("reason", language, reason=r), n) for r, n in column.excluded_by_reason.items()]
    if flow.other is not None:
        other = flow.other
        rows += [
            (text("other_sought", language), _n(other.sought)),
            (text("other_not_retrieved", language), _n(other.not_retrieved)),
            (text("other_assessed", language), _n(other.assessed)),
            (text("other_excluded", language), _n(other.excluded)),
        ]
    rows += [
        (label("studies_included"), _n(flow.included_studies)),
        (label("reports_included"), _n(flow.included_reports)),
    ]
    return rows


def flow_table(topic: TopicInput, language: str) -> dict | None:
    if topic.flow is None:
        return None
    rows = flow_rows(topic.flow, language)
    reported = any(count.reported for count in topic.flow.counts())
    return _table(
        "flow",
        f"flow-{topic.key}",
        text("flow_title", language),
        labels.columns("flow_columns", language),
        rows,
        widths=[6, 2],
        footnotes=[pick(prisma.LABELS["reported_note"], language)] if reported else [],
    )


def agreement_table(topic: TopicInput, language: str) -> dict:
    rows = [
        [
            row["stage"],
            row["reviewer_a"],
            row["reviewer_b"],
            row["n"],
            "" if row["percent"] is None else row["percent"],
            "" if row["kappa"] is None else row["kappa"],
            "" if row["ac1"] is None else row["ac1"],
            "" if row["pabak"] is None else row["pabak"],
        ]
        for row in topic.agreement_rows
    ]
    return _table(
        "agreement",
        f"agreement-{topic.key}",
        text("agreement_title", language),
        labels.columns("agreement_columns", language),
        rows,
        widths=[3, 2, 2, 1, 1, 1, 1, 1],
        footnotes=[] if rows else [text("agreement_none", language)],
    )


# --------------------------------------------------------------------------------------------
# Everything of a topic area


def verdicts(topic: TopicInput, language: str) -> list[dict]:
    return [
        {
            "category_id": category.id,
            "verdict_id": category.verdict_id,
            "category": category.title,
            "level": pick(category.level_labels, language) or text("no_level", language),
            "computed_level": pick(category.computed_labels, language),
            "final": category.final,
            "rationale": category.rationale,
            "statement": category.statement,
        }
        for category in topic.categories
        if category.graded
    ]


def topic_tables(topic: TopicInput, language: str, numbers: dict | None = None) -> list[dict]:
    tables = [summary_table(topic, language), *study_tables(topic, language)]
    tables.append(counts_table(topic, language, numbers))
    flow = flow_table(topic, language)
    if flow is not None:
        tables.append(flow)
    tables.append(agreement_table(topic, language))
    return tables


def build(topic: TopicInput) -> dict:
    """The stored form of a topic area's tables: language-neutral facts, and the tables and
    verdicts in both languages."""
    numbers = counts(topic)
    built: dict = {"facts": {"counts": numbers}}
    for language in ("da", "en"):
        built[language] = {
            "title": topic.title,
            "tables": topic_tables(topic, language, numbers),
            "verdicts": verdicts(topic, language),
        }
    return built


def problem_text(problem: Mapping, language: str) -> str:
    return pick(tuple(problem["message"]), language)
