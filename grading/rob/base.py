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
YES_NI = YES | {NI}
NO_NI = NO | {NI}

# When a conditional question is asked, as data: a disjunction of clauses, each a
# conjunction of (earlier question id, answers that ask it). (("2.1", YES_NI),), (("2.2",
# YES_NI),) reads "if Y/PY/NI to 2.1 or 2.2"; an empty tuple means "always asked".
Clause = tuple[tuple[str, frozenset[Answer]], ...]


@dataclasses.dataclass(frozen=True)
class SignallingQuestion:
    id: str  # "1.1", numbered as in the tool
    text_da: str
    text_en: str
    # When the question is asked, in the tool's words; empty when it is always asked.
    condition: str = ""
    answers: frozenset[Answer] = ANSWERED
    # The condition as data (see `Clause`), where the tool makes it depend on earlier answers;
    # `settle_answers` then stores the question as NA when the condition is not met.
    asked_if: tuple[Clause, ...] = ()
    # "If applicable" questions: NA is an answer the reviewer may give even when asked.
    optional: bool = False

    def __post_init__(self) -> None:
        # A conditional question is stored as NA when its condition is not met.
        conditional = self.condition or self.asked_if or self.optional
        if conditional and Answer.NA not in self.answers:
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


def check_answers(
    answers: Mapping[str, Answer | str], domains: tuple[RobDomain, ...]
) -> dict[str, Answer]:
    """The answers as `Answer`s; ValueError names an unknown question or a refused answer."""
    questions = {q.id: q for domain in domains for q in domain.questions}
    checked: dict[str, Answer] = {}
    for question_id, value in answers.items():
        if question_id not in questions:
            raise ValueError(f"unknown signalling question {question_id!r}")
        answer = Answer(value)
        if answer not in questions[question_id].answers:
            allowed = "/".join(sorted(a.value for a in questions[question_id].answers))
            raise ValueError(f"{question_id}: {answer.value} is not allowed (only {allowed})")
        checked[question_id] = answer
    return checked


def is_asked(question: SignallingQuestion, answers: Mapping[str, Answer]) -> bool | None:
    """Whether the question's condition is met by the earlier answers: True, False, or None
    while an answer the condition depends on is still missing (three-valued logic)."""
    if not question.asked_if:
        return True
    result: bool | None = False
    for clause in question.asked_if:
        met: bool | None = True
        for question_id, asking in clause:
            answer = answers.get(question_id)
            literal = None if answer is None else answer in asking
            if literal is False:
                met = False
                break
            if literal is None:
                met = None
        if met:
            return True
        if met is None:
            result = None
    return result


def settle_answers(
    answers: Mapping[str, Answer | str], domains: tuple[RobDomain, ...]
) -> dict[str, Answer]:
    """The answers with the tool's conditions applied, in question order: a question whose
    condition is not met becomes NA, whatever was entered, so it never counts; NA given to a
    question whose condition is met (and that is not "if applicable") counts as no answer yet.
    A question whose condition cannot be decided yet, or is given in words only (`condition`
    without `asked_if`), keeps what was entered."""
    given = check_answers(answers, domains)
    settled: dict[str, Answer] = {}
    for domain in domains:
        for question in domain.questions:
            asked = is_asked(question, settled)
            answer = given.get(question.id)
            if asked is False:
                settled[question.id] = Answer.NA
            elif answer is None or (
                asked and question.asked_if and answer is NA and not question.optional
            ):
                continue
            else:
                settled[question.id] = answer
    return settled


def not_asked(answers: Mapping[str, Answer | str], domains: tuple[RobDomain, ...]) -> set[str]:
    """The conditional questions whose condition the answers do not meet."""
    settled = settle_answers(answers, domains)
    return {
        question.id
        for domain in domains
        for question in domain.questions
        if question.asked_if and is_asked(question, settled) is False
    }


class Answers:
    """Answers by question id, checked against the tool's questions and settled by its
    conditions (`settle_answers`), read by the algorithms."""

    def __init__(self, answers: Mapping[str, Answer | str], domains: tuple[RobDomain, ...]):
        self._answers: dict[str, Answer] = settle_answers(answers, domains)

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
