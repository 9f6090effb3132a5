"""GRADE certainty of evidence for one outcome, and Summary-of-Findings rows (STANDARDS.md 2).

    start     = high (4) for randomised evidence, or for non-randomised evidence rated with
                ROBINS-I; low (2) for other observational evidence
    down      = risk of bias + inconsistency + indirectness + imprecision + publication bias
                (each 0, 1 serious, 2 very serious; imprecision also 3, "extremely serious")
    up        = large effect (0-2) + dose-response (0-1) + plausible confounding (0-1)
    certainty = clamp(start - down + up, 1, 4): very low, low, moderate, high

The domain judgements are the reviewers'; this module adds them up and keeps the trace.
GRADE calls the result a judgement, not a sum, so the application lets a reviewer override the
level with a reason (outside this module).

Decisions: the starting evidence is randomised when every result's design is randomised
(individual or cluster) unless the assessment says otherwise; a body that mixes designs starts
as observational, and reviewers who want otherwise should split the outcome or set `evidence`.
Rating up randomised evidence is refused unless `allow_upgrade_randomised` is set (GRADE has
"yet to find a compelling case"). Rating up alongside a downgrade, and a non-zero domain
without an explanation, are allowed but reported as warnings in the trace: GRADE advises
against the first and requires a footnote for the second. An outcome with no results is
"no studies".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from grading.frameworks.base import (
    RANDOMISED_DESIGNS,
    Design,
    Framework,
    Level,
    ResultInput,
    Rule,
    Verdict,
    check_results,
)

NAME = "grade"

HIGH = Level("high", "Høj", "High", rank=4)
MODERATE = Level("moderate", "Moderat", "Moderate", rank=3)
LOW = Level("low", "Lav", "Low", rank=2)
VERY_LOW = Level("very_low", "Meget lav", "Very low", rank=1)
NO_STUDIES = Level("no_studies", "Ingen studier", "No studies", rank=0)
LEVELS = (HIGH, MODERATE, LOW, VERY_LOW, NO_STUDIES)
LEVEL_BY_SCORE = {4: HIGH, 3: MODERATE, 2: LOW, 1: VERY_LOW}
SYMBOLS = {"high": "⊕⊕⊕⊕", "moderate": "⊕⊕⊕◯", "low": "⊕⊕◯◯", "very_low": "⊕◯◯◯", "no_studies": ""}

RANDOMISED = "randomised"
OBSERVATIONAL = "observational"


@dataclasses.dataclass(frozen=True)
class GradeDomain:
    """A GRADE domain: its id, labels and the largest step it may take."""

    id: str
    label_da: str
    label_en: str
    maximum: int
    rates_up: bool


DOMAINS = (
    GradeDomain("risk_of_bias", "Risiko for bias", "Risk of bias", 2, rates_up=False),
    GradeDomain("inconsistency", "Inkonsistens", "Inconsistency", 2, rates_up=False),
    GradeDomain("indirectness", "Indirekthed", "Indirectness", 2, rates_up=False),
    GradeDomain("imprecision", "Unøjagtighed", "Imprecision", 3, rates_up=False),
    GradeDomain("publication_bias", "Publikationsbias", "Publication bias", 2, rates_up=False),
    GradeDomain("large_effect", "Stor effekt", "Large effect", 2, rates_up=True),
    GradeDomain("dose_response", "Dosis-respons", "Dose-response gradient", 1, rates_up=True),
    GradeDomain(
        "plausible_confounding",
        "Plausibel confounding",
        "All plausible confounding would reduce the effect",
        1,
        rates_up=True,
    ),
)


@dataclasses.dataclass(frozen=True)
class GradeAssessment:
    """The reviewers' judgements for one outcome. Each domain is the number of steps it moves."""

    risk_of_bias: int = 0
    inconsistency: int = 0
    indirectness: int = 0
    imprecision: int = 0
    publication_bias: int = 0
    large_effect: int = 0
    dose_response: int = 0
    plausible_confounding: int = 0
    # "randomised" or "observational"; None means: randomised when every result is.
    evidence: str | None = None
    # Non-randomised evidence whose risk of bias was rated with ROBINS-I starts high.
    robins_i: bool = False
    allow_upgrade_randomised: bool = False
    # Domain id -> the explanation that becomes the SoF footnote.
    footnotes: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        for domain in DOMAINS:
            steps = getattr(self, domain.id)
            if not isinstance(steps, int) or not 0 <= steps <= domain.maximum:
                raise ValueError(f"{domain.id} must be an integer from 0 to {domain.maximum}")
        if self.evidence not in (None, RANDOMISED, OBSERVATIONAL):
            raise ValueError(f"evidence must be {RANDOMISED!r} or {OBSERVATIONAL!r}")
        unknown = set(self.footnotes) - {domain.id for domain in DOMAINS}
        if unknown:
            raise ValueError(f"footnotes for unknown domains: {sorted(unknown)}")


