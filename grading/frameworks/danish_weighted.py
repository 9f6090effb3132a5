"""The Danish hierarchy, weighted mode: the jobeffekter.dk algorithm (STANDARDS.md section 5.2).

Each result's *knowledge contribution* is the product of its weights:

| factor               | values                                                              |
| -------------------- | ------------------------------------------------------------------- |
| quality assessment   | good 1, satisfactory 0.5, not satisfactory 0.25                     |
| method               | randomised 1, econometric / statistical effect study 0.8           |
| geography            | Denmark 1 (other values were not retrieved: 1 is assumed)           |
| publication          | scientific journal 1, not published in a journal 0.5               |
| combination          | none 1, on target group or intervention 0.5, on both 0.25          |
| target group share   | main group 1, sub-group 0.5, main and sub-group 0.67 (to verify)    |

K is the sum of the contributions. K < 1 means "few studies" (Ingen viden). Otherwise a direction
needs at least 55 % of K. The site's worked example, satisfactory 0.5 x econometric 0.8 x
Denmark 1 x not in a journal 0.5 x no combination 1, gives 0.20.

The site's evidence-level thresholds (its steps 4-6) were not retrieved. The mapping to the
hierarchy follows STANDARDS.md's recommendation and lives in `WeightedSettings`, so it can change
without code changes: K_d >= 3 or a review in d is Stærk, K_d >= 2 Moderat, otherwise (with a
preponderance and K >= 1) Indikation, also when K_d < 1, which is the weighted analogue of
"several limited-quality studies"; no preponderance is Modstridende viden.

Decisions: quasi-randomised designs weigh as econometric (not true randomisation); a research-
based review weighs 1 for method and is otherwise weighed like any result, and the review rule
applies only once K >= 1; "mixed" results add to K but can never be the preponderant direction;
a missing quality assessment is derived from the high/limited judgement (high -> good,
limited -> satisfactory), and the trace says so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from decimal import Decimal

from grading.frameworks.base import (
    DIRECTION_LABELS,
    RANDOMISED_DESIGNS,
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
    check_results,
    percent,
)
from grading.frameworks.danish_count import (
    CONFLICTING,
    INDICATION,
    LEVELS,
    MODERATE,
    NO_KNOWLEDGE,
    STRONG,
)

NAME = "danish_weighted"


def _decimals(values: Mapping) -> dict:
    return {key: Decimal(value) for key, value in values.items()}


@dataclasses.dataclass(frozen=True)
class WeightedSettings:
    """The weights and thresholds of the weighted mode; the defaults are jobeffekter.dk's."""

    quality: Mapping[QualityAssessment, Decimal] = dataclasses.field(
        default_factory=lambda: _decimals(
            {
                QualityAssessment.GOOD: "1",
                QualityAssessment.SATISFACTORY: "0.5",
                QualityAssessment.NOT_SATISFACTORY: "0.25",
            }
        )
    )
    randomised: Decimal = Decimal("1")
    econometric: Decimal = Decimal("0.8")
    review: Decimal = Decimal("1")
    geography: Mapping[str, Decimal] = dataclasses.field(
        default_factory=lambda: _decimals({"DK": "1"})
    )
    geography_default: Decimal = Decimal("1")
    journal: Decimal = Decimal("1")
    not_in_journal: Decimal = Decimal("0.5")
    combination: Mapping[Combination, Decimal] = dataclasses.field(
        default_factory=lambda: _decimals(
            {Combination.NONE: "1", Combination.ONE: "0.5", Combination.BOTH: "0.25"}
        )
    )
    target_share: Mapping[TargetShare, Decimal] = dataclasses.field(
        default_factory=lambda: _decimals(
            {
                TargetShare.MAIN: "1",
                TargetShare.SUBGROUP: "0.5",
                TargetShare.MAIN_AND_SUBGROUP: "0.67",
            }
        )
    )
    threshold: Decimal = Decimal("0.55")
    few_studies_below: Decimal = Decimal("1")
    strong_at: Decimal = Decimal("3")
    moderate_at: Decimal = Decimal("2")


DEFAULT_SETTINGS = WeightedSettings()

