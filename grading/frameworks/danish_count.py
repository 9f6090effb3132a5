"""The Danish Ministry of Employment's knowledge hierarchy, count mode (the default framework).

The rule (DESIGN.md section 4, from the hierarchy in the seed report's table 1.1):

- H_d and L_d are the high- and limited-quality results in direction d. A research-based review
  counts as one high-quality result.
- The results *considered* are the high-quality ones when there are any, otherwise all of them.
- A direction has a *preponderance* when it holds at least 55 % of the considered results.

| level              | rule                                                                 |
| ------------------ | -------------------------------------------------------------------- |
| Stærk evidens      | preponderance, and H_d >= 3 or a research-based review in d          |
| Moderat evidens    | preponderance, and H_d = 2                                           |
| Indikation         | preponderance, and H_d = 1, or H_d = 0 and L_d >= 2                  |
| Modstridende viden | results in different directions with no preponderance                |
| Ingen viden        | no results, or only one limited-quality result                       |

Decisions where the table is silent (each has a test):

- **One high-quality result and nothing else** has a preponderance (1 of 1) with H_d = 1:
  Indikation. That is the seed report's topic 1 (Cheung et al. 2017).
- **High-quality results exist**: limited-quality ones are set aside entirely, even when they
  outnumber the high-quality ones and point the other way. They stay in the trace, marked as
  set aside.
- **"Mixed" results** (effects in different directions within one result) count in the total of
  considered results but can never be the preponderant direction, so they dilute the others:
  2 positive and 1 mixed is 67 % positive; 1 positive and 1 mixed is 50 %, no preponderance.
- **Ties** cannot produce a preponderance: two directions cannot both reach 55 %.
- **No preponderance** gives Modstridende viden whenever the considered results point in
  different directions, whatever their number (two limited-quality results that disagree are
  conflicting, not "no knowledge"). A single high-quality mixed result is conflicting too.
- **Only one limited-quality result** is Ingen viden, whether it has a direction or is mixed.
- "No effect" is a direction like the others: a preponderance of no-effect results is evidence
  of no effect (the report's topic 1 verdict is an indication of no effect).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from fractions import Fraction

from grading.frameworks.base import (
    DIRECTION_LABELS,
    Direction,
    Framework,
    Level,
    Quality,
    ResultInput,
    Rule,
    Verdict,
    check_results,
    percent,
)

NAME = "danish_count"

# The jobeffekter.dk threshold, kept exact: a float 0.55 would misjudge shares at the boundary.
PREPONDERANCE_THRESHOLD = Fraction(55, 100)

STRONG = Level("strong", "Stærk evidens", "Strong evidence", rank=5, group="evidence")
MODERATE = Level("moderate", "Moderat evidens", "Moderate evidence", rank=4, group="evidence")
INDICATION = Level("indication", "Indikation", "Indication", rank=3, group="indication")
CONFLICTING = Level(
    "conflicting", "Modstridende viden", "Conflicting knowledge", rank=2, group="no_knowledge"
)
# STAR's English pages say "Uncertain knowledge" for "Ingen viden".
NO_KNOWLEDGE = Level(
    "no_knowledge", "Ingen viden", "Uncertain knowledge", rank=1, group="no_knowledge"
)
LEVELS = (STRONG, MODERATE, INDICATION, CONFLICTING, NO_KNOWLEDGE)

RULES = {
    rule.code: rule
    for rule in (
        Rule("no_results", "Ingen resultater", "No results"),
        Rule(
            "single_limited",
            "Kun ét resultat, og det er af begrænset kvalitet",
            "Only one result, and it is of limited quality",
        ),
        Rule(
            "strong_three_high",
            "Overvægt, og mindst tre resultater af høj kvalitet i samme retning",
            "Preponderance, and at least three high-quality results in the same direction",
        ),
        Rule(
            "strong_review",
            "Overvægt, og et forskningsbaseret review i samme retning",
            "Preponderance, and a research-based review in the same direction",
        ),
        Rule(
            "moderate_two_high",
            "Overvægt, og to resultater af høj kvalitet i samme retning",
            "Preponderance, and two high-quality results in the same direction",
        ),
        Rule(
            "indication_one_high",
            "Overvægt, og ét resultat af høj kvalitet i samme retning",
            "Preponderance, and one high-quality result in the same direction",
        ),
        Rule(
            "indication_limited",
            "Overvægt, og flere resultater af begrænset kvalitet i samme retning",
            "Preponderance, and several limited-quality results in the same direction",
        ),
        Rule(
            "conflicting",
            "Resultater i forskellige retninger uden overvægt",
            "Results in different directions with no preponderance",
        ),
    )
}

LEVEL_BY_RULE = {
    "no_results": NO_KNOWLEDGE,
    "single_limited": NO_KNOWLEDGE,
    "strong_three_high": STRONG,
    "strong_review": STRONG,
    "moderate_two_high": MODERATE,
    "indication_one_high": INDICATION,
    "indication_limited": INDICATION,
    "conflicting": CONFLICTING,
}


@dataclasses.dataclass(frozen=True)
class DirectionCount:
    """H_d and L_d over all results, and how many of the considered results point this way."""

    direction: Direction
    high: int
    limited: int
    considered: int
    share: Fraction  # considered / all considered (0 when nothing is considered)


@dataclasses.dataclass(frozen=True)
class CountedResult:
    """One result as the rule saw it, and why it did or did not count."""

    id: str | int
    label: str
    direction: Direction
    quality: Quality
    is_review: bool
    considered: bool
    supports: bool  # considered and in the preponderant direction
    reason_da: str
    reason_en: str


@dataclasses.dataclass(frozen=True)
class CountTrace:
    counts: tuple[DirectionCount, ...]
    considered_basis: str  # "high_quality", "all" or "none"
    considered_total: int
    preponderance: Direction | None
    share: Fraction | None  # the preponderant direction's share of the considered results
    threshold: Fraction
    high_in_direction: int
    limited_in_direction: int
    review_in_direction: bool
    rule: Rule
    results: tuple[CountedResult, ...]


def evaluate(results: Sequence[ResultInput]) -> Verdict:
    """The level for one intervention category's graded results. See the module docstring."""
    results = check_results(results)
    high = [result for result in results if result.counts_as_high]
    considered = high or list(results)
    basis = "none" if not results else ("high_quality" if high else "all")

    counts = _direction_counts(results, considered)
    preponderance = _preponderant_direction(counts)
    in_direction = [r for r in considered if r.direction is preponderance]
    high_in_direction = sum(1 for r in in_direction if r.counts_as_high)
    limited_in_direction = len(in_direction) - high_in_direction
    review_in_direction = any(r.is_review for r in in_direction)

    rule_code = _rule(
        results=results,
        considered=considered,
        preponderance=preponderance,
        high_in_direction=high_in_direction,
        limited_in_direction=limited_in_direction,
        review_in_direction=review_in_direction,
    )
    rule = RULES[rule_code]
    level = LEVEL_BY_RULE[rule_code]
    share = next((c.share for c in counts if c.direction is preponderance), None)
    trace = CountTrace(
        counts=counts,
        considered_basis=basis,
        considered_total=len(considered),
        preponderance=preponderance,
        share=share,
        threshold=PREPONDERANCE_THRESHOLD,
        high_in_direction=high_in_direction,
        limited_in_direction=limited_in_direction,
        review_in_direction=review_in_direction,
        rule=rule,
        results=tuple(_counted(r, considered, preponderance, basis) for r in results),
    )
    return Verdict(
        framework=NAME,
        level=level,
        direction=preponderance,
        rule=rule,
        trace=trace,
        explanation_da=_explain(trace, level, "da"),
        explanation_en=_explain(trace, level, "en"),
    )