@dataclasses.dataclass(frozen=True)
class DomainRating:
    domain: str
    label_da: str
    label_en: str
    change: int  # negative when rated down
    footnote: str


@dataclasses.dataclass(frozen=True)
class GradeStudy:
    id: str | int
    label: str
    design: Design
    randomised: bool


@dataclasses.dataclass(frozen=True)
class GradeTrace:
    evidence: str  # randomised or observational
    start: Level
    start_reason_da: str
    start_reason_en: str
    ratings: tuple[DomainRating, ...]  # the non-zero domains, in GRADE's order
    down: int
    up: int
    score: int  # before clamping to 1..4
    rule: Rule
    studies: tuple[GradeStudy, ...]
    warnings: tuple[str, ...]


def evaluate(
    results: Sequence[ResultInput], *, assessment: GradeAssessment | None = None
) -> Verdict:
    """The GRADE certainty of one outcome's body of evidence. See the module docstring."""
    results = check_results(results)
    assessment = assessment or GradeAssessment()
    studies = tuple(
        GradeStudy(r.id, r.label, r.design, r.design in RANDOMISED_DESIGNS) for r in results
    )
    if assessment.evidence is not None:
        evidence = assessment.evidence
    elif studies and all(study.randomised for study in studies):
        evidence = RANDOMISED
    else:
        evidence = OBSERVATIONAL

    if evidence == RANDOMISED:
        start = HIGH
        reason_da, reason_en = "randomiserede forsøg starter højt", "randomised trials start high"
    elif assessment.robins_i:
        start = HIGH
        reason_da = "ikke-randomiserede studier vurderet med ROBINS-I starter højt"
        reason_en = "non-randomised studies rated with ROBINS-I start high"
    else:
        start = LOW
        reason_da = "observationelle studier starter lavt"
        reason_en = "observational studies start low"

    down = sum(getattr(assessment, d.id) for d in DOMAINS if not d.rates_up)
    up = sum(getattr(assessment, d.id) for d in DOMAINS if d.rates_up)
    if up and evidence == RANDOMISED and not assessment.allow_upgrade_randomised:
        raise ValueError(
            "GRADE rates up non-randomised evidence only; set allow_upgrade_randomised to insist"
        )

    ratings = tuple(
        DomainRating(
            domain=d.id,
            label_da=d.label_da,
            label_en=d.label_en,
            change=getattr(assessment, d.id) * (1 if d.rates_up else -1),
            footnote=assessment.footnotes.get(d.id, ""),
        )
        for d in DOMAINS
        if getattr(assessment, d.id)
    )
    warnings = [f"missing_footnote:{r.domain}" for r in ratings if not r.footnote.strip()]
    if up and down:
        warnings.append("upgrade_with_downgrade")

    score = start.rank - down + up
    level = LEVEL_BY_SCORE[min(4, max(1, score))] if results else NO_STUDIES
    rule = Rule(
        "grade_sum" if results else "no_studies",
        f"Start {start.label_da.lower()} ({start.rank}), -{down} ned, +{up} op",
        f"Start {start.label_en.lower()} ({start.rank}), -{down} down, +{up} up",
    )
    trace = GradeTrace(
        evidence=evidence,
        start=start,
        start_reason_da=reason_da,
        start_reason_en=reason_en,
        ratings=ratings,
        down=down,
        up=up,
        score=score,
        rule=rule,
        studies=studies,
        warnings=tuple(warnings),
    )
    return Verdict(
        framework=NAME,
        level=level,
        direction=None,
        rule=rule,
        trace=trace,
        explanation_da=_explain(trace, level, "da"),
        explanation_en=_explain(trace, level, "en"),
    )


