"""What every evidence framework takes and gives: plain result inputs in, a `Verdict` out.

No Django here. Labels are plain Danish and English strings, not gettext, so that verdicts can
be computed and stored by a worker without an active language and rendered in either language.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any


class Direction(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    NO_EFFECT = "no_effect"
    # Effects in different directions within one result (sub-groups, outcomes, time points).
    # A mixed result is counted in the total but can never be the preponderant direction.
    MIXED = "mixed"


DIRECTION_LABELS: dict[Direction, tuple[str, str]] = {
    Direction.POSITIVE: ("Positiv", "Positive"),
    Direction.NEGATIVE: ("Negativ", "Negative"),
    Direction.NO_EFFECT: ("Ingen effekt", "No effect"),
    Direction.MIXED: ("Blandet", "Mixed"),
}


class Quality(StrEnum):
    HIGH = "high"
    LIMITED = "limited"


class Design(StrEnum):
    RANDOMISED_INDIVIDUAL = "randomised_individual"
    RANDOMISED_CLUSTER = "randomised_cluster"
    # Allocation by a rule that is not truly random (birth date, alternation, ...).
    RANDOMISED_QUASI = "randomised_quasi"
    NATURAL_EXPERIMENT = "natural_experiment"
    REGRESSION_DISCONTINUITY = "regression_discontinuity"
    INSTRUMENTAL_VARIABLES = "instrumental_variables"
    DIFFERENCE_IN_DIFFERENCES = "difference_in_differences"
    MATCHING = "matching"
    OTHER = "other"
    REVIEW = "review"


DESIGN_LABELS: dict[Design, tuple[str, str]] = {
    Design.RANDOMISED_INDIVIDUAL: ("Lodtrækning (individ)", "Randomised (individual)"),
    Design.RANDOMISED_CLUSTER: ("Lodtrækning (klynge)", "Randomised (cluster)"),
    Design.RANDOMISED_QUASI: ("Lodtrækning (kvasi)", "Quasi-randomised"),
    Design.NATURAL_EXPERIMENT: ("Naturligt eksperiment", "Natural experiment"),
    Design.REGRESSION_DISCONTINUITY: ("Regressionsdiskontinuitet", "Regression discontinuity"),
    Design.INSTRUMENTAL_VARIABLES: ("Instrumentvariabel", "Instrumental variables"),
    Design.DIFFERENCE_IN_DIFFERENCES: ("Difference-in-differences", "Difference-in-differences"),
    Design.MATCHING: ("Matching", "Matching"),
    Design.OTHER: ("Øvrige", "Other"),
    Design.REVIEW: ("Forskningsbaseret review", "Research-based review"),
}

# Truly randomised designs. Quasi-randomisation is not among them: GRADE and Cochrane treat
# quasi-randomised studies as non-randomised (the report's table 4.2 merely lists them together).
RANDOMISED_DESIGNS = frozenset({Design.RANDOMISED_INDIVIDUAL, Design.RANDOMISED_CLUSTER})


class QualityAssessment(StrEnum):
    """The researcher's quality assessment on jobeffekter.dk (weighted mode)."""

    GOOD = "good"
    SATISFACTORY = "satisfactory"
    NOT_SATISFACTORY = "not_satisfactory"


class Combination(StrEnum):
    """jobeffekter.dk's combination factor: how far the result is a sub-division of the question."""

    NONE = "none"
    ONE = "one"  # combined or sub-divided on target group OR intervention
    BOTH = "both"  # on both


class TargetShare(StrEnum):
    """Whether a result is for the study's main target group or a sub-group (weighted mode)."""

    MAIN = "main"
    SUBGROUP = "subgroup"
    MAIN_AND_SUBGROUP = "main_and_subgroup"


