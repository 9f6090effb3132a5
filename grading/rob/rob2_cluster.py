"""RoB 2 for cluster-randomised trials: RoB 2 with domain 1b, under the interface every tool
module offers (`domains`, `propose`, `propose_overall`, `settle`, `Judgement`, ...). The
questions and algorithms live in `grading.rob.rob2`; this module only fixes `cluster=True`."""

from __future__ import annotations

from collections.abc import Mapping

from grading.rob import rob2
from grading.rob.base import Answer, DomainProposal, RobDomain
from grading.rob.rob2 import JUDGEMENT_LABELS, Effect, Judgement, propose_overall

TOOL = rob2.CLUSTER_TOOL
TOOL_VERSION = rob2.CLUSTER_TOOL_VERSION


def domains(effect: Effect | str = Effect.ASSIGNMENT) -> tuple[RobDomain, ...]:
    return rob2.domains(effect, cluster=True)


def propose_domain(
    domain_id: str, answers: Mapping[str, Answer | str], *, effect: Effect | str = Effect.ASSIGNMENT
) -> DomainProposal:
    return rob2.propose_domain(domain_id, answers, effect=effect, cluster=True)


def settle(
    answers: Mapping[str, Answer | str], *, effect: Effect | str = Effect.ASSIGNMENT
) -> dict[str, str]:
    return rob2.settle(answers, effect=effect, cluster=True)


def propose(
    answers: Mapping[str, Answer | str], *, effect: Effect | str = Effect.ASSIGNMENT
) -> rob2.Assessment:
    return rob2.propose(answers, effect=effect, cluster=True)


__all__ = [
    "JUDGEMENT_LABELS",
    "TOOL",
    "TOOL_VERSION",
    "Effect",
    "Judgement",
    "domains",
    "propose",
    "propose_domain",
    "propose_overall",
    "settle",
]