def _direction_counts(
    results: Sequence[ResultInput], considered: Sequence[ResultInput]
) -> tuple[DirectionCount, ...]:
    counts = []
    for direction in Direction:
        of_direction = [r for r in results if r.direction is direction]
        high = sum(1 for r in of_direction if r.counts_as_high)
        n_considered = sum(1 for r in considered if r.direction is direction)
        share = Fraction(n_considered, len(considered)) if considered else Fraction(0)
        counts.append(
            DirectionCount(
                direction=direction,
                high=high,
                limited=len(of_direction) - high,
                considered=n_considered,
                share=share,
            )
        )
    return tuple(counts)


def _preponderant_direction(counts: Sequence[DirectionCount]) -> Direction | None:
    for count in counts:
        if count.direction is Direction.MIXED or count.considered == 0:
            continue
        if count.share >= PREPONDERANCE_THRESHOLD:
            return count.direction
    return None


def _rule(
    *,
    results: Sequence[ResultInput],
    considered: Sequence[ResultInput],
    preponderance: Direction | None,
    high_in_direction: int,
    limited_in_direction: int,
    review_in_direction: bool,
) -> str:
    if not results:
        return "no_results"
    if preponderance is None:
        if len(considered) == 1 and not considered[0].counts_as_high:
            return "single_limited"
        return "conflicting"
    if high_in_direction >= 3:
        return "strong_three_high"
    if review_in_direction:
        return "strong_review"
    if high_in_direction == 2:
        return "moderate_two_high"
    if high_in_direction == 1:
        return "indication_one_high"
    if limited_in_direction >= 2:
        return "indication_limited"
    # A preponderance with H_d = 0 and L_d = 1 is only possible for a lone limited result.
    return "single_limited"