RULES = {
    rule.code: rule
    for rule in (
        Rule("no_results", "Ingen resultater", "No results"),
        Rule(
            "few_studies",
            "Den samlede vidensmængde er under 1 (få studier)",
            "The total knowledge weight is below 1 (few studies)",
        ),
        Rule(
            "strong_weight",
            "Overvægt, og vidensmængden i retningen er mindst 3",
            "Preponderance, and the weight in that direction is at least 3",
        ),
        Rule(
            "strong_review",
            "Overvægt, og et forskningsbaseret review i samme retning",
            "Preponderance, and a research-based review in the same direction",
        ),
        Rule(
            "moderate_weight",
            "Overvægt, og vidensmængden i retningen er mindst 2",
            "Preponderance, and the weight in that direction is at least 2",
        ),
        Rule(
            "indication_weight",
            "Overvægt (mindst 55 % af vidensmængden) i samme retning",
            "Preponderance (at least 55 % of the weight) in one direction",
        ),
        Rule(
            "conflicting",
            "Ingen retning har 55 % af vidensmængden",
            "No direction holds 55 % of the weight",
        ),
    )
}

LEVEL_BY_RULE = {
    "no_results": NO_KNOWLEDGE,
    "few_studies": NO_KNOWLEDGE,
    "strong_weight": STRONG,
    "strong_review": STRONG,
    "moderate_weight": MODERATE,
    "indication_weight": INDICATION,
    "conflicting": CONFLICTING,
}

# The conclusions jobeffekter.dk itself shows, kept beside the hierarchy level.
SITE_CONCLUSIONS = {
    "positive": ("Positiv", "Positive"),
    "negative": ("Negativ", "Negative"),
    "no_effect": ("Ingen", "None"),
    "few_studies": ("Få studier", "Few studies"),
    "conflicting": ("Modstridende", "Conflicting"),
}


@dataclasses.dataclass(frozen=True)
class Factor:
    name: str  # quality, method, geography, publication, combination, target_share
    value: Decimal
    basis: str  # what the value was read from, e.g. "satisfactory (derived from limited)"


@dataclasses.dataclass(frozen=True)
class WeightedResult:
    id: str | int
    label: str
    direction: Direction
    is_review: bool
    factors: tuple[Factor, ...]
    weight: Decimal
    supports: bool


@dataclasses.dataclass(frozen=True)
class DirectionWeight:
    direction: Direction
    weight: Decimal
    share: Decimal  # of the total weight (0 when the total is 0)


@dataclasses.dataclass(frozen=True)
class WeightedTrace:
    total_weight: Decimal
    weights: tuple[DirectionWeight, ...]
    few_studies: bool
    preponderance: Direction | None
    share: Decimal | None
    threshold: Decimal
    review_in_direction: bool
    site_conclusion: str
    rule: Rule
    results: tuple[WeightedResult, ...]


def result_factors(
    result: ResultInput, settings: WeightedSettings = DEFAULT_SETTINGS
) -> tuple[Factor, ...]:
    """The weights of one result, each with what it was read from."""
    if result.quality_assessment is None:
        assessment = (
            QualityAssessment.GOOD
            if result.quality is Quality.HIGH
            else QualityAssessment.SATISFACTORY
        )
        quality_basis = f"{assessment.value} (derived from {result.quality.value} quality)"
    else:
        assessment = result.quality_assessment
        quality_basis = assessment.value
    if result.is_review or result.design is Design.REVIEW:
        method, method_basis = settings.review, "research-based review"
    elif result.design in RANDOMISED_DESIGNS:
        method, method_basis = settings.randomised, f"randomised ({result.design.value})"
    else:
        method, method_basis = settings.econometric, f"econometric ({result.design.value})"
    country = result.country.upper()
    if country in settings.geography:
        geography, geography_basis = settings.geography[country], country
    else:
        geography = settings.geography_default
        geography_basis = f"{country or 'unknown'} (no value for this country; default)"
    return (
        Factor("quality", settings.quality[assessment], quality_basis),
        Factor("method", method, method_basis),
        Factor("geography", geography, geography_basis),
        Factor(
            "publication",
            settings.journal if result.peer_reviewed else settings.not_in_journal,
            "journal" if result.peer_reviewed else "not published in a journal",
        ),
        Factor("combination", settings.combination[result.combination], result.combination.value),
        Factor(
            "target_share", settings.target_share[result.target_share], result.target_share.value
        ),
    )


def result_weight(result: ResultInput, settings: WeightedSettings = DEFAULT_SETTINGS) -> Decimal:
    """A result's knowledge contribution: the product of its weights."""
    weight = Decimal("1")
    for factor in result_factors(result, settings):
        weight *= factor.value
    return weight


