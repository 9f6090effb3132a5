"""PRISMA 2020 flow counts for one topic area: the arithmetic checks, the SVG diagram, and the
CSV that the PRISMA2020 R package and Shiny app read.

No Django here. The database layer counts records and decisions (or takes numbers a lead typed
in from a published report) and hands over a `FlowInput`; everything below is plain arithmetic
and text, so it is unit-tested exactly and a worker can render it without an active language.
User-facing text is (Danish, English) pairs, as in `grading.frameworks.base`.

The template is PRISMA 2020's "new review, databases and registers and other sources"
(`new_db_other` in standards/STANDARDS.md 1.1). Our screening runs in several record-level
stages (title, then title and abstract) before full text; the diagram draws each of them as its
own screened/excluded pair, where PRISMA has one, and `flow_prisma_csv` collapses them (see
there). PRISMA states no equations; `flow_check` encodes the identities of STANDARDS.md 1.3,
which follow from every arrow splitting its source box.
"""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal
from xml.sax.saxutils import escape

Language = Literal["en", "da"]
Bilingual = tuple[str, str]  # (Danish, English)


@dataclass(frozen=True)
class Count:
    """One number in the diagram, and whether a person entered it (`reported`) rather than the
    app counting it from records. Reported numbers are marked in the diagram, so a reader can
    tell a figure copied from a published report from one the data reproduce."""

    value: int
    reported: bool = False

    def __post_init__(self) -> None:
        # bool is an int subclass; True as a count is a bug in the caller, not the number 1.
        if isinstance(self.value, bool) or not isinstance(self.value, int) or self.value < 0:
            raise ValueError(f"a count must be a whole number >= 0, not {self.value!r}")


ZERO = Count(0)


class SourceKind(StrEnum):
    """Where records came from; the first two feed the databases column, the rest the
    other-methods column. Values match `screening.models.Source.Kind` where they overlap."""

    DATABASE = "database"
    REGISTER = "register"
    SNOWBALLING = "snowballing"  # PRISMA's "citation searching"
    WEBSITE = "website"
    ORGANISATION = "organisation"
    OTHER = "other"  # hand search, experts, ...

    @property
    def in_database_column(self) -> bool:
        return self in (SourceKind.DATABASE, SourceKind.REGISTER)


@dataclass(frozen=True)
class SourceCount:
    """Records identified from one source (after nothing: duplicates are removed later)."""

    name: str
    count: Count
    kind: SourceKind = SourceKind.DATABASE


@dataclass(frozen=True)
class ScreeningStage:
    """One record-level screening stage before full text (title; title and abstract).

    `excluded` is every record the stage excluded. `excluded_by_reason` (may be empty: title
    screens rarely record reasons) covers those a person excluded; `excluded_by_rule` is the
    part excluded unseen when a stopping rule (`stopping_rule`, its name) ended screening
    early: PRISMA's footnote asks for human and automatic exclusions separately.
    """

    name: str
    screened: Count
    excluded: Count
    excluded_by_reason: Mapping[str, int] = field(default_factory=dict)
    excluded_by_rule: Count | None = None
    stopping_rule: str = ""
    # Records at the stage that nobody has decided yet (a review in progress): not screened,
    # so in no box, but they entered the stage, which the stage chain must know.
    undecided: int = 0


@dataclass(frozen=True)
class Retrieval:
    """The report-level boxes of one column: sought, not retrieved, assessed, excluded."""

    sought: Count
    not_retrieved: Count
    assessed: Count
    excluded: Count
    excluded_by_reason: Mapping[str, int] = field(default_factory=dict)
    # Reports at the full-text stage with neither a decision nor "not retrievable" yet.
    undecided: int = 0

    @property
    def included(self) -> int:
        """Reports that passed eligibility in this column (a display value, not a box)."""
        return self.assessed.value - self.excluded.value


@dataclass(frozen=True)
class FlowInput:
    """Everything one topic area's diagram shows (a new review: no previous-studies column).

    `sources` lists records identified per source; `duplicates`, `removed_automatic` and
    `removed_other` are removed before screening in the databases column. `stages` are the
    record-level stages in order, `fulltext` the databases column's report boxes, and `other`
    the other-methods column (snowballing and the like), None when there is none.
    `included_studies` and `included_reports` fill PRISMA's shared included box.
    """

    sources: Sequence[SourceCount]
    duplicates: Count
    stages: Sequence[ScreeningStage]
    fulltext: Retrieval
    included_studies: Count
    included_reports: Count
    other: Retrieval | None = None
    removed_automatic: Count = ZERO
    removed_other: Count = ZERO

    def identified(self, *kinds: SourceKind) -> int:
        return sum(s.count.value for s in self.sources if s.kind in kinds)

    @property
    def identified_databases(self) -> int:
        return self.identified(SourceKind.DATABASE, SourceKind.REGISTER)

    @property
    def identified_other(self) -> int:
        return sum(s.count.value for s in self.sources if not s.kind.in_database_column)

    @property
    def removed_before_screening(self) -> int:
        return self.duplicates.value + self.removed_automatic.value + self.removed_other.value

    @property
    def records_screened(self) -> int:
        """PRISMA's single "records screened": what entered the first stage."""
        return self.stages[0].screened.value if self.stages else self.fulltext.sought.value

    @property
    def records_excluded(self) -> int:
        """PRISMA's single "records excluded": every record-level stage's exclusions."""
        return sum(stage.excluded.value for stage in self.stages)

    def counts(self) -> Iterator[Count]:
        """Every number the diagram prints, for finding the reported ones."""
        yield from (s.count for s in self.sources)
        yield from (self.duplicates, self.removed_automatic, self.removed_other)
        for stage in self.stages:
            yield from (stage.screened, stage.excluded)
            if stage.excluded_by_rule is not None:
                yield stage.excluded_by_rule
        for column in (self.fulltext, self.other):
            if column is not None:
                yield from (column.sought, column.not_retrieved, column.assessed, column.excluded)
        yield from (self.included_studies, self.included_reports)


# ---------------------------------------------------------------------------------------------
# Labels (PRISMA 2020 wording in English; Danish as the report's own vocabulary would put it)

