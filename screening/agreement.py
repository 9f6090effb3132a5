"""Agreement between two screeners on the records both decided.

No Django here: the database layer hands over plain decision values, so the statistics can be
unit-tested exactly and reused by exports and benchmarks.

Why three coefficients beside percent agreement: includes are rare at title screening, so both
reviewers say "exclude" to almost everything. Cohen's kappa then reports poor agreement even
when the reviewers nearly always agree, because its chance correction assumes the skewed
margins would produce that agreement anyway (the prevalence paradox, Feinstein & Cicchetti,
J Clin Epidemiol 1990;43:543). Gwet's AC1 (Br J Math Stat Psychol 2008;61:29) and PABAK
(Byrt, Bishop & Carlin, J Clin Epidemiol 1993;46:423) correct for chance in ways that do not
collapse under skewed prevalence, so the screening page shows them next to kappa, each with the
number of records both decided.

Arithmetic is done in `Fraction` and converted to `float` once at the end, so that perfect
agreement is exactly 1.0 and hand-computed test values compare exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

# The screening decisions in the order a table shows them; other values sort after these.
DECISION_ORDER: tuple[str, ...] = ("include", "exclude", "maybe")

# Reasons why a coefficient is undefined, as (Danish, English) for either interface language.
NO_RECORDS: tuple[str, str] = (
    "Ingen poster er vurderet af begge bedømmere.",
    "No records were decided by both reviewers.",
)
KAPPA_ONE_CATEGORY: tuple[str, str] = (
    "Kappa er ikke defineret: begge bedømmere gav alle poster den samme kategori, så den "
    "forventede tilfældige enighed er 1.",
    "Kappa is undefined: both reviewers gave every record the same category, so the agreement "
    "expected by chance is 1.",
)

# Column order for `csv.DictWriter(..., fieldnames=AGREEMENT_CSV_FIELDS)`.
AGREEMENT_CSV_FIELDS: tuple[str, ...] = (
    "stage",
    "reviewer_a",
    "reviewer_b",
    "n",
    "percent",
    "kappa",
    "ac1",
    "pabak",
)


@dataclass(frozen=True)
class Agreement:
    """Agreement of reviewer A (rows) and reviewer B (columns) on `n` records.

    `observed` is the proportion of agreement in [0, 1] (`percent` gives it as a percentage).
    Every statistic is None when `n` is 0; `kappa` is also None when the agreement expected by
    chance is 1, and `undefined_reason` then says why as (Danish, English).
    `confusion[i][j]` counts records that A put in `categories[i]` and B in `categories[j]`.
    """

    n: int
    categories: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]
    observed: float | None
    expected: float | None
    kappa: float | None
    ac1: float | None
    pabak: float | None
    undefined_reason: tuple[str, str] | None = None

    @property
    def percent(self) -> float | None:
        """Percent agreement, 0-100, for display."""
        return None if self.observed is None else 100 * self.observed

    def count(self, decision_a: str, decision_b: str) -> int:
        """Records that A decided `decision_a` and B decided `decision_b` (0 if never seen)."""
        if decision_a not in self.categories or decision_b not in self.categories:
            return 0
        return self.confusion[self.categories.index(decision_a)][self.categories.index(decision_b)]


def _category_key(value: str) -> tuple[int, str]:
    try:
        return (DECISION_ORDER.index(value), "")
    except ValueError:
        return (len(DECISION_ORDER), value)


def _ordered(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values), key=_category_key))


def agreement(
    pairs: Iterable[tuple[str, str]], *, categories: Sequence[str] | None = None
) -> Agreement:
    """Agreement from (decision of A, decision of B) pairs, one per record both decided.

    `categories` fixes the scale when the caller knows it (e.g. a stage that offers "maybe"
    although nobody used it); it changes PABAK and AC1, whose chance terms depend on the number
    of categories. By default the scale is the values that appear, but never fewer than two:
    a screener could always have answered otherwise, and with one category AC1 and PABAK would
    divide by zero.
    """
    pair_list = list(pairs)
    scale = _ordered(
        itertools.chain(categories or (), (value for pair in pair_list for value in pair))
    )
    if categories is not None and len(scale) != len(set(categories)):
        unknown = sorted(set(scale) - set(categories))
        raise ValueError(f"decisions outside the given categories: {unknown}")
    index = {category: i for i, category in enumerate(scale)}
    table = [[0] * len(scale) for _ in scale]
    for decision_a, decision_b in pair_list:
        table[index[decision_a]][index[decision_b]] += 1
    return agreement_from_confusion(scale, table)


def agreement_from_confusion(
    categories: Sequence[str], confusion: Sequence[Sequence[int]]
) -> Agreement:
    """Agreement from a square table of counts (rows reviewer A, columns reviewer B).

    Formulas, with p_ij = confusion[i][j] / n, a_i and b_i the row and column margins, and
    q = max(2, number of categories):

    - observed  po = sum p_ii
    - Cohen     pe = sum a_i * b_i;  kappa = (po - pe) / (1 - pe)
    - Gwet AC1  pi_i = (a_i + b_i) / 2;  pe = sum pi_i (1 - pi_i) / (q - 1);
                AC1 = (po - pe) / (1 - pe)
    - PABAK     (q * po - 1) / (q - 1), i.e. 2 po - 1 for two categories
    """
    scale = tuple(categories)
    table = tuple(tuple(row) for row in confusion)
    if len(table) != len(scale) or any(len(row) != len(scale) for row in table):
        raise ValueError("the confusion table must be square, one row per category")
    if any(count < 0 for row in table for count in row):
        raise ValueError("counts must not be negative")
    n = sum(sum(row) for row in table)
    if n == 0:
        return Agreement(0, scale, table, None, None, None, None, None, NO_RECORDS)

    q = max(2, len(scale))
    po = Fraction(sum(table[i][i] for i in range(len(scale))), n)
    rows = [Fraction(sum(table[i]), n) for i in range(len(scale))]
    cols = [Fraction(sum(row[j] for row in table), n) for j in range(len(scale))]

    pe_cohen = sum((a * b for a, b in zip(rows, cols, strict=True)), Fraction(0))
    kappa: float | None = None
    reason: tuple[str, str] | None = None
    if pe_cohen == 1:
        # Only when both reviewers used one and the same category for every record.
        reason = KAPPA_ONE_CATEGORY
    else:
        kappa = float((po - pe_cohen) / (1 - pe_cohen))

    # The largest possible sum of pi (1 - pi) is 1 - 1/q, so pe_gwet <= 1/q < 1: never zero.
    prevalence = [(a + b) / 2 for a, b in zip(rows, cols, strict=True)]
    pe_gwet = sum((p * (1 - p) for p in prevalence), Fraction(0)) / (q - 1)
    ac1 = (po - pe_gwet) / (1 - pe_gwet)
    pabak = (q * po - 1) / (q - 1)
    return Agreement(
        n=n,
        categories=scale,
        confusion=table,
        observed=float(po),
        expected=float(pe_cohen),
        kappa=kappa,
        ac1=float(ac1),
        pabak=float(pabak),
        undefined_reason=reason,
    )


def agreement_by_pair[R: (int, str)](
    decisions: Iterable[tuple[Hashable, R, str]], *, categories: Sequence[str] | None = None
) -> dict[tuple[R, R], Agreement]:
    """Agreement for every pair of reviewers, from (record id, reviewer id, decision) triples.

    Pass the decisions of one stage. Each pair is keyed (smaller id, larger id) and compares
    only the records both reviewers decided; a pair that shares no record is still returned,
    with n = 0, so a table can show that the two never overlapped. A reviewer deciding a record
    twice with different values is an error: the caller must pass current decisions only.
    """
    by_reviewer: dict[R, dict[Hashable, str]] = {}
    for record_id, reviewer_id, decision in decisions:
        seen = by_reviewer.setdefault(reviewer_id, {})
        if seen.get(record_id, decision) != decision:
            raise ValueError(
                f"reviewer {reviewer_id!r} has two decisions on record {record_id!r}: "
                f"{seen[record_id]!r} and {decision!r}"
            )
        seen[record_id] = decision
    scale = categories
    if scale is None:
        scale = _ordered(value for seen in by_reviewer.values() for value in seen.values())
    result: dict[tuple[R, R], Agreement] = {}
    for reviewer_a, reviewer_b in itertools.combinations(sorted(by_reviewer), 2):
        a, b = by_reviewer[reviewer_a], by_reviewer[reviewer_b]
        shared = [(a[record], b[record]) for record in a if record in b]
        result[(reviewer_a, reviewer_b)] = agreement(shared, categories=scale)
    return result


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def agreement_rows[R: (int, str)](
    by_stage: Mapping[str, Mapping[tuple[R, R], Agreement]],
    *,
    names: Mapping[R, str] | None = None,
) -> list[dict[str, str | int | float | None]]:
    """Rows for `csv.DictWriter(fieldnames=AGREEMENT_CSV_FIELDS)`, one per stage and pair.

    `by_stage` maps a stage name to the result of `agreement_by_pair`; `names` turns reviewer
    ids into the names to print (ids are printed as they are otherwise). Percent is rounded to
    one decimal and the coefficients to three, as a report table shows them; an undefined value
    is None, which `csv` writes as an empty cell.
    """
    rows: list[dict[str, str | int | float | None]] = []
    for stage, pairs in by_stage.items():
        for (reviewer_a, reviewer_b), result in pairs.items():
            rows.append(
                {
                    "stage": stage,
                    "reviewer_a": names[reviewer_a] if names else str(reviewer_a),
                    "reviewer_b": names[reviewer_b] if names else str(reviewer_b),
                    "n": result.n,
                    "percent": _rounded(result.percent, 1),
                    "kappa": _rounded(result.kappa, 3),
                    "ac1": _rounded(result.ac1, 3),
                    "pabak": _rounded(result.pabak, 3),
                }
            )
    return rows