def _counted(
    result: ResultInput,
    considered: Sequence[ResultInput],
    preponderance: Direction | None,
    basis: str,
) -> CountedResult:
    is_considered = any(result is other for other in considered)
    supports = is_considered and result.direction is preponderance
    if result.is_review:
        quality_da = "forskningsbaseret review (tæller som høj kvalitet)"
        quality_en = "research-based review (counts as high quality)"
    elif result.quality is Quality.HIGH:
        quality_da, quality_en = "høj kvalitet", "high quality"
    else:
        quality_da, quality_en = "begrænset kvalitet", "limited quality"
    direction_da, direction_en = (label.lower() for label in DIRECTION_LABELS[result.direction])
    if not is_considered:
        reason_da = f"{quality_da}; ses bort fra, da der findes resultater af høj kvalitet"
        reason_en = f"{quality_en}; set aside because high-quality results exist"
    elif supports:
        reason_da = f"{quality_da}; indgår og peger i den fremherskende retning ({direction_da})"
        reason_en = f"{quality_en}; considered, and points in the preponderant direction"
        reason_en += f" ({direction_en})"
    elif preponderance is None:
        reason_da = f"{quality_da}; indgår ({direction_da}), ingen retning har overvægt"
        reason_en = f"{quality_en}; considered ({direction_en}), no direction has a preponderance"
    else:
        reason_da = f"{quality_da}; indgår, men peger en anden vej ({direction_da})"
        reason_en = f"{quality_en}; considered, but points another way ({direction_en})"
    return CountedResult(
        id=result.id,
        label=result.label,
        direction=result.direction,
        quality=result.quality,
        is_review=result.is_review,
        considered=is_considered,
        supports=supports,
        reason_da=reason_da,
        reason_en=reason_en,
    )


def _plural(n: int, language: str) -> str:
    if language == "da":
        return f"{n} resultat" if n == 1 else f"{n} resultater"
    return f"{n} result" if n == 1 else f"{n} results"