LABELS: dict[str, Bilingual] = {
    "title": ("PRISMA 2020-flowdiagram", "PRISMA 2020 flow diagram"),
    "databases_column": (
        "Identifikation af nye studier via databaser og registre",
        "Identification of new studies via databases and registers",
    ),
    "other_column": (
        "Identifikation af nye studier via andre metoder",
        "Identification of new studies via other methods",
    ),
    "identification": ("Identifikation", "Identification"),
    "screening": ("Screening", "Screening"),
    "included": ("Inkluderet", "Included"),
    "identified": ("Poster identificeret", "Records identified"),
    "identified_from": ("Poster identificeret fra:", "Records identified from:"),
    "databases_total": ("Databaser i alt", "Databases, total"),
    "registers_total": ("Registre i alt", "Registers, total"),
    "removed_before": ("Poster fjernet før screening:", "Records removed before screening:"),
    "duplicates": ("Dubletter fjernet", "Duplicate records removed"),
    "removed_automatic": (
        "Poster markeret som uegnede af automatiseringsværktøjer",
        "Records marked as ineligible by automation tools",
    ),
    "removed_other": ("Poster fjernet af andre grunde", "Records removed for other reasons"),
    "records_screened": ("Poster screenet", "Records screened"),
    "records_excluded": ("Poster ekskluderet", "Records excluded"),
    "by_human": ("af en bedømmer", "by a reviewer"),
    "by_rule": ("af stopreglen", "by the stopping rule"),
    "sought": ("Rapporter søgt fremskaffet", "Reports sought for retrieval"),
    "not_retrieved": ("Rapporter ikke fremskaffet", "Reports not retrieved"),
    "assessed": ("Rapporter vurderet for egnethed", "Reports assessed for eligibility"),
    "reports_excluded": ("Rapporter ekskluderet", "Reports excluded"),
    "studies_included": ("Studier inkluderet i reviewet", "Studies included in review"),
    "reports_included": ("Rapporter fra inkluderede studier", "Reports of included studies"),
    "via_databases": ("via databaser og registre", "via databases and registers"),
    "via_other": ("via andre metoder", "via other methods"),
    "reported_databases": ("Databaser", "Databases"),
    "reported_citations": ("Kædesøgning", "Citation searching"),
    "reported_note": (
        "† Tal indtastet manuelt (fx fra en offentliggjort rapport), ikke optalt fra posterne.",
        "† Number entered by hand (e.g. from a published report), not counted from the records.",
    ),
}


def _pick(pair: Bilingual, language: Language) -> str:
    return pair[0] if language == "da" else pair[1]


def _label(key: str, language: Language) -> str:
    return _pick(LABELS[key], language)


def _num(value: int, language: Language) -> str:
    """Thousands separated as each language writes them: 1,008 or 1.008."""
    text = f"{value:,}"
    return text.replace(",", ".") if language == "da" else text


def _both(value: int) -> tuple[str, str]:
    return _num(value, "da"), _num(value, "en")


# ---------------------------------------------------------------------------------------------
# Checks


class Severity(StrEnum):
    ERROR = "error"  # an arrow does not add up: some number is wrong
    WARNING = "warning"  # can hold legitimately (records vs reports): ask for a note


@dataclass(frozen=True)
class Problem:
    """One failed identity. `code` names it as in STANDARDS.md 1.3 (H1, S1, ...) or, for
    checks of our own, R (reasons), T (stopping rule) and O (other column). `box` is the field
    whose number is wrong given the others (e.g. "stages[1].screened", "dbr_assessed")."""

    code: str
    severity: Severity
    box: str
    expected: int
    actual: int
    message: Bilingual


def _mismatch(
    code: str,
    box: str,
    label: Bilingual,
    actual: int,
    expected: int,
    rule: Bilingual,
    terms: Sequence[int] = (),
    severity: Severity = Severity.ERROR,
) -> Problem:
    """A box whose number differs from what its neighbours give: "<box> is 7, but <rule> gives
    9". `rule` may hold {} placeholders for `terms`, written in each language's number style."""
    da_actual, en_actual = _both(actual)
    da_expected, en_expected = _both(expected)
    da_rule = rule[0].format(*(_num(term, "da") for term in terms))
    en_rule = rule[1].format(*(_num(term, "en") for term in terms))
    return Problem(
        code=code,
        severity=severity,
        box=box,
        expected=expected,
        actual=actual,
        message=(
            f"{label[0]} er {da_actual}, men {da_rule} giver {da_expected}.",
            f"{label[1]} is {en_actual}, but {en_rule} gives {en_expected}.",
        ),
    )


def _too_many(
    code: str,
    box: str,
    label: Bilingual,
    actual: int,
    limit: int,
    limit_label: Bilingual,
    severity: Severity = Severity.ERROR,
) -> Problem:
    """A box holding more than the box it splits from: "<box> is 9, more than <limit> (7)"."""
    da_actual, en_actual = _both(actual)
    da_limit, en_limit = _both(limit)
    return Problem(
        code=code,
        severity=severity,
        box=box,
        expected=limit,
        actual=actual,
        message=(
            f"{label[0]} er {da_actual}, mere end {_lower_first(limit_label[0])} ({da_limit}).",
            f"{label[1]} is {en_actual}, more than {_lower_first(limit_label[1])} ({en_limit}).",
        ),
    )


def _lower_first(text: str) -> str:
    # Labels start a sentence; inside one only their first letter drops (stage names keep case).
    return text[:1].lower() + text[1:]


def _stage_label(stage: ScreeningStage, key: str) -> Bilingual:
    da, en = LABELS[key]
    return f"{da} ({stage.name})", f"{en} ({stage.name})"


def _column_label(key: str, column: str) -> Bilingual:
    da, en = LABELS[key]
    suffix = LABELS["via_databases"] if column == "dbr" else LABELS["via_other"]
    return f"{da} {suffix[0]}", f"{en} {suffix[1]}"


def _check_excluded(
    box: str,
    label: Bilingual,
    excluded: int,
    reasons: Mapping[str, int],
    automatic: int,
    base: int,
    base_label: Bilingual,
) -> list[Problem]:
    """An exclusion box: at most what entered, and its reasons (plus automatic) add up."""
    problems = []
    if excluded > base:
        problems.append(_too_many("R2", box, label, excluded, base, base_label))
    if reasons:
        total = sum(reasons.values()) + automatic
        if total != excluded:
            rule = ("summen af begrundelserne", "the sum of the reasons")
            if automatic:
                rule = (f"{rule[0]} plus stopreglens", f"{rule[1]} plus the stopping rule's")
            problems.append(_mismatch("R1", box, label, excluded, total, rule))
    return problems


