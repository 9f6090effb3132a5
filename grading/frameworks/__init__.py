"""Evidence frameworks: pure functions from a category's results to a level and its trace.

Each framework is a small module exposing `FRAMEWORK` (a `Framework`: name, labels, levels and
`evaluate(results, **options) -> Verdict`). A new framework is a new module added to the tuple
below. No Django imports, so verdicts can be computed anywhere and tested fast.
"""

from grading.frameworks import danish_count, danish_weighted, grade
from grading.frameworks.base import (
    Combination,
    Design,
    Direction,
    Framework,
    Level,
    Quality,
    QualityAssessment,
    ResultInput,
    Rule,
    TargetShare,
    Verdict,
)

DEFAULT_FRAMEWORK = danish_count.NAME

FRAMEWORKS: dict[str, Framework] = {
    module.FRAMEWORK.name: module.FRAMEWORK for module in (danish_count, danish_weighted, grade)
}


def get_framework(name: str) -> Framework:
    """The framework registered under `name`; a KeyError names the ones that exist."""
    try:
        return FRAMEWORKS[name]
    except KeyError:
        raise KeyError(
            f"unknown evidence framework {name!r}; known: {', '.join(sorted(FRAMEWORKS))}"
        ) from None


__all__ = [
    "DEFAULT_FRAMEWORK",
    "FRAMEWORKS",
    "Combination",
    "Design",
    "Direction",
    "Framework",
    "Level",
    "Quality",
    "QualityAssessment",
    "ResultInput",
    "Rule",
    "TargetShare",
    "Verdict",
    "get_framework",
]
