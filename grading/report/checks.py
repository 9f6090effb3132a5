"""Consistency checks run on every rebuild of a topic area's tables.

Each problem is plain JSON: ``{"code", "target": [kind, id] or None, "message": [da, en]}``.
The tables are derived from the data, so their own sums hold by construction; the checks
guard the places where two independent sources must agree (the studies against the flow's
included studies, the flow's identities) and data the tables need (a result per study).
"""

from __future__ import annotations

from grading.report.tables import TopicInput
from screening import flow as prisma


def _problem(code: str, message: tuple[str, str], target=None) -> dict:
    return {"code": code, "target": target, "message": list(message)}


def check(topic: TopicInput, numbers: dict) -> list[dict]:
    problems = []
    total = numbers["total"]
    for breakdown, (da, en) in (
        ("design", ("design", "design")),
        ("risk", ("risiko for bias", "risk of bias")),
        ("country", ("geografi", "geography")),
    ):
        summed = sum(numbers[breakdown].values())
        if summed != total:
            problems.append(
                _problem(
                    "C2",
                    (
                        f"Optællingen efter {da} summer til {summed}, ikke til {total}.",
                        f"The counts by {en} add up to {summed}, not {total}.",
                    ),
                )
            )
    if topic.flow is not None:
        included = topic.flow.included_studies.value
        if included != total:
            problems.append(
                _problem(
                    "C1",
                    (
                        f"Optællingen har {total} studier, men flowdiagrammet {included} "
                        "inkluderede studier.",
                        f"The counts table has {total} studies but the flow diagram "
                        f"{included} included studies.",
                    ),
                    ["flow", None],
                )
            )
        for flow_problem in prisma.flow_check(topic.flow):
            if flow_problem.severity != prisma.Severity.ERROR:
                continue
            problems.append(
                _problem(
                    f"F-{flow_problem.code}",
                    (
                        f"Flowdiagram: {flow_problem.message[0]}",
                        f"Flow diagram: {flow_problem.message[1]}",
                    ),
                    ["flow", None],
                )
            )
    for study in topic.studies:
        if not study.results:
            problems.append(
                _problem(
                    "C3",
                    (
                        f"{study.label} er inkluderet, men har intet resultat.",
                        f"{study.label} is included but has no result.",
                    ),
                    ["study", study.id],
                )
            )
    return problems
