"""Cochrane RoB 2 for randomised trials (version of 22 August 2019), as data and pure functions.

The unit is one numerical result. The reviewer states the effect of interest: assignment
(intention-to-treat) or adhering (per-protocol); domain 2's questions and algorithm differ.
The algorithms are those of STANDARDS.md section 3.1 (the official criteria table for D1,
D2-assignment and D3-D5; D2-adhering from a third-party encoding, to verify against the
official Excel tool). Y and PY count alike, as do N and PN.

Conditional questions ("if Y/PY/NI to 2.1 or 2.2") carry their condition as data
(`asked_if`); a question whose condition the earlier answers do not meet is settled to NA
whatever was entered, so it never counts (`grading.rob.base.settle_answers`).

The cluster-randomised variant (`cluster=True`; robvis's "ROB2-Cluster") adds domain 1b, bias
arising from the timing of identification or recruitment of participants, with the algorithm
of the RoB 2 tool for cluster-randomized trials (version of 18 March 2021, cribsheet; read from
two public encodings of it, to verify against the official tool). Its other domains are asked
here as for individually randomised trials (the cluster tool splits some of their questions:
2.1, 3.1 and 4.3 into a and b); the reviewer answers them with the clusters in mind.

Usage: `propose(answers, effect=Effect.ASSIGNMENT)` with answers keyed by question id ("1.1").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from enum import StrEnum

from grading.rob.base import (
    NA,
    NI,
    NO,
    NO_NI,
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

TOOL = "ROB2"
TOOL_VERSION = "RoB 2 (2019-08-22)"
CLUSTER_TOOL = "ROB2-Cluster"
CLUSTER_TOOL_VERSION = "RoB 2 for cluster-randomized trials (2021-03-18)"


class Effect(StrEnum):
    ASSIGNMENT = "assignment"
    ADHERING = "adhering"


class Judgement(StrEnum):
    LOW = "low"
    SOME_CONCERNS = "some_concerns"
    HIGH = "high"


JUDGEMENT_LABELS: dict[Judgement, tuple[str, str]] = {
    Judgement.LOW: ("Lav risiko", "Low"),
    Judgement.SOME_CONCERNS: ("Nogen bekymring", "Some concerns"),
    Judgement.HIGH: ("Høj risiko", "High"),
}

LOW, SOME, HIGH = Judgement.LOW, Judgement.SOME_CONCERNS, Judgement.HIGH

D1 = RobDomain(
    "D1",
    "Bias fra randomiseringsprocessen",
    "Bias arising from the randomization process",
    (
        Q("1.1", "Var allokeringssekvensen tilfældig?", "Was the allocation sequence random?"),
        Q(
            "1.2",
            "Var allokeringen skjult, indtil deltagerne var inkluderet og tildelt?",
            "Was the allocation sequence concealed until participants were enrolled and "
            "assigned to interventions?",
        ),
        Q(
            "1.3",
            "Tyder forskelle ved baseline på et problem med randomiseringen?",
            "Did baseline differences between intervention groups suggest a problem with the "
            "randomization process?",
        ),
    ),
)

D1B = RobDomain(
    "D1b",
    "Bias fra tidspunktet for identifikation eller rekruttering af deltagere",
    "Bias arising from the timing of identification or recruitment of participants",
    (
        Q(
            "1b.1",
            "Blev alle deltagere identificeret (og evt. rekrutteret), før klyngerne blev "
            "randomiseret?",
            "Were all the individual participants identified and recruited (if appropriate) "
            "before randomization of clusters?",
        ),
        Q(
            "1b.2",
            "Er udvælgelsen af deltagere sandsynligvis påvirket af kendskab til klyngens "
            "tildelte indsats?",
            "Is it likely that selection of individual participants was affected by knowledge "
            "of the intervention assigned to the cluster?",
            condition="if N/PN/NI to 1b.1",
            asked_if=((("1b.1", NO_NI),),),
        ),
        Q(
            "1b.3",
            "Tyder ubalancer ved baseline på, at deltagerne blev identificeret eller rekrutteret "
            "forskelligt i grupperne?",
            "Were there baseline imbalances that suggest differential identification or "
            "recruitment of individual participants between intervention groups?",
        ),
    ),
)

# "If Y/PY/NI to 2.1 or 2.2": someone knew the assignment, or may have.
_IF_AWARE = ((("2.1", YES_NI),), (("2.2", YES_NI),))

_AWARE = (
    Q(
        "2.1",
        "Var deltagerne klar over, hvilken indsats de fik?",
        "Were participants aware of their assigned intervention during the trial?",
    ),
    Q(
        "2.2",
        "Var de, der gav indsatsen, klar over deltagernes tildeling?",
        "Were carers and people delivering the interventions aware of participants' assigned "
        "intervention during the trial?",
    ),
)

D2_ASSIGNMENT = RobDomain(
    "D2",
    "Bias fra afvigelser fra de tilsigtede indsatser (effekt af tildeling)",
    "Bias due to deviations from intended interventions (effect of assignment)",
    (
        *_AWARE,
        Q(
            "2.3",
            "Var der afvigelser fra den tilsigtede indsats, som opstod på grund af forsøget?",
            "Were there deviations from the intended intervention that arose because of the "
            "trial context?",
            condition="if Y/PY/NI to 2.1 or 2.2",
            asked_if=_IF_AWARE,
        ),
        Q(
            "2.4",
            "Vil disse afvigelser sandsynligvis have påvirket udfaldet?",
            "Were these deviations likely to have affected the outcome?",
            condition="if Y/PY to 2.3",
            asked_if=((("2.3", YES),),),
        ),
        Q(
            "2.5",
            "Var afvigelserne balancerede mellem grupperne?",
            "Were these deviations from intended intervention balanced between groups?",
            condition="if Y/PY/NI to 2.4",
            asked_if=((("2.4", YES_NI),),),
        ),
        Q(
            "2.6",
            "Blev der brugt en passende analyse til at estimere effekten af tildeling?",
            "Was an appropriate analysis used to estimate the effect of assignment to "
            "intervention?",
        ),
        Q(
            "2.7",
            "Kunne det have betydet meget at analysere deltagere uden for deres tildelte gruppe?",
            "Was there potential for a substantial impact (on the result) of the failure to "
            "analyse participants in the group to which they were randomized?",
            condition="if N/PN/NI to 2.6",
            asked_if=((("2.6", NO_NI),),),
        ),
    ),
)

D2_ADHERING = RobDomain(
    "D2",
    "Bias fra afvigelser fra de tilsigtede indsatser (effekt af at følge indsatsen)",
    "Bias due to deviations from intended interventions (effect of adhering)",
    (
        *_AWARE,
        Q(
            "2.3",
            "Var vigtige indsatser uden for protokollen balancerede mellem grupperne?",
            "Were important non-protocol interventions balanced across intervention groups?",
            condition="if applicable; if Y/PY/NI to 2.1 or 2.2",
            asked_if=_IF_AWARE,
            optional=True,
        ),
        Q(
            "2.4",
            "Var der fejl i gennemførelsen, som kunne påvirke udfaldet?",
            "Were there failures in implementing the intervention that could have affected "
            "the outcome?",
            condition="if applicable",
            optional=True,
        ),
        Q(
            "2.5",
            "Var der manglende overholdelse, som kunne påvirke udfaldet?",
            "Was there non-adherence to the assigned intervention regimen that could have "
            "affected participants' outcomes?",
            condition="if applicable",
            optional=True,
        ),
        Q(
            "2.6",
            "Blev der brugt en passende analyse til at estimere effekten af at følge indsatsen?",
            "Was an appropriate analysis used to estimate the effect of adhering to the "
            "intervention?",
            condition="if N/PN/NI to 2.3, or Y/PY/NI to 2.4 or 2.5",
            asked_if=((("2.3", NO_NI),), (("2.4", YES_NI),), (("2.5", YES_NI),)),
        ),
    ),
)

D3 = RobDomain(
    "D3",
    "Bias fra manglende udfaldsdata",
    "Bias due to missing outcome data",
    (
        Q(
            "3.1",
            "Var der udfaldsdata for alle eller næsten alle randomiserede deltagere?",
            "Were data for this outcome available for all, or nearly all, participants randomized?",
        ),
        Q(
            "3.2",
            "Er der belæg for, at resultatet ikke er skævt på grund af manglende data?",
            "Is there evidence that the result was not biased by missing outcome data?",
            condition="if N/PN/NI to 3.1",
            asked_if=((("3.1", NO_NI),),),
            answers=frozenset({Answer.Y, Answer.PY, Answer.PN, Answer.N}),
        ),
        Q(
            "3.3",
            "Kunne det, at data mangler, afhænge af udfaldets sande værdi?",
            "Could missingness in the outcome depend on its true value?",
            condition="if N/PN to 3.2",
            asked_if=((("3.2", NO),),),
        ),
        Q(
            "3.4",
            "Er det sandsynligt, at det gjorde?",
            "Is it likely that missingness in the outcome depended on its true value?",
            condition="if Y/PY/NI to 3.3",
            asked_if=((("3.3", YES_NI),),),
        ),
    ),
)

D4 = RobDomain(
    "D4",
    "Bias i målingen af udfaldet",
    "Bias in measurement of the outcome",
    (
        Q(
            "4.1",
            "Var målemetoden uhensigtsmæssig?",
            "Was the method of measuring the outcome inappropriate?",
        ),
        Q(
            "4.2",
            "Kunne målingen være forskellig mellem grupperne?",
            "Could measurement or ascertainment of the outcome have differed between "
            "intervention groups?",
        ),
        Q(
            "4.3",
            "Vidste de, der vurderede udfaldet, hvilken indsats deltagerne fik?",
            "Were outcome assessors aware of the intervention received by study participants?",
            condition="if N/PN/NI to 4.1 and 4.2",
            asked_if=((("4.1", NO_NI), ("4.2", NO_NI)),),
        ),
        Q(
            "4.4",
            "Kunne den viden have påvirket vurderingen?",
            "Could assessment of the outcome have been influenced by knowledge of intervention "
            "received?",
            condition="if Y/PY/NI to 4.3",
            asked_if=((("4.3", YES_NI),),),
        ),
        Q(
            "4.5",
            "Er det sandsynligt, at den gjorde?",
            "Is it likely that assessment of the outcome was influenced by knowledge of "
            "intervention received?",
            condition="if Y/PY/NI to 4.4",
            asked_if=((("4.4", YES_NI),),),
        ),
    ),
)

D5 = RobDomain(
    "D5",
    "Bias i udvælgelsen af det rapporterede resultat",
    "Bias in selection of the reported result",
    (
        Q(
            "5.1",
            "Blev data analyseret efter en plan fastlagt, før ublindede data forelå?",
            "Were the data analysed in accordance with a pre-specified analysis plan that was "
            "finalized before unblinded outcome data were available for analysis?",
        ),
        Q(
            "5.2",
            "Er resultatet valgt blandt flere mulige udfaldsmål?",
            "Is the numerical result likely to have been selected from multiple eligible "
            "outcome measurements within the outcome domain?",
        ),
        Q(
            "5.3",
            "Er resultatet valgt blandt flere mulige analyser?",
            "Is the numerical result likely to have been selected from multiple eligible "
            "analyses of the data?",
        ),
    ),
)


def domains(
    effect: Effect | str = Effect.ASSIGNMENT, *, cluster: bool = False
) -> tuple[RobDomain, ...]:
    """The five domains (six with 1b for a cluster-randomised trial), with domain 2 for the
    chosen effect of interest."""
    d2 = D2_ADHERING if Effect(effect) is Effect.ADHERING else D2_ASSIGNMENT
    return (D1, D1B, d2, D3, D4, D5) if cluster else (D1, d2, D3, D4, D5)


def _d1(a: Answers) -> tuple[Judgement, str]:
    q12 = a("1.2")
    if q12 in NO:
        return HIGH, "1.2 N/PN"
    if q12 is NI:
        if a("1.3") in YES:
            return HIGH, "1.2 NI, 1.3 Y/PY"
        return SOME, "1.2 NI, 1.3 N/PN/NI"
    # 1.2 Y/PY
    if a("1.1") in NO:
        return SOME, "1.2 Y/PY, 1.1 N/PN"
    if a("1.3") in YES:
        return SOME, "1.2 Y/PY, 1.3 Y/PY"
    return LOW, "1.2 Y/PY, 1.1 Y/PY/NI, 1.3 N/PN/NI"


def _d1b(a: Answers) -> tuple[Judgement, str]:
    if a("1b.1") in YES:
        return LOW, "1b.1 Y/PY: identified before randomisation"
    q12 = a("1b.2")
    if q12 in YES:
        return HIGH, "1b.1 N/PN/NI, 1b.2 Y/PY"
    if q12 in NO:
        if a("1b.3") in YES:
            return SOME, "1b.2 N/PN, 1b.3 Y/PY"
        return LOW, "1b.2 N/PN, 1b.3 N/PN/NI"
    if a("1b.3") in YES:
        return HIGH, "1b.2 NI, 1b.3 Y/PY"
    return SOME, "1b.2 NI, 1b.3 N/PN/NI"


def _d2_assignment(a: Answers) -> tuple[Judgement, str]:
    part1, path1 = _d2_assignment_deviations(a)
    part2, path2 = _d2_assignment_analysis(a)
    if HIGH in (part1, part2):
        judgement = HIGH
    elif part1 is LOW and part2 is LOW:
        judgement = LOW
    else:
        judgement = SOME
    return judgement, f"part 1: {path1} -> {part1.value}; part 2: {path2} -> {part2.value}"


def _d2_assignment_deviations(a: Answers) -> tuple[Judgement, str]:
    if a("2.1") in NO and a("2.2") in NO:
        return LOW, "2.1 and 2.2 N/PN"
    q23 = a("2.3")
    if q23 in NO:
        return LOW, "2.3 N/PN"
    if q23 is NI:
        return SOME, "2.3 NI"
    if a("2.4") in NO:
        return SOME, "2.3 Y/PY, 2.4 N/PN"
    if a("2.5") in YES:
        return SOME, "2.4 Y/PY/NI, 2.5 Y/PY"
    return HIGH, "2.4 Y/PY/NI, 2.5 N/PN/NI"


def _d2_assignment_analysis(a: Answers) -> tuple[Judgement, str]:
    if a("2.6") in YES:
        return LOW, "2.6 Y/PY"
    if a("2.7") in NO:
        return SOME, "2.6 N/PN/NI, 2.7 N/PN"
    return HIGH, "2.6 N/PN/NI, 2.7 Y/PY/NI"


def _d2_adhering(a: Answers) -> tuple[Judgement, str]:
    aware = a("2.1") in YES | {NI} or a("2.2") in YES | {NI}
    # NA, N and PN to 2.4 and 2.5 all mean: no implementation or adherence problem.
    problems = a.or_na("2.4") in YES | {NI} or a.or_na("2.5") in YES | {NI}
    if not aware and not problems:
        return LOW, "not aware (2.1, 2.2 N/PN), no problem in 2.4/2.5"
    if aware:
        balanced = a.or_na("2.3") in YES | {NA}
        if balanced and not problems:
            return LOW, "aware, 2.3 Y/PY/NA, no problem in 2.4/2.5"
        why = "aware, 2.3 N/PN/NI" if not balanced else "aware, problem in 2.4/2.5"
    else:
        why = "not aware, problem in 2.4/2.5"
    if a("2.6") in YES:
        return SOME, f"{why}, 2.6 Y/PY"
    return HIGH, f"{why}, 2.6 N/PN/NI"


def _d3(a: Answers) -> tuple[Judgement, str]:
    if a("3.1") in YES:
        return LOW, "3.1 Y/PY"
    if a("3.2") in YES:
        return LOW, "3.1 N/PN/NI, 3.2 Y/PY"
    if a("3.3") in NO:
        return LOW, "3.2 N/PN, 3.3 N/PN"
    if a("3.4") in NO:
        return SOME, "3.3 Y/PY/NI, 3.4 N/PN"
    return HIGH, "3.3 Y/PY/NI, 3.4 Y/PY/NI"


def _d4(a: Answers) -> tuple[Judgement, str]:
    if a("4.1") in YES:
        return HIGH, "4.1 Y/PY"
    q42 = a("4.2")
    if q42 in YES:
        return HIGH, "4.2 Y/PY"
    if q42 in NO:
        if a("4.3") in NO:
            return LOW, "4.2 N/PN, 4.3 N/PN"
        if a("4.4") in NO:
            return LOW, "4.2 N/PN, 4.4 N/PN"
        if a("4.5") in NO:
            return SOME, "4.2 N/PN, 4.5 N/PN"
        return HIGH, "4.2 N/PN, 4.5 Y/PY/NI"
    # 4.2 NI: the first N/PN on the path gives some concerns.
    if a("4.3") in NO:
        return SOME, "4.2 NI, 4.3 N/PN"
    if a("4.4") in NO:
        return SOME, "4.2 NI, 4.4 N/PN"
    if a("4.5") in NO:
        return SOME, "4.2 NI, 4.5 N/PN"
    return HIGH, "4.2 NI, 4.5 Y/PY/NI"


def _d5(a: Answers) -> tuple[Judgement, str]:
    q52, q53 = a("5.2"), a("5.3")
    if q52 in YES or q53 in YES:
        return HIGH, "5.2 or 5.3 Y/PY"
    if NI in (q52, q53):
        return SOME, "5.2 or 5.3 NI"
    if a("5.1") in YES:
        return LOW, "5.2 and 5.3 N/PN, 5.1 Y/PY"
    return SOME, "5.2 and 5.3 N/PN, 5.1 N/PN/NI"


_ALGORITHMS = {"D1": _d1, "D3": _d3, "D4": _d4, "D5": _d5}


def propose_domain(
    domain_id: str,
    answers: Mapping[str, Answer | str],
    *,
    effect: Effect | str = Effect.ASSIGNMENT,
    cluster: bool = False,
) -> DomainProposal:
    """The proposed judgement of one domain ("D1" ... "D5", "D1b" for a cluster-randomised
    trial) from the signalling answers."""
    effect = Effect(effect)
    checked = Answers(answers, domains(effect, cluster=cluster))
    if domain_id == "D2":
        algorithm = _d2_adhering if effect is Effect.ADHERING else _d2_assignment
    elif domain_id == "D1b" and cluster:
        algorithm = _d1b
    elif domain_id in _ALGORITHMS:
        algorithm = _ALGORITHMS[domain_id]
    else:
        raise ValueError(f"RoB 2 has no domain {domain_id!r}")
    return run_algorithm(domain_id, algorithm, checked)


def settle(
    answers: Mapping[str, Answer | str],
    *,
    effect: Effect | str = Effect.ASSIGNMENT,
    cluster: bool = False,
) -> dict[str, str]:
    """The answers to store: questions whose condition is not met are NA (see the docstring)."""
    settled = settle_answers(answers, domains(Effect(effect), cluster=cluster))
    return {question_id: answer.value for question_id, answer in settled.items()}


@dataclasses.dataclass(frozen=True)
class OverallProposal:
    judgement: Judgement | None
    rule: str
    # Cochrane lets reviewers judge High when some concerns in several domains together
    # substantially lower confidence: offered, never applied automatically.
    may_raise_to_high: bool = False


def propose_overall(judgements: Sequence[Judgement | str | None]) -> OverallProposal:
    """Any High gives High; all Low gives Low; otherwise Some concerns."""
    if not judgements or any(j is None for j in judgements):
        return OverallProposal(None, "a domain has no judgement yet")
    values = [Judgement(j) for j in judgements]
    if HIGH in values:
        return OverallProposal(HIGH, "a domain is High")
    if all(j is LOW for j in values):
        return OverallProposal(LOW, "all domains Low")
    concerns = values.count(SOME)
    return OverallProposal(SOME, "some concerns, no domain High", may_raise_to_high=concerns >= 2)


@dataclasses.dataclass(frozen=True)
class Assessment:
    effect: Effect
    domains: tuple[DomainProposal, ...]
    overall: OverallProposal
    tool_version: str = TOOL_VERSION


def propose(
    answers: Mapping[str, Answer | str],
    *,
    effect: Effect | str = Effect.ASSIGNMENT,
    cluster: bool = False,
) -> Assessment:
    """Every domain's proposal and the overall proposal for one result."""
    effect = Effect(effect)
    proposals = tuple(
        propose_domain(domain.id, answers, effect=effect, cluster=cluster)
        for domain in domains(effect, cluster=cluster)
    )
    return Assessment(
        effect=effect,
        domains=proposals,
        overall=propose_overall([p.judgement for p in proposals]),
        tool_version=CLUSTER_TOOL_VERSION if cluster else TOOL_VERSION,
    )