def _explain(trace: CountTrace, level: Level, language: str) -> str:
    """One paragraph of plain text saying what was counted and which rule fired."""
    da = language == "da"
    total = len(trace.results)
    if trace.considered_basis == "none":
        return (
            "Der er ingen resultater, så niveauet er Ingen viden."
            if da
            else "There are no results, so the level is Uncertain knowledge."
        )
    set_aside = total - trace.considered_total
    parts = [f"{_plural(total, language)} i alt." if da else f"{_plural(total, language)} in all."]
    if trace.considered_basis == "high_quality" and set_aside:
        kept = _plural(trace.considered_total, language)
        kept_verb = "is" if trace.considered_total == 1 else "are"
        aside_verb = "is" if set_aside == 1 else "are"
        parts.append(
            f"{kept} af høj kvalitet indgår; {set_aside} af begrænset kvalitet ses bort fra, "
            "fordi der findes resultater af høj kvalitet."
            if da
            else f"{kept} of high quality {kept_verb} considered; {set_aside} of limited quality "
            f"{aside_verb} set aside because high-quality results exist."
        )
    elif trace.considered_basis == "high_quality":
        if total == 1:
            parts.append("Det er af høj kvalitet." if da else "It is of high quality.")
        else:
            parts.append("Alle er af høj kvalitet." if da else "All are of high quality.")
    elif total == 1:
        parts.append("Det er af begrænset kvalitet." if da else "It is of limited quality.")
    else:
        parts.append(
            "Ingen er af høj kvalitet, så alle indgår."
            if da
            else "None is of high quality, so all are considered."
        )

    threshold = percent(trace.threshold, language)
    if trace.preponderance is not None:
        count = next(c for c in trace.counts if c.direction is trace.preponderance)
        name = DIRECTION_LABELS[trace.preponderance][0 if da else 1].lower()
        share = percent(count.share, language)
        parts.append(
            f'Retningen "{name}" omfatter {count.considered} af {trace.considered_total} '
            f"({share}) og når dermed tærsklen på {threshold}."
            if da
            else f'The direction "{name}" holds {count.considered} of {trace.considered_total} '
            f"({share}), reaching the {threshold} threshold."
        )
    elif trace.considered_total > 1:
        parts.append(
            f"Ingen retning når tærsklen på {threshold}."
            if da
            else f"No direction reaches the {threshold} threshold."
        )

    h, n_limited = trace.high_in_direction, trace.limited_in_direction
    label = level.label_da if da else level.label_en
    conclusion = {
        "single_limited": (
            f"Ét resultat af begrænset kvalitet er for lidt, så niveauet er {label}.",
            f"One limited-quality result is too little, so the level is {label}.",
        ),
        "strong_three_high": (
            f"{h} resultater af høj kvalitet peger samme vej, så niveauet er {label}.",
            f"{h} high-quality results point that way, so the level is {label}.",
        ),
        "strong_review": (
            f"Et forskningsbaseret review peger samme vej, så niveauet er {label}.",
            f"A research-based review points that way, so the level is {label}.",
        ),
        "moderate_two_high": (
            f"To resultater af høj kvalitet peger samme vej, så niveauet er {label}.",
            f"Two high-quality results point that way, so the level is {label}.",
        ),
        "indication_one_high": (
            f"Ét resultat af høj kvalitet peger samme vej, så niveauet er {label}.",
            f"One high-quality result points that way, so the level is {label}.",
        ),
        "indication_limited": (
            f"{n_limited} resultater af begrænset kvalitet peger samme vej, "
            f"så niveauet er {label}.",
            f"{n_limited} limited-quality results point that way, so the level is {label}.",
        ),
        "conflicting": (
            f"Resultaterne peger i forskellige retninger uden overvægt, så niveauet er {label}.",
            f"The results point in different directions with no preponderance, so the level "
            f"is {label}.",
        ),
    }[trace.rule.code]
    parts.append(conclusion[0 if da else 1])
    return " ".join(parts)


FRAMEWORK = Framework(
    name=NAME,
    label_da="Beskæftigelsesministeriets videnshierarki (optælling)",
    label_en="Danish knowledge hierarchy (count)",
    levels=LEVELS,
    evaluate=evaluate,
)