def _check_retrieval(column: Retrieval, prefix: str, code: str) -> list[Problem]:
    """H2/H3 and the exclusion box of one column's report boxes."""
    problems = []
    expected = column.sought.value - column.not_retrieved.value
    if column.assessed.value != expected:
        problems.append(
            _mismatch(
                code,
                f"{prefix}_assessed",
                _column_label("assessed", prefix),
                column.assessed.value,
                expected,
                (
                    "rapporter søgt fremskaffet ({}) minus rapporter ikke fremskaffet ({})",
                    "reports sought ({}) minus reports not retrieved ({})",
                ),
                (column.sought.value, column.not_retrieved.value),
            )
        )
    if column.not_retrieved.value > column.sought.value:
        problems.append(
            _too_many(
                "R2",
                f"{prefix}_notretrieved_reports",
                _column_label("not_retrieved", prefix),
                column.not_retrieved.value,
                column.sought.value,
                _column_label("sought", prefix),
            )
        )
    label = _column_label("reports_excluded", prefix)
    problems += _check_excluded(
        f"{prefix}_excluded",
        label,
        column.excluded.value,
        column.excluded_by_reason,
        0,
        column.assessed.value,
        _column_label("assessed", prefix),
    )
    if column.excluded.value and not column.excluded_by_reason:
        # PRISMA asks for reasons for every excluded report (item 16a).
        problems.append(
            Problem(
                code="R3",
                severity=Severity.WARNING,
                box=f"{prefix}_excluded",
                expected=column.excluded.value,
                actual=0,
                message=(
                    f"{label[0]}: {_num(column.excluded.value, 'da')} uden begrundelser.",
                    f"{label[1]}: {_num(column.excluded.value, 'en')} without reasons.",
                ),
            )
        )
    return problems


def flow_check(flow: FlowInput) -> list[Problem]:
    """Every identity of STANDARDS.md 1.3 that the flow breaks, in the diagram's order.

    Errors: screened = identified - removed before screening (H1); each stage screens what the
    previous one kept (the stage chain, also H1); assessed = sought - not retrieved in each
    column (H2, H3); reports of included studies = the reports both columns kept (H4);
    studies <= reports (H7); reasons add up to their exclusion box, which is at most what
    entered it (R1, R2); a stopping rule excludes part of a stage, not more (T1); records from
    other methods need the other-methods column (O1).
    Records and reports still undecided (`undecided`) are in no box, but they entered their
    stage: the chain counts them with the screened (or sought) ones.
    Warnings, because a record can lead to several reports or none: reports sought = records
    kept by the last stage (S1); other-methods reports sought <= records identified (S2); full-
    text exclusions without reasons (R3).
    """
    problems: list[Problem] = []
    identified = flow.identified_databases
    entering = identified - flow.removed_before_screening
    entering_rule: Bilingual = (
        "poster identificeret ({}) minus poster fjernet før screening ({})",
        "records identified ({}) minus records removed before screening ({})",
    )
    entering_terms = (identified, flow.removed_before_screening)

    for i, stage in enumerate(flow.stages):
        label = _stage_label(stage, "records_screened")
        if stage.screened.value + stage.undecided != entering:
            problems.append(
                _mismatch(
                    "H1",
                    f"stages[{i}].screened",
                    label,
                    stage.screened.value + stage.undecided,
                    entering,
                    entering_rule,
                    entering_terms,
                )
            )
        rule_excluded = stage.excluded_by_rule.value if stage.excluded_by_rule else 0
        excluded_label = _stage_label(stage, "records_excluded")
        problems += _check_excluded(
            f"stages[{i}].excluded",
            excluded_label,
            stage.excluded.value,
            stage.excluded_by_reason,
            rule_excluded,
            stage.screened.value,
            label,
        )
        if rule_excluded > stage.excluded.value:
            problems.append(
                _too_many(
                    "T1",
                    f"stages[{i}].excluded_by_rule",
                    (
                        f"{excluded_label[0]} {LABELS['by_rule'][0]}",
                        f"{excluded_label[1]} {LABELS['by_rule'][1]}",
                    ),
                    rule_excluded,
                    stage.excluded.value,
                    excluded_label,
                )
            )
        entering = stage.screened.value - stage.excluded.value
        # The stage name is user text: braces in it must not act as placeholders.
        da, en = (_lower_first(part).replace("{", "{{").replace("}", "}}") for part in label)
        entering_rule = (
            f"{da} ({{}}) minus de ekskluderede ({{}})",
            f"{en} ({{}}) minus those excluded ({{}})",
        )
        entering_terms = (stage.screened.value, stage.excluded.value)

    if flow.fulltext.sought.value + flow.fulltext.undecided != entering:
        problems.append(
            _mismatch(
                "S1",
                "dbr_sought_reports",
                _column_label("sought", "dbr"),
                flow.fulltext.sought.value + flow.fulltext.undecided,
                entering,
                entering_rule,
                entering_terms,
                Severity.WARNING,
            )
        )
    problems += _check_retrieval(flow.fulltext, "dbr", "H2")

    other_identified = flow.identified_other
    kept_other = 0
    if flow.other is None:
        if other_identified:
            problems.append(
                Problem(
                    code="O1",
                    severity=Severity.ERROR,
                    box="other",
                    expected=0,
                    actual=other_identified,
                    message=(
                        f"{_num(other_identified, 'da')} poster er identificeret via andre "
                        "metoder, men flowet har ingen kolonne for andre metoder.",
                        f"{_num(other_identified, 'en')} records were identified via other "
                        "methods, but the flow has no other-methods column.",
                    ),
                )
            )
    else:
        if flow.other.sought.value > other_identified:
            problems.append(
                _too_many(
                    "S2",
                    "other_sought_reports",
                    _column_label("sought", "other"),
                    flow.other.sought.value,
                    other_identified,
                    _column_label("identified", "other"),
                    Severity.WARNING,
                )
            )
        problems += _check_retrieval(flow.other, "other", "H3")
        kept_other = flow.other.included

    kept = flow.fulltext.included + kept_other
    if flow.included_reports.value != kept:
        problems.append(
            _mismatch(
                "H4",
                "new_reports",
                LABELS["reports_included"],
                flow.included_reports.value,
                kept,
                (
                    "rapporter vurderet minus rapporter ekskluderet, i begge kolonner ({} + {})",
                    "reports assessed minus reports excluded, in both columns ({} + {})",
                ),
                (flow.fulltext.included, kept_other),
            )
        )
    if flow.included_studies.value > flow.included_reports.value:
        # Every included study has at least one report.
        problems.append(
            _too_many(
                "H7",
                "new_studies",
                LABELS["studies_included"],
                flow.included_studies.value,
                flow.included_reports.value,
                LABELS["reports_included"],
            )
        )
    return problems