def _explain(trace: GradeTrace, level: Level, language: str) -> str:
    da = language == "da"
    n = len(trace.studies)
    if not n:
        return (
            "Der er ingen studier for dette udfald."
            if da
            else "There are no studies for this outcome."
        )
    start = trace.start.label_da if da else trace.start.label_en
    reason = trace.start_reason_da if da else trace.start_reason_en
    parts = [
        f"{n} {'studie' if n == 1 else 'studier'}; {reason}: startniveau {start.lower()}."
        if da
        else f"{n} {'study' if n == 1 else 'studies'}; {reason}: starting level {start.lower()}."
    ]
    for rating in trace.ratings:
        label = rating.label_da if da else rating.label_en
        if rating.change < 0:
            step = (
                f"Nedgraderet {-rating.change} for {label.lower()}"
                if da
                else f"Rated down {-rating.change} for {label.lower()}"
            )
        else:
            step = (
                f"Opgraderet {rating.change} for {label.lower()}"
                if da
                else f"Rated up {rating.change} for {label.lower()}"
            )
        parts.append(f"{step}: {rating.footnote}." if rating.footnote else f"{step}.")
    if not trace.ratings:
        parts.append(
            "Ingen domæner giver anledning til op- eller nedgradering."
            if da
            else "No domain gives reason to rate down or up."
        )
    label = level.label_da if da else level.label_en
    parts.append(
        f"Evidensens sikkerhed er {label.lower()}."
        if da
        else f"The certainty of the evidence is {label.lower()}."
    )
    return " ".join(parts)


SOF_COLUMNS = (
    ("outcome", "Udfald", "Outcomes"),
    ("risk_with_comparison", "Risiko med sammenligning", "Risk with comparison"),
    ("risk_with_intervention", "Risiko med indsats", "Risk with intervention"),
    ("relative_effect", "Relativ effekt (95 % CI)", "Relative effect (95% CI)"),
    ("participants", "Antal deltagere (studier)", "№ of participants (studies)"),
    ("certainty", "Evidensens sikkerhed (GRADE)", "Certainty of the evidence (GRADE)"),
    ("comments", "Kommentarer", "Comments"),
)


@dataclasses.dataclass(frozen=True)
class SofRow:
    """One row of a Summary-of-Findings table (Cochrane's six elements)."""

    outcome: str
    risk_with_comparison: str
    risk_with_intervention: str
    relative_effect: str
    participants: int | None
    studies: int
    certainty: Level
    footnotes: tuple[str, ...]  # explanations of the rated domains, in GRADE's order
    comments: str

    def cells(self, language: str = "en", letters: Sequence[str] = ()) -> tuple[str, ...]:
        """The row's cell texts in `SOF_COLUMNS` order; `letters` mark this row's footnotes."""
        da = language == "da"
        participants = "-" if self.participants is None else f"{self.participants:,}"
        if da:
            participants = participants.replace(",", ".")
        certainty = self.certainty.label_da if da else self.certainty.label_en
        certainty = f"{SYMBOLS[self.certainty.code]} {certainty}".strip()
        if letters:
            certainty += " " + ",".join(letters)
        return (
            self.outcome,
            self.risk_with_comparison,
            self.risk_with_intervention,
            self.relative_effect,
            f"{participants} ({self.studies})",
            certainty,
            self.comments,
        )


def sof_row(
    *,
    outcome: str,
    verdict: Verdict,
    participants: int | None = None,
    relative_effect: str = "",
    risk_with_comparison: str = "",
    risk_with_intervention: str = "",
    comments: str = "",
) -> SofRow:
    """A Summary-of-Findings row from a GRADE verdict and the outcome's effect figures."""
    if verdict.framework != NAME:
        raise ValueError(f"a Summary-of-Findings row needs a GRADE verdict: {verdict.framework}")
    trace: GradeTrace = verdict.trace
    return SofRow(
        outcome=outcome,
        risk_with_comparison=risk_with_comparison,
        risk_with_intervention=risk_with_intervention,
        relative_effect=relative_effect,
        participants=participants,
        studies=len(trace.studies),
        certainty=verdict.level,
        footnotes=tuple(r.footnote for r in trace.ratings if r.footnote.strip()),
        comments=comments,
    )


def sof_table(
    rows: Sequence[SofRow], language: str = "en"
) -> tuple[tuple[str, ...], list[tuple[str, ...]], list[tuple[str, str]]]:
    """Header, cell rows and lettered footnotes; letters run a, b, c ... down the table."""
    header = tuple(da if language == "da" else en for _, da, en in SOF_COLUMNS)
    body, footnotes = [], []
    for row in rows:
        letters = []
        for text in row.footnotes:
            letter = _letter(len(footnotes))
            footnotes.append((letter, text))
            letters.append(letter)
        body.append(row.cells(language, letters))
    return header, body, footnotes


def _letter(index: int) -> str:
    """a ... z, then aa, ab ...: enough letters for any table."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("a") + remainder) + letters
    return letters


FRAMEWORK = Framework(
    name=NAME,
    label_da="GRADE (evidensens sikkerhed)",
    label_en="GRADE (certainty of evidence)",
    levels=LEVELS,
    evaluate=evaluate,
)
