"""Inter-rater agreement: hand-computed values, the prevalence paradox, the undefined cases, the
per-pair grouping and the CSV rows, and properties that hold for any set of decisions."""

import csv
import io
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.agreement import (
    AGREEMENT_CSV_FIELDS,
    KAPPA_ONE_CATEGORY,
    NO_RECORDS,
    agreement,
    agreement_by_pair,
    agreement_from_confusion,
    agreement_rows,
)

INC, EXC, MAYBE = "include", "exclude", "maybe"


def pairs_from_table(table, categories=(INC, EXC)):
    """(A, B) pairs that reproduce a confusion table (rows A, columns B)."""
    return [
        (categories[i], categories[j])
        for i, row in enumerate(table)
        for j, count in enumerate(row)
        for _ in range(count)
    ]


def test_agreement_textbook_two_by_two():
    # [[20, 5], [10, 15]], n = 50. po = 35/50 = 0.70.
    # Margins: A 25/25 -> 0.5/0.5; B 30/20 -> 0.6/0.4.
    # Cohen: pe = 0.5*0.6 + 0.5*0.4 = 0.50; kappa = (0.70 - 0.50) / 0.50 = 0.40.
    # Gwet: pi = (0.55, 0.45); pe = 2 * 0.55 * 0.45 / (2 - 1) = 0.495;
    #       AC1 = (0.70 - 0.495) / (1 - 0.495) = 0.205 / 0.505 = 0.40594...
    # PABAK = 2 * 0.70 - 1 = 0.40.
    result = agreement(pairs_from_table([[20, 5], [10, 15]]))

    assert result.n == 50
    assert result.categories == (INC, EXC)
    assert result.confusion == ((20, 5), (10, 15))
    assert result.observed == pytest.approx(0.70)
    assert result.percent == pytest.approx(70.0)
    assert result.expected == pytest.approx(0.50)
    assert result.kappa == pytest.approx(0.40)
    assert result.ac1 == pytest.approx(0.205 / 0.505)
    assert result.pabak == pytest.approx(0.40)
    assert result.undefined_reason is None


def test_agreement_from_confusion_matches_pairs():
    table = [[20, 5], [10, 15]]

    assert agreement_from_confusion((INC, EXC), table) == agreement(pairs_from_table(table))


def test_agreement_prevalence_paradox_low_kappa_high_ac1():
    # A title screen: 100 records, includes rare. [[1, 4], [5, 90]].
    # po = 91/100 = 0.91. A includes 0.05, B includes 0.06.
    # Cohen: pe = 0.05*0.06 + 0.95*0.94 = 0.003 + 0.893 = 0.896;
    #        kappa = (0.91 - 0.896) / 0.104 = 0.1346...
    # Gwet: pi = (0.055, 0.945); pe = 2 * 0.055 * 0.945 = 0.10395;
    #       AC1 = (0.91 - 0.10395) / 0.89605 = 0.8996...
    # PABAK = 2 * 0.91 - 1 = 0.82.
    result = agreement(pairs_from_table([[1, 4], [5, 90]]))

    assert result.observed == pytest.approx(0.91)
    assert result.kappa == pytest.approx(0.014 / 0.104)
    assert result.kappa < 0.2
    assert result.ac1 == pytest.approx(0.80605 / 0.89605)
    assert result.ac1 > 0.85
    assert result.pabak == pytest.approx(0.82)


def test_agreement_three_categories_with_maybe():
    # Maybe is a category of its own. Table (A rows, B columns), order include, exclude, maybe:
    #   [[4, 1, 1], [0, 10, 2], [1, 1, 0]], n = 20, po = 14/20 = 0.70.
    # A margins 6/12/2 -> 0.30, 0.60, 0.10; B margins 5/12/3 -> 0.25, 0.60, 0.15.
    # Cohen: pe = 0.075 + 0.36 + 0.015 = 0.45; kappa = 0.25 / 0.55 = 0.4545...
    # Gwet: pi = 0.275, 0.60, 0.125; sum pi(1-pi) = 0.199375 + 0.24 + 0.109375 = 0.54875;
    #       pe = 0.54875 / 2 = 0.274375; AC1 = 0.425625 / 0.725625 = 0.58656...
    # PABAK = (3 * 0.70 - 1) / 2 = 0.55.
    table = [[4, 1, 1], [0, 10, 2], [1, 1, 0]]
    result = agreement(pairs_from_table(table, (INC, EXC, MAYBE)))

    assert result.categories == (INC, EXC, MAYBE)
    assert result.count(EXC, MAYBE) == 2
    assert result.kappa == pytest.approx(0.25 / 0.55)
    assert result.ac1 == pytest.approx(0.425625 / 0.725625)
    assert result.pabak == pytest.approx(0.55)


def test_agreement_no_records_gives_none_with_reason():
    result = agreement([])

    assert result.n == 0
    assert (result.observed, result.kappa, result.ac1, result.pabak) == (None,) * 4
    assert result.percent is None
    assert result.undefined_reason == NO_RECORDS


def test_agreement_one_shared_category_kappa_undefined_ac1_defined():
    result = agreement([(EXC, EXC)] * 12)

    assert result.kappa is None
    assert result.undefined_reason == KAPPA_ONE_CATEGORY
    assert result.observed == 1.0
    assert result.ac1 == 1.0
    assert result.pabak == 1.0


