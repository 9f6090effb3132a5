"""ROBINS-I (2016) for non-randomised studies of interventions, as data and pure functions.

Seven domains with 34 signalling questions; judgements Low / Moderate / Serious / Critical /
No information. The overall algorithm is the tool's ("most severe domain"). ROBINS-I 2016 has
**no** algorithm from signalling questions to domain judgements: those are the reviewers'. The
domain proposals below are therefore this application's own, read from the tool's judgement
criteria (Sterne et al. BMJ 2016;355:i4919, table 4 and the guidance), and deliberately
conservative. Each returns the path that fired so the reviewer sees why. They never propose
Critical except where the criteria make it mechanical (domain 6: outcome assessment not
comparable across groups); other Critical judgements are the reviewer's. Throughout, an NI
answer on a path that has found no problem gives "No information".

The version is stored with every assessment (`TOOL_VERSION`) because ROBINS-I V2 differs in
more than order (answers, domains, algorithms), so that V2 can follow as another module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from enum import StrEnum

from grading.rob.base import (
    NI,
    NO,
    YES,
    YES_NI,
    Answer,
    Answers,
    DomainProposal,
    RobDomain,
    run_algorithm,
    settle_answers,
)
from grading.rob.base import SignallingQuestion as Q

TOOL = "ROBINS-I"
TOOL_VERSION = "ROBINS-I (2016)"


class Effect(StrEnum):
    ASSIGNMENT = "assignment"  # effect of assignment to the intervention (domain 4: 4.1-4.2)
    ADHERING = "adhering"  # effect of starting and adhering (domain 4: 4.3-4.6)


class Judgement(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    SERIOUS = "serious"
    CRITICAL = "critical"
    NO_INFORMATION = "no_information"


JUDGEMENT_LABELS: dict[Judgement, tuple[str, str]] = {
    Judgement.LOW: ("Lav", "Low"),
    Judgement.MODERATE: ("Moderat", "Moderate"),
    Judgement.SERIOUS: ("Alvorlig", "Serious"),
    Judgement.CRITICAL: ("Kritisk", "Critical"),
    Judgement.NO_INFORMATION: ("Ingen information", "No information"),
}

LOW, MODERATE, SERIOUS = Judgement.LOW, Judgement.MODERATE, Judgement.SERIOUS
CRITICAL, NO_INFORMATION = Judgement.CRITICAL, Judgement.NO_INFORMATION

DOMAINS = (
    RobDomain(
        "D1",
        "Bias på grund af confounding",
        "Bias due to confounding",
        (
            Q(
                "1.1",
                "Er der mulighed for confounding af indsatsens effekt?",
                "Is there potential for confounding of the effect of intervention in this study?",
            ),
            Q(
                "1.2",
                "Blev opfølgningstiden delt efter den indsats, deltagerne modtog?",
                "Was the analysis based on splitting participants' follow up time according to "
                "intervention received?",
                condition="if Y/PY/NI to 1.1",
                asked_if=((("1.1", YES_NI),),),
            ),
            Q(
                "1.3",
                "Hang afbrud eller skift af indsats sammen med prognostiske faktorer?",
                "Were intervention discontinuations or switches likely to be related to factors "
                "that are prognostic for the outcome?",
                condition="if Y/PY to 1.2",
                asked_if=((("1.2", YES),),),
            ),
            Q(
                "1.4",
                "Kontrollerede analysen for alle vigtige confounding-domæner?",
                "Did the authors use an appropriate analysis method that controlled for all the "
                "important confounding domains?",
                condition="if Y/PY/NI to 1.1",
                asked_if=((("1.1", YES_NI),),),
            ),
            Q(
                "1.5",
                "Var de kontrollerede confoundere målt validt og pålideligt?",
                "Were confounding domains that were controlled for measured validly and reliably "
                "by the variables available in this study?",
                condition="if Y/PY to 1.4",
                asked_if=((("1.4", YES),),),
            ),
            Q(
                "1.6",
                "Kontrollerede analysen for variable målt efter indsatsen, som den kan påvirke?",
                "Did the authors control for any post-intervention variables that could have "
                "been affected by the intervention?",
                condition="if Y/PY/NI to 1.1",
                asked_if=((("1.1", YES_NI),),),
            ),
            Q(
                "1.7",
                "Justerede analysen for alle vigtige confoundere, også tidsvarierende?",
                "Did the authors use an appropriate analysis method that adjusted for all the "
                "important confounding domains and for time-varying confounding?",
                condition="if Y/PY to 1.3",
                asked_if=((("1.3", YES),),),
            ),
            Q(
                "1.8",
                "Var de justerede confoundere målt validt og pålideligt?",
                "Were confounding domains that were adjusted for measured validly and reliably "
                "by the variables available in this study?",
                condition="if Y/PY to 1.7",
                asked_if=((("1.7", YES),),),
            ),
        ),
    ),
    RobDomain(
        "D2",
        "Bias i udvælgelsen af deltagere til studiet",
        "Bias in selection of participants into the study",
        (
            Q(
                "2.1",
                "Blev deltagere udvalgt på grundlag af forhold observeret efter indsatsens start?",
                "Was selection of participants into the study (or into the analysis) based on "
                "participant characteristics observed after the start of intervention?",
            ),
            Q(
                "2.2",
                "Hang disse forhold sammen med indsatsen?",
                "Were the post-intervention variables that influenced selection likely to be "
                "associated with intervention?",
                condition="if Y/PY to 2.1",
                asked_if=((("2.1", YES),),),
            ),
            Q(
                "2.3",
                "Var de påvirket af udfaldet eller en årsag til udfaldet?",
                "Were the post-intervention variables that influenced selection likely to be "
                "influenced by the outcome or a cause of the outcome?",
                condition="if Y/PY to 2.2",
                asked_if=((("2.2", YES),),),
            ),
            Q(
                "2.4",
                "Falder start på opfølgning og start på indsats sammen for de fleste?",
                "Do start of follow-up and start of intervention coincide for most participants?",
            ),
            Q(
                "2.5",
                "Blev der brugt justeringsteknikker, der korrigerer for selektionen?",
                "Were adjustment techniques used that are likely to correct for the presence of "
                "selection biases?",
                condition="if Y/PY to 2.2 and 2.3, or N/PN to 2.4",
                asked_if=((("2.2", YES), ("2.3", YES)), (("2.4", NO),)),
            ),
        ),
    ),
    RobDomain(
        "D3",
        "Bias i klassifikationen af indsatser",
        "Bias in classification of interventions",
        (
            Q(
                "3.1",
                "Var indsatsgrupperne klart defineret?",
                "Were intervention groups clearly defined?",
            ),
            Q(
                "3.2",
                "Blev oplysningerne om gruppe registreret ved indsatsens start?",
                "Was the information used to define intervention groups recorded at the start "
                "of the intervention?",
            ),
            Q(
                "3.3",
                "Kunne klassifikationen være påvirket af kendskab til udfaldet?",
                "Could classification of intervention status have been affected by knowledge of "
                "the outcome or risk of the outcome?",
            ),
        ),
    ),
    RobDomain(
        "D4",
        "Bias på grund af afvigelser fra de tilsigtede indsatser",
        "Bias due to deviations from intended interventions",
        (
            Q(
                "4.1",
                "Var der afvigelser fra indsatsen ud over det, der er normalt i praksis?",
                "Were there deviations from the intended intervention beyond what would be "
                "expected in usual practice?",
                condition="if the effect of interest is assignment",
            ),
            Q(
                "4.2",
                "Var afvigelserne ubalancerede og sandsynligvis af betydning for udfaldet?",
                "Were these deviations from intended intervention unbalanced between groups "
                "and likely to have affected the outcome?",
                condition="if Y/PY to 4.1",
                asked_if=((("4.1", YES),),),
            ),
            Q(
                "4.3",
                "Var vigtige samtidige indsatser balancerede mellem grupperne?",
                "Were important co-interventions balanced across intervention groups?",
                condition="if the effect of interest is starting and adhering",
            ),
            Q(
                "4.4",
                "Blev indsatsen gennemført som planlagt for de fleste deltagere?",
                "Was the intervention implemented successfully for most participants?",
                condition="if the effect of interest is starting and adhering",
            ),
            Q(
                "4.5",
                "Fulgte deltagerne den tildelte indsats?",
                "Did study participants adhere to the assigned intervention regimen?",
                condition="if the effect of interest is starting and adhering",
            ),
            Q(
                "4.6",
                "Blev der brugt en passende analyse af effekten af at starte og følge indsatsen?",
                "Was an appropriate analysis used to estimate the effect of starting and "
                "adhering to the intervention?",
                condition="if N/PN to 4.3, 4.4 or 4.5",
                asked_if=((("4.3", NO),), (("4.4", NO),), (("4.5", NO),)),
            ),
        ),
    ),
    RobDomain(
        "D5",
        "Bias på grund af manglende data",
        "Bias due to missing data",
        (
            Q(
                "5.1",
                "Var der udfaldsdata for alle eller næsten alle deltagere?",
                "Were outcome data available for all, or nearly all, participants?",
            ),
            Q(
                "5.2",
                "Blev deltagere udelukket på grund af manglende data om indsats?",
                "Were participants excluded due to missing data on intervention status?",
            ),
            Q(
                "5.3",
                "Blev deltagere udelukket på grund af manglende data om andre variable?",
                "Were participants excluded due to missing data on other variables needed for "
                "the analysis?",
            ),
            Q(
                "5.4",
                "Var andelen og årsagerne til manglende data ens på tværs af indsatser?",
                "Are the proportion of participants and reasons for missing data similar across "
                "interventions?",
                condition="if N/PN to 5.1, or Y/PY to 5.2 or 5.3",
                asked_if=((("5.1", NO),), (("5.2", YES),), (("5.3", YES),)),
            ),
            Q(
                "5.5",
                "Er der belæg for, at resultaterne er robuste over for manglende data?",
                "Is there evidence that results were robust to the presence of missing data?",
                condition="if N/PN to 5.1, or Y/PY to 5.2 or 5.3",
                asked_if=((("5.1", NO),), (("5.2", YES),), (("5.3", YES),)),
            ),
        ),
    ),
    RobDomain(
        "D6",
        "Bias i målingen af udfald",
        "Bias in measurement of outcomes",
        (
            Q(
                "6.1",
                "Kunne udfaldsmålet være påvirket af kendskab til den modtagne indsats?",
                "Could the outcome measure have been influenced by knowledge of the "
                "intervention received?",
            ),
            Q(
                "6.2",
                "Kendte de, der vurderede udfaldet, deltagernes indsats?",
                "Were outcome assessors aware of the intervention received by study participants?",
            ),
            Q(
                "6.3",
                "Var metoderne til at vurdere udfaldet sammenlignelige på tværs af grupperne?",
                "Were the methods of outcome assessment comparable across intervention groups?",
            ),
            Q(
                "6.4",
                "Hang systematiske målefejl sammen med den modtagne indsats?",
                "Were any systematic errors in measurement of the outcome related to "
                "intervention received?",
            ),
        ),
    ),
    RobDomain(
        "D7",
        "Bias i udvælgelsen af det rapporterede resultat",
        "Bias in selection of the reported result",
        (
            Q(
                "7.1",
                "Er resultatet valgt blandt flere udfaldsmål?",
                "Is the reported effect estimate likely to be selected, on the basis of the "
                "results, from multiple outcome measurements within the outcome domain?",
            ),
            Q(
                "7.2",
                "Er resultatet valgt blandt flere analyser?",
                "Is the reported effect estimate likely to be selected, on the basis of the "
                "results, from multiple analyses of the intervention-outcome relationship?",
            ),
            Q(
                "7.3",
                "Er resultatet valgt blandt flere undergrupper?",
                "Is the reported effect estimate likely to be selected, on the basis of the "
                "results, from different subgroups?",
            ),
        ),
    ),
)


def _d1(a: Answers) -> tuple[Judgement, str]:
    if a("1.1") in NO:
        return LOW, "1.1 N/PN: no potential for confounding"
    # Time-varying confounding matters when follow-up was split by intervention received and
    # switches were related to prognosis; then 1.7/1.8 replace 1.4/1.5.
    time_varying = a("1.2") in YES and a("1.3") in YES
    controlled_q, valid_q = ("1.7", "1.8") if time_varying else ("1.4", "1.5")
    if a("1.6") in YES:
        return SERIOUS, "1.6 Y/PY: controlled for post-intervention variables"
    controlled = a(controlled_q)
    if controlled in NO:
        return SERIOUS, f"{controlled_q} N/PN: important confounding not controlled"
    if controlled is NI:
        return NO_INFORMATION, f"{controlled_q} NI"
    valid = a(valid_q)
    if valid in NO:
        return SERIOUS, f"{valid_q} N/PN: confounders not measured validly"
    if valid is NI or a("1.6") is NI:
        return NO_INFORMATION, f"{valid_q} or 1.6 NI"
    return MODERATE, f"{controlled_q} and {valid_q} Y/PY, 1.6 N/PN: confounding controlled"


def _d2(a: Answers) -> tuple[Judgement, str]:
    selection_problem = selection_unknown = False
    q21 = a("2.1")
    if q21 is NI:
        selection_unknown = True
    elif q21 in YES:
        q22 = a("2.2")
        if q22 is NI:
            selection_unknown = True
        elif q22 in YES:
            q23 = a("2.3")
            selection_problem = q23 in YES
            selection_unknown = q23 is NI
    q24 = a("2.4")
    timing_problem = q24 in NO
    if selection_problem or timing_problem:
        why = (
            "selection related to intervention and outcome"
            if selection_problem
            else ("2.4 N/PN: follow-up and intervention start differ")
        )
        if a("2.5") in YES:
            return MODERATE, f"{why}; 2.5 Y/PY: corrected by adjustment"
        return SERIOUS, f"{why}; 2.5 N/PN/NI: not corrected"
    if selection_unknown or q24 is NI:
        return NO_INFORMATION, "2.1-2.4 NI where no problem was found"
    return LOW, "no selection after intervention start, follow-up starts with intervention"


def _d3(a: Answers) -> tuple[Judgement, str]:
    q31, q32, q33 = a("3.1"), a("3.2"), a("3.3")
    if q31 in NO:
        return SERIOUS, "3.1 N/PN: groups not clearly defined"
    if q33 in YES:
        return SERIOUS, "3.3 Y/PY: classification could depend on the outcome"
    if NI in (q31, q32, q33):
        return NO_INFORMATION, "3.1-3.3 NI"
    if q32 in NO:
        return MODERATE, "3.2 N/PN: groups partly defined after the start"
    return LOW, "3.1 Y/PY, 3.2 Y/PY, 3.3 N/PN"


def _d4_assignment(a: Answers) -> tuple[Judgement, str]:
    q41 = a("4.1")
    if q41 in NO:
        return LOW, "4.1 N/PN: no deviations beyond usual practice"
    if q41 is NI:
        return NO_INFORMATION, "4.1 NI"
    q42 = a("4.2")
    if q42 in YES:
        return SERIOUS, "4.2 Y/PY: unbalanced deviations likely to affect the outcome"
    if q42 is NI:
        return NO_INFORMATION, "4.2 NI"
    return MODERATE, "4.1 Y/PY, 4.2 N/PN: deviations balanced or unlikely to matter"


def _d4_adhering(a: Answers) -> tuple[Judgement, str]:
    answers = {q: a(q) for q in ("4.3", "4.4", "4.5")}
    problems = [q for q, answer in answers.items() if answer in NO]
    if problems:
        why = f"{', '.join(problems)} N/PN"
        if a("4.6") in YES:
            return MODERATE, f"{why}; 4.6 Y/PY: appropriate analysis"
        return SERIOUS, f"{why}; 4.6 N/PN/NI"
    if NI in answers.values():
        return NO_INFORMATION, "4.3-4.5 NI"
    return LOW, "4.3-4.5 Y/PY: co-interventions balanced, implemented, adhered to"


def _d5(a: Answers) -> tuple[Judgement, str]:
    q51, q52, q53 = a("5.1"), a("5.2"), a("5.3")
    if q51 in NO or q52 in YES or q53 in YES:
        q54, q55 = a("5.4"), a("5.5")
        if q54 in YES or q55 in YES:
            return LOW, "data missing, but similar across groups (5.4) or robust (5.5)"
        if NI in (q54, q55):
            return NO_INFORMATION, "data missing; 5.4/5.5 NI"
        # The questions cannot tell small differences (Moderate) from large ones (Serious):
        # propose the more cautious judgement and let the reviewer lower it.
        return SERIOUS, "data missing; 5.4 and 5.5 N/PN"
    if NI in (q51, q52, q53):
        return NO_INFORMATION, "5.1-5.3 NI"
    return LOW, "5.1 Y/PY, 5.2 and 5.3 N/PN: data reasonably complete"


def _d6(a: Answers) -> tuple[Judgement, str]:
    q61, q62, q63, q64 = a("6.1"), a("6.2"), a("6.3"), a("6.4")
    if q63 in NO:
        return CRITICAL, "6.3 N/PN: assessment not comparable across groups"
    if q64 in YES:
        return SERIOUS, "6.4 Y/PY: measurement error related to intervention"
    if q61 in YES and q62 in YES:
        return SERIOUS, "6.1 and 6.2 Y/PY: influenceable outcome, aware assessors"
    could_be_influenced = q61 in YES | {NI} and q62 in YES | {NI}
    if q63 is NI or q64 is NI or could_be_influenced:
        return NO_INFORMATION, "6.1-6.4 NI where no problem was found"
    return LOW, "comparable assessment, not influenced by knowledge of the intervention"


def _d7(a: Answers) -> tuple[Judgement, str]:
    answers = (a("7.1"), a("7.2"), a("7.3"))
    if any(answer in YES for answer in answers):
        return SERIOUS, "7.1, 7.2 or 7.3 Y/PY: result likely selected"
    if NI in answers:
        return NO_INFORMATION, "7.1-7.3 NI"
    return LOW, "7.1-7.3 N/PN"


_ALGORITHMS = {"D1": _d1, "D2": _d2, "D3": _d3, "D5": _d5, "D6": _d6, "D7": _d7}


def propose_domain(
    domain_id: str,
    answers: Mapping[str, Answer | str],
    *,
    effect: Effect | str = Effect.ASSIGNMENT,
) -> DomainProposal:
    """This application's proposal for one domain ("D1" ... "D7"); see the module docstring."""
    effect = Effect(effect)
    checked = Answers(answers, DOMAINS)
    if domain_id == "D4":
        algorithm = _d4_adhering if effect is Effect.ADHERING else _d4_assignment
    elif domain_id in _ALGORITHMS:
        algorithm = _ALGORITHMS[domain_id]
    else:
        raise ValueError(f"ROBINS-I has no domain {domain_id!r}")
    return run_algorithm(domain_id, algorithm, checked)