# ---------------------------------------------------------------------------------------------
# SVG diagram

FONT_SIZE = 13
LINE_HEIGHT = 17
PAD = 8
ROW_GAP = 30
# Average advance of a sans-serif glyph; wrapping is by characters, so it is approximate and
# errs wide. A browser lays out SVG text without wrapping, hence the manual line breaks.
CHAR_WIDTH = 0.56 * FONT_SIZE
BAND_X, BAND_W = 10, 30
MAIN_W, SIDE_W, ARROW_W, COLUMN_GAP = 260, 250, 40, 40
DB_MAIN_X = BAND_X + BAND_W + 20
DB_SIDE_X = DB_MAIN_X + MAIN_W + ARROW_W
OTHER_MAIN_X = DB_SIDE_X + SIDE_W + COLUMN_GAP
OTHER_SIDE_X = OTHER_MAIN_X + MAIN_W + ARROW_W
HEADER_FILL = {
    "databases_column": "#ffd966",
    "other_column": "#d9d9d9",
}  # PRISMA's yellow and grey title boxes
BAND_FILL = "#9dc3e6"

# Characters XML 1.0 cannot hold even escaped; a pasted source name may carry them.
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Line = tuple[str, bool]  # text, bold


@dataclass
class _Box:
    x: int
    w: int
    lines: list[Line]
    fill: str = "#ffffff"
    centred: bool = False
    y: int = 0

    @property
    def h(self) -> int:
        return len(self.lines) * LINE_HEIGHT + 2 * PAD

    @property
    def bottom(self) -> int:
        return self.y + self.h

    @property
    def cx(self) -> int:
        return self.x + self.w // 2


def _text(value: str) -> str:
    return escape(_XML_INVALID.sub("", value))


_COUNT = re.compile(r"\(n = [^)]*\)")


def _wrap(parts: Sequence[Line], width: int) -> list[Line]:
    """Break each text into lines that fit `width`, never inside a "(n = 1,008)"."""
    chars = max(10, int((width - 2 * PAD) / CHAR_WIDTH))
    lines: list[Line] = []
    for text, bold in parts:
        # \x01 is not whitespace to textwrap, so a count stays one word; it is put back as a
        # space afterwards. _XML_INVALID has already removed any \x01 of the text's own.
        clean = _XML_INVALID.sub("", text)
        glued = _COUNT.sub(lambda match: match.group().replace(" ", "\x01"), clean)
        wrapped = textwrap.wrap(glued, chars) or [""]
        lines += [(piece.replace("\x01", " "), bold) for piece in wrapped]
    return lines


def _n(count: Count | int, language: Language, reported: bool = False) -> str:
    if isinstance(count, Count):
        value, reported = count.value, count.reported or reported
    else:
        value = count
    return f"(n = {_num(value, language)}{'†' if reported else ''})"


def _labelled(key: str, count: Count | int, language: Language, reported: bool = False) -> str:
    return f"{_label(key, language)} {_n(count, language, reported)}"


def _sources_lines(
    flow: FlowInput, kinds: Sequence[tuple[SourceKind, str | None]], language: Language
) -> list[Line]:
    """Per-source counts (PRISMA footnote *: per database where feasible), with a total per
    kind when a kind has several sources."""
    lines: list[Line] = [(_label("identified_from", language), True)]
    for kind, total_key in kinds:
        of_kind = [s for s in flow.sources if s.kind == kind]
        lines += [(f"{s.name} {_n(s.count, language)}", False) for s in of_kind]
        if total_key and len(of_kind) > 1:
            reported = any(s.count.reported for s in of_kind)
            lines.append((_labelled(total_key, flow.identified(kind), language, reported), False))
    return lines


def _reasons_lines(reasons: Mapping[str, int], language: Language) -> list[Line]:
    return [(f"{reason} {_n(n, language)}", False) for reason, n in reasons.items()]


def _stage_boxes(stage: ScreeningStage, language: Language) -> tuple[_Box, _Box]:
    main = [
        (f"{_label('records_screened', language)} ({stage.name})", True),
        (_n(stage.screened, language), False),
    ]
    side = [
        (_label("records_excluded", language), True),
        (_n(stage.excluded, language), False),
        *_reasons_lines(stage.excluded_by_reason, language),
    ]
    if stage.excluded_by_rule is not None:
        # PRISMA footnote **: exclusions by a person and by automation, separately.
        by_rule = stage.excluded_by_rule
        human = stage.excluded.value - by_rule.value
        reported = stage.excluded.reported or by_rule.reported
        rule_name = f" ({stage.stopping_rule})" if stage.stopping_rule else ""
        side += [
            (f"{_label('by_human', language)} {_n(human, language, reported)}", False),
            (f"{_label('by_rule', language)}{rule_name} {_n(by_rule, language)}", False),
        ]
    return _Box(DB_MAIN_X, MAIN_W, _wrap(main, MAIN_W)), _Box(
        DB_SIDE_X, SIDE_W, _wrap(side, SIDE_W)
    )


def _retrieval_boxes(
    column: Retrieval, main_x: int, side_x: int, language: Language
) -> list[tuple[_Box, _Box]]:
    def box(x: int, w: int, parts: list[Line]) -> _Box:
        return _Box(x, w, _wrap(parts, w))

    def head(key: str, count: Count) -> list[Line]:
        return [(_label(key, language), True), (_n(count, language), False)]

    excluded = head("reports_excluded", column.excluded)
    excluded += _reasons_lines(column.excluded_by_reason, language)
    return [
        (
            box(main_x, MAIN_W, head("sought", column.sought)),
            box(side_x, SIDE_W, head("not_retrieved", column.not_retrieved)),
        ),
        (
            box(main_x, MAIN_W, head("assessed", column.assessed)),
            box(side_x, SIDE_W, excluded),
        ),
    ]


