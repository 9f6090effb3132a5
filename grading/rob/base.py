"""What the risk-of-bias tools share: signalling-question answers, questions, domains, proposals.

A proposal is what the algorithm suggests from the answers; the reviewer makes the judgement
and may depart from it with a reason (stored by the application, not here).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from enum import StrEnum


class Answer(StrEnum):
    Y = "Y"
    PY = "PY"
    PN = "PN"
    N = "N"
    NI = "NI"
    NA = "NA"  # not applicable: only for conditional questions whose condition is not met


ANSWER_LABELS: dict[Answer, tuple[str, str]] = {
    Answer.Y: ("Ja", "Yes"),
    Answer.PY: ("Sandsynligvis ja", "Probably yes"),
    Answer.PN: ("Sandsynligvis nej", "Probably no"),
    Answer.N: ("Nej", "No"),
    Answer.NI: ("Ingen information", "No information"),
    Answer.NA: ("Ikke relevant", "Not applicable"),
}

# The tools' algorithms treat "probably" answers like the definite ones.
YES = frozenset({Answer.Y, Answer.PY})
NO = frozenset({Answer.N, Answer.PN})
NI = Answer.NI
NA = Answer.NA
ANSWERED = frozenset({Answer.Y, Answer.PY, Answer.PN, Answer.N, Answer.NI})
ANSWERED_OR_NA = ANSWERED | {Answer.NA}


@dataclasses.dataclass(frozen=True)
class SignallingQuestion:
    id: str  # "1.1", numbered as in the tool
    text_da: str
    text_en: str
    # When the question is asked, in the tool's words; empty when it is always asked.
    condition: str = ""
    answers: frozenset[Answer] = ANSWERED

    def __post_init__(self) -> None:
        # A conditional question is stored as NA when its condition is not met.
        if self.condition and Answer.NA not in self.answers:
            object.__setattr__(self, "answers", self.answers | {Answer.NA})


@dataclasses.dataclass(frozen=True)
class RobDomain:
    id: str  # "D1"
    name_da: str
    name_en: str
    questions: tuple[SignallingQuestion, ...]


@dataclasses.dataclass(frozen=True)
class DomainProposal:
    """The proposed judgement for one domain and the path through the algorithm that gave it.

    `judgement` is None while an answer the path needs is missing; `missing` names it, so a
    form can ask for exactly that question next.
    """

    domain: str
    judgement: StrEnum | None
    path: str
    missing: tuple[str, ...] = ()


class MissingAnswer(Exception):
    """Raised inside an algorithm when the path needs an answer that was not given."""

    def __init__(self, question: str) -> None:
        super().__init__(question)
        self.question = question


class Answers:
    """Answers by question id, checked against the tool's questions, read by the algorithms."""

    def __init__(self, answers: Mapping[str, Answer | str], domains: tuple[RobDomain, ...]):
        questions = {q.id: q for domain in domains for q in domain.questions}
        self._answers: dict[str, Answer] = {}
        for question_id, value in answers.items():
            if question_id not in questions:
                raise ValueError(f"unknown signalling question {question_id!r}")
            answer = Answer(value)
            if answer not in questions[question_id].answers:
                allowed = "/".join(sorted(a.value for a in questions[question_id].answers))
                raise ValueError(f"{question_id}: {answer.value} is not allowed (only {allowed})")
            self._answers[question_id] = answer

    def __call__(self, question_id: str) -> Answer:
        """An answer the path needs. NA counts as missing: the path says the question applies."""
        answer = self._answers.get(question_id)
        if answer is None or answer is Answer.NA:
            raise MissingAnswer(question_id)
        return answer

    def or_na(self, question_id: str) -> Answer:
        """An answer where NA is meaningful ("if applicable" questions); absent is missing."""
        answer = self._answers.get(question_id)
        if answer is None:
            raise MissingAnswer(question_id)
        return answer


def run_algorithm(
    domain_id: str, algorithm: Callable[[Answers], tuple[StrEnum, str]], answers: Answers
) -> DomainProposal:
    try:
        judgement, path = algorithm(answers)
    except MissingAnswer as missing:
        return DomainProposal(
            domain_id, None, f"needs an answer to {missing.question}", (missing.question,)
        )
    return DomainProposal(domain_id, judgement, path)