def test_agreement_given_categories_change_pabak():
    # 9 of 10 agree. Two categories: 2*0.9 - 1 = 0.8. Three (maybe offered): (2.7 - 1)/2 = 0.85.
    pairs = [(EXC, EXC)] * 8 + [(INC, INC), (INC, EXC)]

    assert agreement(pairs).pabak == pytest.approx(0.8)
    assert agreement(pairs, categories=(INC, EXC, MAYBE)).pabak == pytest.approx(0.85)


def test_agreement_value_outside_given_categories_raises():
    with pytest.raises(ValueError, match="outside"):
        agreement([(INC, "skip")], categories=(INC, EXC))


def test_agreement_from_confusion_not_square_raises():
    with pytest.raises(ValueError, match="square"):
        agreement_from_confusion((INC, EXC), [[1, 2]])


def test_agreement_by_pair_compares_only_shared_records():
    decisions = [
        (1, "ann", INC),
        (1, "bo", INC),
        (2, "ann", EXC),
        (2, "bo", INC),
        (3, "ann", EXC),  # bo never saw record 3
        (3, "cy", EXC),
        (4, "bo", MAYBE),  # only bo
    ]

    result = agreement_by_pair(decisions)

    assert set(result) == {("ann", "bo"), ("ann", "cy"), ("bo", "cy")}
    assert result[("ann", "bo")].n == 2
    assert result[("ann", "bo")].count(INC, INC) == 1
    assert result[("ann", "bo")].count(EXC, INC) == 1
    assert result[("ann", "cy")].n == 1
    assert result[("bo", "cy")].n == 0
    assert result[("bo", "cy")].undefined_reason == NO_RECORDS
    # The stage's scale (maybe was used by someone) is shared by every pair.
    assert result[("ann", "bo")].categories == (INC, EXC, MAYBE)


def test_agreement_by_pair_orders_keys_whatever_the_input_order():
    decisions = [(1, 7, INC), (1, 3, EXC)]

    assert list(agreement_by_pair(decisions)) == [(3, 7)]
    assert agreement_by_pair(decisions)[(3, 7)].count(EXC, INC) == 1


def test_agreement_by_pair_two_different_decisions_raise():
    with pytest.raises(ValueError, match="two decisions"):
        agreement_by_pair([(1, "ann", INC), (1, "ann", EXC)])


def test_agreement_rows_write_as_csv():
    by_stage = {
        "Title": agreement_by_pair(
            [(r, 1, d) for r, (d, _) in enumerate(pairs_from_table([[20, 5], [10, 15]]))]
            + [(r, 2, d) for r, (_, d) in enumerate(pairs_from_table([[20, 5], [10, 15]]))]
        ),
        "Abstract": {(1, 2): agreement([])},
    }

    rows = agreement_rows(by_stage, names={1: "Ann", 2: "Bo"})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=AGREEMENT_CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)

    assert rows[0] == {
        "stage": "Title",
        "reviewer_a": "Ann",
        "reviewer_b": "Bo",
        "n": 50,
        "percent": 70.0,
        "kappa": 0.4,
        "ac1": 0.406,
        "pabak": 0.4,
    }
    assert out.getvalue() == (
        "stage,reviewer_a,reviewer_b,n,percent,kappa,ac1,pabak\n"
        "Title,Ann,Bo,50,70.0,0.4,0.406,0.4\n"
        "Abstract,Ann,Bo,0,,,,\n"
    )


def test_agreement_rows_without_names_print_ids():
    rows = agreement_rows({"Title": {(3, 7): agreement([(INC, INC)])}})

    assert (rows[0]["reviewer_a"], rows[0]["reviewer_b"]) == ("3", "7")


decision = st.sampled_from([INC, EXC, MAYBE])
decision_pairs = st.lists(st.tuples(decision, decision), max_size=60)


@given(decision_pairs)
def test_agreement_property_bounds(pairs):
    result = agreement(pairs)

    if not pairs:
        assert result.observed is None
        return
    assert 0 <= result.observed <= 1
    assert result.kappa is None or -1 <= result.kappa <= 1
    assert -1 <= result.ac1 <= 1
    assert -1 <= result.pabak <= 1
    assert sum(map(sum, result.confusion)) == result.n == len(pairs)


@given(decision_pairs)
def test_agreement_property_symmetric_in_reviewers(pairs):
    forward = agreement(pairs)
    swapped = agreement([(b, a) for a, b in pairs])

    for name in ("n", "observed", "expected", "kappa", "ac1", "pabak"):
        left, right = getattr(forward, name), getattr(swapped, name)
        assert left == right or math.isclose(left, right, abs_tol=1e-12)
    assert swapped.confusion == tuple(zip(*forward.confusion, strict=True))


@given(st.lists(decision, min_size=1, max_size=60))
def test_agreement_property_perfect_agreement_is_one(decisions):
    result = agreement([(d, d) for d in decisions])

    assert result.observed == 1.0
    assert result.ac1 == 1.0
    assert result.pabak == 1.0
    if len(set(decisions)) > 1:
        assert result.kappa == 1.0
    else:
        assert result.kappa is None