def _summary(flow: FlowInput, language: Language) -> str:
    """The diagram as sentences, for the SVG's <desc>: what a screen reader announces."""

    def say(*keys: str, value: int, stage: str = "") -> str:
        label = " ".join(_label(key, language).rstrip(":") for key in keys)
        named = f" ({stage})" if stage else ""
        return f"{label}{named}: {_num(value, language)}."

    parts = [
        say("identified", "via_databases", value=flow.identified_databases),
        say("removed_before", value=flow.removed_before_screening),
    ]
    for stage in flow.stages:
        parts.append(say("records_screened", value=stage.screened.value, stage=stage.name))
        parts.append(say("records_excluded", value=stage.excluded.value, stage=stage.name))
    columns = [("via_databases", flow.fulltext)]
    if flow.other is not None:
        parts.append(say("identified", "via_other", value=flow.identified_other))
        columns.append(("via_other", flow.other))
    for via, column in columns:
        for key, count in (
            ("sought", column.sought),
            ("not_retrieved", column.not_retrieved),
            ("assessed", column.assessed),
            ("reports_excluded", column.excluded),
        ):
            parts.append(say(key, via, value=count.value))
    parts.append(say("studies_included", value=flow.included_studies.value))
    parts.append(say("reports_included", value=flow.included_reports.value))
    return " ".join(parts)


Row = tuple[str | None, dict[str, _Box]]  # (phase, {slot: box}), slots "db_main", "db_side", ...


def _header_row(has_other: bool, language: Language) -> Row:
    def title_box(key: str, x: int, right: int) -> _Box:
        lines = _wrap([(_label(key, language), True)], right - x)
        return _Box(x, right - x, lines, HEADER_FILL[key], centred=True)

    boxes = {"db": title_box("databases_column", DB_MAIN_X, DB_SIDE_X + SIDE_W)}
    if has_other:
        boxes["other"] = title_box("other_column", OTHER_MAIN_X, OTHER_SIDE_X + SIDE_W)
    return None, boxes


def _identification_row(flow: FlowInput, language: Language) -> Row:
    removed: list[Line] = [
        (_label("removed_before", language), True),
        (_labelled("duplicates", flow.duplicates, language), False),
    ]
    for key, count in (
        ("removed_automatic", flow.removed_automatic),
        ("removed_other", flow.removed_other),
    ):
        if count.value or count.reported:
            removed.append((_labelled(key, count, language), False))
    database_kinds = [
        (SourceKind.DATABASE, "databases_total"),
        (SourceKind.REGISTER, "registers_total"),
    ]
    boxes = {
        "db_main": _Box(
            DB_MAIN_X, MAIN_W, _wrap(_sources_lines(flow, database_kinds, language), MAIN_W)
        ),
        "db_side": _Box(DB_SIDE_X, SIDE_W, _wrap(removed, SIDE_W)),
    }
    if flow.other is not None:
        other_kinds = [(kind, None) for kind in SourceKind if not kind.in_database_column]
        boxes["other_main"] = _Box(
            OTHER_MAIN_X, MAIN_W, _wrap(_sources_lines(flow, other_kinds, language), MAIN_W)
        )
    return "identification", boxes


def _included_row(flow: FlowInput, language: Language) -> Row:
    lines: list[Line] = [
        (_labelled("studies_included", flow.included_studies, language), True),
        (_labelled("reports_included", flow.included_reports, language), True),
    ]
    if flow.other is not None:
        # The report's "16 from the search and 3 from snowballing": reports kept per column.
        lines += [
            (f"{_label('via_databases', language)} {_n(flow.fulltext.included, language)}", False),
            (f"{_label('via_other', language)} {_n(flow.other.included, language)}", False),
        ]
    return "included", {"db_main": _Box(DB_MAIN_X, MAIN_W, _wrap(lines, MAIN_W))}


def _rows(flow: FlowInput, language: Language) -> list[Row]:
    """The boxes row by row, top to bottom, placed vertically (each row as tall as its tallest
    box); columns line up so that both columns' report boxes share rows."""
    rows = [_header_row(flow.other is not None, language), _identification_row(flow, language)]
    for stage in flow.stages:
        main, side = _stage_boxes(stage, language)
        rows.append(("screening", {"db_main": main, "db_side": side}))
    db_rows = _retrieval_boxes(flow.fulltext, DB_MAIN_X, DB_SIDE_X, language)
    other_rows = (
        _retrieval_boxes(flow.other, OTHER_MAIN_X, OTHER_SIDE_X, language) if flow.other else []
    )
    for i, (main, side) in enumerate(db_rows):
        row = {"db_main": main, "db_side": side}
        if other_rows:
            row["other_main"], row["other_side"] = other_rows[i]
        rows.append(("screening", row))
    rows.append(_included_row(flow, language))
    y = 10
    for _, boxes in rows:
        for box in boxes.values():
            box.y = y
        y += max(box.h for box in boxes.values()) + ROW_GAP
    return rows


def _draw_bands(rows: list[Row], language: Language) -> list[str]:
    """The blue phase labels down the left side, each as tall as its rows."""
    drawn = []
    for phase in ("identification", "screening", "included"):
        in_phase = [boxes for p, boxes in rows if p == phase]
        if not in_phase:
            continue
        top = min(b.y for b in in_phase[0].values())
        bottom = max(b.bottom for b in in_phase[-1].values())
        cx, cy = BAND_X + BAND_W // 2, (top + bottom) // 2
        drawn.append(
            f'<rect x="{BAND_X}" y="{top}" width="{BAND_W}" height="{bottom - top}" rx="4" '
            f'fill="{BAND_FILL}" stroke="#000000"/>'
        )
        drawn.append(
            f'<text x="{cx}" y="{cy}" transform="rotate(-90 {cx} {cy})" text-anchor="middle" '
            f'dominant-baseline="middle" font-weight="bold">{_text(_label(phase, language))}</text>'
        )
    return drawn