def evaluate(
    results: Sequence[ResultInput], *, settings: WeightedSettings = DEFAULT_SETTINGS
) -> Verdict:
    """The level for one category's results under the weighted mode. See the module docstring."""
    results = check_results(results)
    factors = {result.id: result_factors(result, settings) for result in results}
    weights = {result.id: result_weight(result, settings) for result in results}
    total = sum(weights.values(), Decimal("0"))

    by_direction = []
    for direction in Direction:
        weight = sum((weights[r.id] for r in results if r.direction is direction), Decimal("0"))
        by_direction.append(
            DirectionWeight(direction, weight, weight / total if total else Decimal("0"))
        )
    few_studies = total < settings.few_studies_below
    preponderance = None
    if not few_studies:
        # At most one direction can reach a threshold above one half. Compared as a product,
        # not a quotient, so the 55 % boundary is exact.
        preponderance = next(
            (
                entry.direction
                for entry in by_direction
                if entry.direction is not Direction.MIXED
                and entry.weight > 0
                and entry.weight >= settings.threshold * total
            ),
            None,
        )
    weight_in_direction = next(
        (entry.weight for entry in by_direction if entry.direction is preponderance), Decimal("0")
    )
    review_in_direction = preponderance is not None and any(
        r.is_review and r.direction is preponderance for r in results
    )

    if not results:
        rule_code = "no_results"
    elif few_studies:
        rule_code = "few_studies"
    elif preponderance is None:
        rule_code = "conflicting"
    elif weight_in_direction >= settings.strong_at:
        rule_code = "strong_weight"
    elif review_in_direction:
        rule_code = "strong_review"
    elif weight_in_direction >= settings.moderate_at:
        rule_code = "moderate_weight"
    else:
        rule_code = "indication_weight"

    if not results or few_studies:
        site_conclusion = "few_studies"
    elif preponderance is None:
        site_conclusion = "conflicting"
    else:
        site_conclusion = preponderance.value

    rule = RULES[rule_code]
    level = LEVEL_BY_RULE[rule_code]
    trace = WeightedTrace(
        total_weight=total,
        weights=tuple(by_direction),
        few_studies=few_studies,
        preponderance=preponderance,
        share=weight_in_direction / total if preponderance else None,
        threshold=settings.threshold,
        review_in_direction=review_in_direction,
        site_conclusion=site_conclusion,
        rule=rule,
        results=tuple(
            WeightedResult(
                id=r.id,
                label=r.label,
                direction=r.direction,
                is_review=r.is_review,
                factors=factors[r.id],
                weight=weights[r.id],
                supports=preponderance is not None and r.direction is preponderance,
            )
            for r in results
        ),
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


def _number(value: Decimal, language: str) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if language == "da" else text


def _explain(trace: WeightedTrace, level: Level, language: str) -> str:
    da = language == "da"
    label = level.label_da if da else level.label_en
    n = len(trace.results)
    if not n:
        return (
            f"Der er ingen resultater, så niveauet er {label}."
            if da
            else f"There are no results, so the level is {label}."
        )
    total = _number(trace.total_weight, language)
    if da:
        counted = "1 resultat giver" if n == 1 else f"{n} resultater giver"
        parts = [f"{counted} en samlet vidensmængde på {total}."]
    else:
        counted = "1 result gives" if n == 1 else f"{n} results give"
        parts = [f"{counted} a total knowledge weight of {total}."]
    if trace.few_studies:
        parts.append(
            f"Det er under 1 (få studier), så niveauet er {label}."
            if da
            else f"That is below 1 (few studies), so the level is {label}."
        )
        return " ".join(parts)
    threshold = percent(trace.threshold, language)
    if trace.preponderance is None:
        parts.append(
            f"Ingen retning har {threshold} af vidensmængden, så niveauet er {label}."
            if da
            else f"No direction holds {threshold} of the weight, so the level is {label}."
        )
        return " ".join(parts)
    entry = next(e for e in trace.weights if e.direction is trace.preponderance)
    name = DIRECTION_LABELS[trace.preponderance][0 if da else 1].lower()
    weight, share = _number(entry.weight, language), percent(entry.share, language)
    parts.append(
        f'Retningen "{name}" har {weight} ({share}), hvilket når tærsklen på {threshold}.'
        if da
        else f'The direction "{name}" holds {weight} ({share}), reaching the {threshold} threshold.'
    )
    if trace.rule.code == "strong_review":
        parts.append(
            f"Et forskningsbaseret review peger samme vej, så niveauet er {label}."
            if da
            else f"A research-based review points that way, so the level is {label}."
        )
    else:
        parts.append(f"Niveauet er derfor {label}." if da else f"The level is therefore {label}.")
    return " ".join(parts)


FRAMEWORK = Framework(
    name=NAME,
    label_da="Beskæftigelsesministeriets videnshierarki (vægtet, jobeffekter.dk)",
    label_en="Danish knowledge hierarchy (weighted, jobeffekter.dk)",
    levels=LEVELS,
    evaluate=evaluate,
)