@dataclasses.dataclass(frozen=True)
class ResultInput:
    """One study's result for one intervention, as the frameworks see it.

    `quality` is the reviewers' high/limited judgement (in the seed report: low risk of bias =
    high). `is_review` marks a research-based review, which the Danish hierarchy counts as one
    high-quality result whatever `quality` says. The fields after `peer_reviewed` are optional and
    used only by the weighted mode (`quality_assessment`, `country`, `combination`,
    `target_share`); GRADE reads `design` only and takes its judgements separately.
    """

    id: str | int
    label: str
    direction: Direction
    quality: Quality
    design: Design = Design.OTHER
    is_review: bool = False
    peer_reviewed: bool = False
    # Weighted mode. None means "derive from quality": high -> good, limited -> satisfactory.
    quality_assessment: QualityAssessment | None = None
    country: str = ""  # ISO 3166-1 alpha-2, e.g. "DK"
    combination: Combination = Combination.NONE
    target_share: TargetShare = TargetShare.MAIN

    def __post_init__(self) -> None:
        # Coerce plain strings (from a form or a database row) so that a typo fails here,
        # at the boundary, rather than as a silent mis-count inside a rule.
        for field, kind in (
            ("direction", Direction),
            ("quality", Quality),
            ("design", Design),
            ("combination", Combination),
            ("target_share", TargetShare),
        ):
            object.__setattr__(self, field, kind(getattr(self, field)))
        if self.quality_assessment is not None:
            object.__setattr__(
                self, "quality_assessment", QualityAssessment(self.quality_assessment)
            )

    @property
    def counts_as_high(self) -> bool:
        """High quality for the Danish hierarchy: judged high, or a research-based review."""
        return self.quality is Quality.HIGH or self.is_review


@dataclasses.dataclass(frozen=True)
class Level:
    """One level of a framework: a stable code to store, labels to show, a rank to compare."""

    code: str
    label_da: str
    label_en: str
    rank: int  # higher means more certain knowledge
    group: str = ""  # e.g. the Danish hierarchy's evidence / indication / no_knowledge


@dataclasses.dataclass(frozen=True)
class Rule:
    """The rule that fired, with the wording the trace shows."""

    code: str
    text_da: str
    text_en: str


@dataclasses.dataclass(frozen=True)
class Verdict:
    """A framework's answer for one category (or one outcome, for GRADE).

    `trace` is the framework's own trace dataclass; `to_dict()` turns the whole verdict into
    JSON-ready data (enums as their codes, fractions and decimals as floats).
    """

    framework: str
    level: Level
    direction: Direction | None
    rule: Rule
    trace: Any
    explanation_da: str
    explanation_en: str

    @property
    def level_code(self) -> str:
        return self.level.code

    @property
    def label_da(self) -> str:
        return self.level.label_da

    @property
    def label_en(self) -> str:
        return self.level.label_en

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


@dataclasses.dataclass(frozen=True)
class Framework:
    """A registered framework: its name, labels, levels (best first) and evaluate function."""

    name: str
    label_da: str
    label_en: str
    levels: tuple[Level, ...]
    evaluate: Callable[..., Verdict]

    def level(self, code: str) -> Level:
        for level in self.levels:
            if level.code == code:
                return level
        raise KeyError(f"{self.name} has no level {code!r}")


def to_jsonable(value: Any) -> Any:
    """Plain JSON data from dataclasses, enums, tuples, fractions and decimals."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: to_jsonable(getattr(value, field.name))
            for field in dataclasses.fields(value)
        }
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, dict):
        return {str(to_jsonable(key)): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [to_jsonable(item) for item in value]
    if isinstance(value, Fraction | Decimal):
        return round(float(value), 4)
    return value


def percent(share: Fraction | Decimal, language: str) -> str:
    """A share as a percentage, cut (not rounded) to one decimal.

    Cutting matters: 6/11 is 54.54... % and must never read as "55 %" next to a 55 % threshold.
    """
    tenths = math.floor(Fraction(share) * 1000)
    text = str(tenths // 10) if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"
    if language == "da":
        text = text.replace(".", ",")
    return f"{text} %"


def check_results(results: Sequence[ResultInput]) -> tuple[ResultInput, ...]:
    """The results as a tuple, refusing duplicate ids (a result counted twice inflates a level)."""
    results = tuple(results)
    seen: set[str | int] = set()
    for result in results:
        if not isinstance(result, ResultInput):
            raise TypeError(f"expected ResultInput, got {type(result).__name__}")
        if result.id in seen:
            raise ValueError(f"result id {result.id!r} appears twice")
        seen.add(result.id)
    return results