def _draw_box(box: _Box) -> list[str]:
    drawn = [
        f'<rect x="{box.x}" y="{box.y}" width="{box.w}" height="{box.h}" '
        f'fill="{box.fill}" stroke="#000000"/>'
    ]
    x = box.cx if box.centred else box.x + PAD
    anchor = ' text-anchor="middle"' if box.centred else ""
    for i, (text, bold) in enumerate(box.lines):
        weight = ' font-weight="bold"' if bold else ""
        line_y = box.y + PAD + (i + 1) * LINE_HEIGHT - 4
        drawn.append(f'<text x="{x}" y="{line_y}"{anchor}{weight}>{_text(text)}</text>')
    return drawn


def _draw_arrows(rows: list[Row], marker: str) -> list[str]:
    """Down each column from main box to main box, across from each main box to its side box,
    and from the other column's last box round into the shared included box."""
    end = f' stroke="#000000" marker-end="url(#{marker})"'
    drawn = []
    for column in ("db", "other"):
        mains = [boxes[f"{column}_main"] for _, boxes in rows if f"{column}_main" in boxes]
        for upper, lower in itertools.pairwise(mains):
            x, y1, y2 = upper.cx, upper.bottom, lower.y - 2
            drawn.append(f'<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}"{end}/>')
        for _, boxes in rows:
            main, side = boxes.get(f"{column}_main"), boxes.get(f"{column}_side")
            if main and side:
                mid = main.y + min(main.h, side.h) // 2
                drawn.append(
                    f'<line x1="{main.x + main.w}" y1="{mid}" x2="{side.x - 2}" y2="{mid}"{end}/>'
                )
    other_last, included = rows[-2][1].get("other_main"), rows[-1][1]["db_main"]
    if other_last is not None:
        mid = included.y + included.h // 2
        drawn.append(
            f'<polyline points="{other_last.cx},{other_last.bottom} {other_last.cx},{mid} '
            f'{included.x + included.w + 2},{mid}" fill="none"{end}/>'
        )
    return drawn


_ID_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def flow_svg(
    flow: FlowInput,
    language: Language = "en",
    *,
    title: str | None = None,
    id_prefix: str = "prisma",
) -> str:
    """The PRISMA 2020 diagram (new review; databases and registers, and other methods when
    `flow.other` is set) as a standalone SVG document.

    Each of our record-level stages gets its own screened/excluded pair, so a reader sees where
    records left. Counts marked `reported` carry a dagger explained in a footnote. The SVG has
    role="img" with <title> and <desc> (the whole flow as sentences) for screen readers, and all
    user text (source names, stage names, reasons) is XML-escaped. `id_prefix` keeps element
    ids unique when a page inlines more than one diagram.
    """
    if language not in ("en", "da"):
        raise ValueError(f"language must be 'en' or 'da', not {language!r}")
    if not _ID_PREFIX.fullmatch(id_prefix):
        raise ValueError(f"id_prefix must be a plain identifier, not {id_prefix!r}")
    rows = _rows(flow, language)
    width = (OTHER_SIDE_X if flow.other is not None else DB_SIDE_X) + SIDE_W + 10
    body = _draw_bands(rows, language)
    for _, boxes in rows:
        for box in boxes.values():
            body += _draw_box(box)
    body += _draw_arrows(rows, f"{id_prefix}-arrow")

    height = max(box.bottom for _, boxes in rows for box in boxes.values()) + ROW_GAP
    if any(count.reported for count in flow.counts()):
        for text, _ in _wrap([(_label("reported_note", language), False)], width - DB_MAIN_X):
            body.append(f'<text x="{DB_MAIN_X}" y="{height}" font-size="11">{_text(text)}</text>')
            height += LINE_HEIGHT

    doc_title = title if title is not None else _label("title", language)
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" xml:lang="{language}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc" '
        f'font-family="sans-serif" font-size="{FONT_SIZE}">',
        f'<title id="{id_prefix}-title">{_text(doc_title)}</title>',
        f'<desc id="{id_prefix}-desc">{_text(_summary(flow, language))}</desc>',
        f'<defs><marker id="{id_prefix}-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
        '<path d="M 0 0 L 10 5 L 0 10 z" fill="#000000"/></marker></defs>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    return "\n".join([*head, *body, "</svg>", ""])


# ---------------------------------------------------------------------------------------------
# PRISMA2020 R package / Shiny app CSV

PRISMA_CSV_FIELDS: tuple[str, ...] = (
    "data",
    "node",
    "box",
    "description",
    "boxtext",
    "tooltips",
    "url",
    "n",
)

