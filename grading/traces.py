"""A stored verdict trace (`Verdict.trace`, the framework's `to_dict()`) as rows the verdict
page shows: the weighted mode's factors per result, GRADE's start and domain ratings."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grading.frameworks import danish_weighted, grade
from grading.frameworks.base import DIRECTION_LABELS, Direction

# The weighted mode's factors, in the order `danish_weighted.result_factors` gives them.
FACTOR_LABELS = {
    "quality": _("Quality"),
    "method": _("Method"),
    "geography": _("Geography"),
    "publication": _("Publication"),
    "combination": _("Combination"),
    "target_share": _("Target group"),
}


def _direction(code: str | None, language: str) -> str:
    if not code:
        return ""
    return DIRECTION_LABELS[Direction(code)][0 if language == "da" else 1]


def weighted_trace(stored: dict, language: str) -> dict | None:
    """The weights table of a weighted-mode verdict, or None for another framework."""
    if stored.get("framework") != danish_weighted.NAME or "trace" not in stored:
        return None
    trace = stored["trace"]
    rows = []
    for result in trace["results"]:
        factors = {factor["name"]: factor for factor in result["factors"]}
        rows.append(
            {
                "label": result["label"],
                "direction": _direction(result["direction"], language),
                "factors": [
                    (factors[name]["value"], factors[name]["basis"])
                    for name in FACTOR_LABELS
                    if name in factors
                ],
                "weight": result["weight"],
                "supports": result["supports"],
            }
        )
    return {
        "columns": list(FACTOR_LABELS.values()),
        "rows": rows,
        "total": trace["total_weight"],
        "directions": [
            (_direction(entry["direction"], language), entry["weight"], entry["share"])
            for entry in trace["weights"]
            if entry["weight"]
        ],
        "threshold": trace["threshold"],
    }


def grade_trace(stored: dict, language: str) -> dict | None:
    """The start and the rated domains of a GRADE verdict, or None for another framework."""
    if stored.get("framework") != grade.NAME or "trace" not in stored:
        return None
    trace = stored["trace"]
    da = language == "da"
    start = trace["start"]
    return {
        "start": start["label_da"] if da else start["label_en"],
        "start_reason": trace["start_reason_da"] if da else trace["start_reason_en"],
        "ratings": [
            {
                "label": rating["label_da"] if da else rating["label_en"],
                "change": rating["change"],
                "footnote": rating["footnote"],
            }
            for rating in trace["ratings"]
        ],
        "warnings": trace["warnings"],
    }