@dataclasses.dataclass(frozen=True)
class OverallProposal:
    judgement: Judgement | None
    rule: str
    # No information is proposed when a domain lacks information; if that domain is not a key
    # one, reviewers usually judge Moderate instead. The flag asks them to decide.
    needs_reviewer_judgement: bool = False


def propose_overall(judgements: Sequence[Judgement | str | None]) -> OverallProposal:
    """The most severe domain decides (STANDARDS.md 3.2)."""
    if not judgements or any(j is None for j in judgements):
        return OverallProposal(None, "a domain has no judgement yet")
    values = {Judgement(j) for j in judgements}
    if CRITICAL in values:
        return OverallProposal(CRITICAL, "a domain is Critical")
    if SERIOUS in values:
        return OverallProposal(SERIOUS, "a domain is Serious, none Critical")
    if values == {LOW}:
        return OverallProposal(LOW, "all domains Low")
    if values <= {LOW, MODERATE}:
        return OverallProposal(MODERATE, "all domains Low or Moderate")
    return OverallProposal(
        NO_INFORMATION,
        "no information in a domain, none Serious or Critical",
        needs_reviewer_judgement=True,
    )


@dataclasses.dataclass(frozen=True)
class Assessment:
    effect: Effect
    domains: tuple[DomainProposal, ...]
    overall: OverallProposal
    tool_version: str = TOOL_VERSION


def settle(
    answers: Mapping[str, Answer | str], *, effect: Effect | str = Effect.ASSIGNMENT
) -> dict[str, str]:
    """The answers to store: a question whose condition on earlier answers is not met is NA.
    Domain 4's conditions on the effect of interest are in words only: those questions keep
    what was entered (the algorithm for the other effect does not read them)."""
    return {key: answer.value for key, answer in settle_answers(answers, DOMAINS).items()}


def propose(
    answers: Mapping[str, Answer | str], *, effect: Effect | str = Effect.ASSIGNMENT
) -> Assessment:
    """Every domain's proposal and the overall proposal for one result."""
    effect = Effect(effect)
    proposals = tuple(propose_domain(d.id, answers, effect=effect) for d in DOMAINS)
    return Assessment(
        effect=effect,
        domains=proposals,
        overall=propose_overall([p.judgement for p in proposals]),
    )