_REASON_DEFAULT = "Reason1, xxx; Reason2, xxx; Reason3, xxx"
_REPORTS_EXCLUDED_HELP = "[separate reasons and numbers using ; e.g. " + _REASON_DEFAULT
# The template `inst/extdata/PRISMA.csv` of prisma-flowdiagram/PRISMA2020, row for row, without
# `n` (STANDARDS.md 1.4). The last two rows (box17, meta-analysis) are the 1.1.x additions.
# Its quirks are kept on purpose (organisation_results has an empty node, the tooltips of
# dbr_excluded): the Shiny app compares uploaded rows with this text.
# fmt: off
_PRISMA_TEMPLATE: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("NA", "node4", "prevstud", "Grey title box; Previous studies", "Previous studies",
     "Grey title box; Previous studies", "prevstud.html"),
    ("previous_studies", "node5", "box1", "Studies included in previous version of review",
     "Studies included in previous version of review",
     "Studies included in previous version of review", "previous_studies.html"),
    ("previous_reports", "NA", "box1", "Reports of studies included in previous version of review",
     "Reports of studies included in previous version of review", "NA", "previous_reports.html"),
    ("NA", "node6", "newstud",
     "Yellow title box; Identification of new studies via databases and registers",
     "Identification of new studies via databases and registers",
     "Yellow title box; Identification of new studies via databases and registers", "newstud.html"),
    ("database_results", "node7", "box2", "Records identified from: Databases", "Databases",
     "Records identified from: Databases and Registers", "database_results.html"),
    ("database_specific_results", "NA", "box2", "Records identified from: specific databases",
     "Specific Databases", "NA", "database_results.html"),
    ("register_results", "NA", "box2", "Records identified from: Registers", "Registers", "NA",
     "NA"),
    ("register_specific_results", "NA", "box2", "Records identified from: specific registers",
     "Specific Registers", "NA", "database_results.html"),
    ("NA", "node16", "othstud", "Grey title box; Identification of new studies via other methods",
     "Identification of new studies via other methods",
     "Grey title box; Identification of new studies via other methods", "othstud.html"),
    ("website_results", "node17", "box11", "Records identified from: Websites", "Websites",
     "Records identified from: Websites, Organisations and Citation Searching",
     "website_results.html"),
    ("organisation_results", "", "box11", "Records identified from: Organisations", "Organisations",
     "NA", "NA"),
    ("citations_results", "NA", "box11", "Records identified from: Citation searching",
     "Citation searching", "NA", "NA"),
    ("duplicates", "node8", "box3", "Duplicate records", "Duplicate records", "Duplicate records",
     "duplicates.html"),
    ("excluded_automatic", "NA", "box3", "Records marked as ineligible by automation tools",
     "Records marked as ineligible by automation tools", "NA", "NA"),
    ("excluded_other", "NA", "box3", "Records removed for other reasons",
     "Records removed for other reasons", "NA", "NA"),
    ("records_screened", "node9", "box4", "Records screened (databases and registers)",
     "Records screened", "Records screened (databases and registers)", "records_screened.html"),
    ("records_excluded", "node10", "box5", "Records excluded (databases and registers)",
     "Records excluded", "Records excluded (databases and registers)", "records_excluded.html"),
    ("dbr_sought_reports", "node11", "box6",
     "Reports sought for retrieval (databases and registers)", "Reports sought for retrieval",
     "Reports sought for retrieval (databases and registers)", "dbr_sought_reports.html"),
    ("dbr_notretrieved_reports", "node12", "box7",
     "Reports not retrieved (databases and registers)", "Reports not retrieved",
     "Reports not retrieved (databases and registers)", "dbr_notretrieved_reports.html"),
    ("other_sought_reports", "node18", "box12", "Reports sought for retrieval (other)",
     "Reports sought for retrieval", "Reports sought for retrieval (other)",
     "other_sought_reports.html"),
    ("other_notretrieved_reports", "node19", "box13", "Reports not retrieved (other)",
     "Reports not retrieved", "Reports not retrieved (other)", "other_notretrieved_reports.html"),
    ("dbr_assessed", "node13", "box8", "Reports assessed for eligibility (databases and registers)",
     "Reports assessed for eligibility",
     "Reports assessed for eligibility (databases and registers)", "dbr_assessed.html"),
    ("dbr_excluded", "node14", "box9",
     f"Reports excluded (databases and registers): {_REPORTS_EXCLUDED_HELP}]", "Reports excluded",
     "Reports excluded (databases and registers)", "dbrexcludedrecords.html"),
    ("other_assessed", "node20", "box14", "Reports assessed for eligibility (other)",
     "Reports assessed for eligibility", "Reports assessed for eligibility (other)",
     "other_assessed.html"),
    ("other_excluded", "node21", "box15", f"Reports excluded (other): {_REPORTS_EXCLUDED_HELP}]",
     "Reports excluded", "Reports excluded (other)", "other_excluded.html"),
    ("new_studies", "node15", "box10", "New studies included in review",
     "New studies included in review", "New studies included in review", "new_studies.html"),
    ("new_reports", "NA", "box10", "Reports of new included studies",
     "Reports of new included studies", "NA", "NA"),
    ("total_studies", "node22", "box16", "Total studies included in review",
     "Total studies included in review", "Total studies included in review", "total_studies.html"),
    ("total_reports", "NA", "box16", "Reports of total included studies",
     "Reports of total included studies", "NA", "NA"),
    ("identification", "node1", "identification", "Blue identification box", "Identification",
     "Blue identification box", "identification.html"),
    ("screening", "node2", "screening", "Blue screening box", "Screening", "Blue screening box",
     "screening.html"),
    ("included", "node3", "included", "Blue included box", "Included", "Blue included box",
     "included.html"),
    ("total_studies_ma", "node23", "box17", "Total studies included in meta-analysis",
     "Total studies included in meta-analysis", "Total studies included in meta-analysis",
     "total_studies_meta_analysis.html"),
    ("total_reports_ma", "NA", "box17", "Reports of total included studies in meta-analysis",
     "Reports of total included studies in meta-analysis", "NA", "NA"),
)
# fmt: on
_LIST_DEFAULTS = {
    "database_specific_results": "Database 1, xxx; Database 2, xxx; Database 3, xxx",
    "register_specific_results": "Register 1, xxx; Register 2, xxx; Register 3, xxx",
    "dbr_excluded": _REASON_DEFAULT,
    "other_excluded": _REASON_DEFAULT,
}


def _list_label(text: str) -> str:
    # The package splits entries on ";" and a label from its count on the first ",".
    return " ".join(re.sub("[,;]", " ", text).split())


def _list_value(entries: Sequence[tuple[str, int]], default: str) -> str:
    """ "Label, n; Label, n", or `default` (the template's text) when there is nothing to list:
    the Shiny app turns per-database detail on only when the text differs from the default."""
    if not entries:
        return default
    return "; ".join(f"{_list_label(label)}, {n}" for label, n in entries)


def _excluded_value(column: Retrieval | None) -> str:
    if column is None:
        return "0"
    if not column.excluded_by_reason:
        # Digits alone are read as one unlabelled total.
        return str(column.excluded.value)
    return _list_value(list(column.excluded_by_reason.items()), _REASON_DEFAULT)


def flow_prisma_csv(flow: FlowInput) -> list[dict[str, str]]:
    """Rows of the PRISMA2020 template CSV (write with `csv.DictWriter(fieldnames=
    PRISMA_CSV_FIELDS)`), for the R package's `PRISMA_flowdiagram()` or the Shiny app.

    PRISMA has one screening box, we have several record-level stages, so they collapse:
    records_screened is what entered the first stage (`FlowInput.records_screened`), and
    records_excluded is the sum of every stage's exclusions before full text. The full-text
    stage is already PRISMA's report boxes (dbr_sought_reports ... dbr_excluded). Because each
    stage screens what the previous one kept, the sum equals first-stage screened minus
    reports sought whenever `flow_check` passes; the per-stage split shows only in `flow_svg`,
    and so do the human/stopping-rule split and the reported daggers (the template has no
    field for them).

    Sources map by kind: databases to database_results (names listed in
    database_specific_results), registers to register_results, snowballing to
    citations_results, organisations to organisation_results. The template has no row for
    "other" sources (hand search, experts), so they are added to website_results and its
    boxtext says so. A new review has no previous version (previous_* = 0), its totals equal
    its new studies and reports, and no meta-analysis box (total_*_ma = 0).
    """
    databases = [s for s in flow.sources if s.kind == SourceKind.DATABASE]
    registers = [s for s in flow.sources if s.kind == SourceKind.REGISTER]
    other = flow.other
    other_sources = flow.identified(SourceKind.OTHER)
    websites = flow.identified(SourceKind.WEBSITE)
    values: dict[str, int | str] = {
        "previous_studies": 0,
        "previous_reports": 0,
        "database_results": flow.identified(SourceKind.DATABASE),
        "database_specific_results": _list_value(
            [(s.name, s.count.value) for s in databases],
            _LIST_DEFAULTS["database_specific_results"],
        ),
        "register_results": flow.identified(SourceKind.REGISTER),
        "register_specific_results": _list_value(
            [(s.name, s.count.value) for s in registers],
            _LIST_DEFAULTS["register_specific_results"],
        ),
        "website_results": websites + other_sources,
        "organisation_results": flow.identified(SourceKind.ORGANISATION),
        "citations_results": flow.identified(SourceKind.SNOWBALLING),
        "duplicates": flow.duplicates.value,
        "excluded_automatic": flow.removed_automatic.value,
        "excluded_other": flow.removed_other.value,
        "records_screened": flow.records_screened,
        "records_excluded": flow.records_excluded,
        "dbr_sought_reports": flow.fulltext.sought.value,
        "dbr_notretrieved_reports": flow.fulltext.not_retrieved.value,
        "dbr_assessed": flow.fulltext.assessed.value,
        "dbr_excluded": _excluded_value(flow.fulltext),
        "other_sought_reports": other.sought.value if other else 0,
        "other_notretrieved_reports": other.not_retrieved.value if other else 0,
        "other_assessed": other.assessed.value if other else 0,
        "other_excluded": _excluded_value(other),
        "new_studies": flow.included_studies.value,
        "new_reports": flow.included_reports.value,
        "total_studies": flow.included_studies.value,
        "total_reports": flow.included_reports.value,
        "total_studies_ma": 0,
        "total_reports_ma": 0,
    }
    rows = []
    for data, node, box, description, boxtext, tooltips, url in _PRISMA_TEMPLATE:
        if data == "website_results" and other_sources:
            boxtext = "Websites and other sources" if websites else "Other sources"
        rows.append(
            {
                "data": data,
                "node": node,
                "box": box,
                "description": description,
                "boxtext": boxtext,
                "tooltips": tooltips,
                "url": url,
                "n": str(values.get(data, 0)),
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Counts entered by hand


def reported_keys(stage_count: int) -> list[str]:
    """The boxes a lead may enter by hand, in the diagram's order. Stage boxes are keyed by
    position ("stage1_screened"); the full-text and other-methods boxes by column."""
    keys = ["identified_databases", "duplicates"]
    for position in range(1, stage_count + 1):
        keys += [f"stage{position}_screened", f"stage{position}_excluded"]
    for column in ("fulltext", "other"):
        if column == "other":
            keys.append("identified_other")
        keys += [f"{column}_{box}" for box in ("sought", "not_retrieved", "assessed", "excluded")]
    return [*keys, "included_studies", "included_reports"]


def with_reported(
    flow: FlowInput, reported: Mapping[str, int], language: Language = "en"
) -> FlowInput:
    """The flow with every box a lead entered by hand replaced by that number, marked reported.

    Work done outside the application (a published review's screening, say) is entered this
    way rather than as invented records. A reported identification replaces that column's
    sources with one reported line, since the report gives a total, not a count per database.
    """
    if not reported:
        return flow

    def pick(key: str, derived: Count) -> Count:
        value = reported.get(key)
        return derived if value is None else Count(int(value), reported=True)

    sources = list(flow.sources)
    if reported.get("identified_databases") is not None:
        sources = [s for s in sources if not s.kind.in_database_column]
        sources.insert(
            0,
            SourceCount(
                _label("reported_databases", language),
                Count(int(reported["identified_databases"]), reported=True),
                SourceKind.DATABASE,
            ),
        )
    if reported.get("identified_other") is not None:
        sources = [s for s in sources if s.kind.in_database_column]
        sources.append(
            SourceCount(
                _label("reported_citations", language),
                Count(int(reported["identified_other"]), reported=True),
                SourceKind.SNOWBALLING,
            )
        )
    stages = [
        replace(
            stage,
            screened=pick(f"stage{position}_screened", stage.screened),
            excluded=pick(f"stage{position}_excluded", stage.excluded),
            # Reasons counted from records do not describe a total typed in by hand.
            excluded_by_reason=(
                {}
                if reported.get(f"stage{position}_excluded") is not None
                else stage.excluded_by_reason
            ),
            # A typed-in total is the whole stage: no record of ours waits beside it.
            undecided=(
                0 if reported.get(f"stage{position}_screened") is not None else stage.undecided
            ),
        )
        for position, stage in enumerate(flow.stages, start=1)
    ]

    def column(prefix: str, derived: Retrieval | None) -> Retrieval | None:
        boxes = ("sought", "not_retrieved", "assessed", "excluded")
        if derived is None and not any(reported.get(f"{prefix}_{b}") is not None for b in boxes):
            return None
        base = derived or Retrieval(ZERO, ZERO, ZERO, ZERO)
        excluded_reported = reported.get(f"{prefix}_excluded") is not None
        return replace(
            base,
            **{box: pick(f"{prefix}_{box}", getattr(base, box)) for box in boxes},
            excluded_by_reason={} if excluded_reported else base.excluded_by_reason,
            undecided=0 if reported.get(f"{prefix}_sought") is not None else base.undecided,
        )

    return replace(
        flow,
        sources=sources,
        duplicates=pick("duplicates", flow.duplicates),
        stages=stages,
        fulltext=column("fulltext", flow.fulltext),
        other=column("other", flow.other),
        included_studies=pick("included_studies", flow.included_studies),
        included_reports=pick("included_reports", flow.included_reports),
    )
