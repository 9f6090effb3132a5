"""The pure ranking module: metrics, the estimate of relevant records left, the stopping
rules (constructed cases with known answers), the model on small texts."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import hypergeom

from screening import ranking


def test_wss_of_a_perfect_order_is_the_share_left_unscreened_less_five_percent():
    order = [True] * 10 + [False] * 90

    # 95 % of 10 relevant is 10 (rounded up): found after 10 of 100 records.
    assert ranking.wss(order) == pytest.approx(100 * (90 / 100 - 0.05))


def test_wss_when_the_last_record_is_needed_is_minus_five_percent():
    order = [False] * 99 + [True]

    assert ranking.wss(order) == pytest.approx(-5.0)


def test_rrf_counts_relevant_records_in_the_first_tenth():
    order = [True, False, True] + [False] * 17 + [True, True]  # 22 records: first 3 (ceil 2.2)

    assert ranking.rrf(order) == pytest.approx(50.0)


def test_atd_is_the_mean_position_of_the_relevant_records():
    order = [True, False, False, True] + [False] * 6  # found at 1 and 4 of 10

    assert ranking.atd(order) == pytest.approx(25.0)


@given(st.lists(st.booleans(), min_size=1, max_size=200).filter(any))
def test_metrics_stay_within_their_bounds(order):
    assert -5.0 - 1e-9 <= ranking.wss(order) <= 95.0
    assert 0.0 <= ranking.rrf(order) <= 100.0
    assert 0.0 < ranking.atd(order) <= 100.0


def test_estimate_is_the_recent_rate_times_the_records_left():
    order = [True] * 20 + [False] * 95 + [True] * 5  # latest 100: 5 relevant

    estimate = ranking.remaining_estimate(order, unscreened=1000)

    assert (estimate.window, estimate.recent_relevant, estimate.found) == (100, 5, 25)
    assert estimate.remaining == pytest.approx(50.0)
    # Clopper-Pearson 95 % for 5 of 100: 1.64 % to 11.28 %.
    assert estimate.low == pytest.approx(16.4, abs=0.1)
    assert estimate.high == pytest.approx(112.8, abs=0.1)
    assert estimate.recall == pytest.approx(25 / 75)


def test_estimate_with_no_recent_relevant_record_is_zero_with_an_upper_bound():
    order = [True] * 3 + [False] * 100

    estimate = ranking.remaining_estimate(order, unscreened=500)

    assert estimate.remaining == 0.0
    assert estimate.low == 0.0
    # One-sided rule of three (two-sided 97.5 %): 1 - 0.025 ** (1 / 100) = 3.62 %.
    assert estimate.high == pytest.approx(500 * (1 - 0.025 ** (1 / 100)), rel=1e-6)


def test_estimate_before_any_decision_is_every_record_left():
    estimate = ranking.remaining_estimate([], unscreened=40)

    assert (estimate.remaining, estimate.low, estimate.high) == (40.0, 0.0, 40.0)


def test_irrelevant_streak_counts_back_to_the_latest_relevant_record():
    assert ranking.irrelevant_streak([True, False, True, False, False, False]) == 3
    assert ranking.irrelevant_streak([False, True]) == 0
    assert ranking.irrelevant_streak([]) == 0


def test_streak_rule_advises_stopping_at_its_threshold_only():
    order = [True] + [False] * 50

    assert ranking.stopping_advice("irrelevant_streak", 50, order, 100).stop is True
    assert ranking.stopping_advice("irrelevant_streak", 51, order, 100).stop is False


def test_no_rule_advises_stopping_before_a_relevant_record_is_found():
    order = [False] * 500

    for rule, threshold in [("irrelevant_streak", 10), ("estimate", 100), ("recall_test", 0.5)]:
        assert ranking.stopping_advice(rule, threshold, order, 10).stop is False


def test_estimate_rule_compares_the_upper_bound_with_the_threshold():
    order = [True] * 10 + [False] * 100  # upper bound: 3.62 % of the records left
    advice = ranking.stopping_advice("estimate", 1.0, order, unscreened=20)

    assert advice.value == pytest.approx(20 * (1 - 0.025 ** (1 / 100)))
    assert advice.stop is True
    assert ranking.stopping_advice("estimate", 1.0, order, unscreened=100).stop is False


def test_recall_test_matches_the_hypergeometric_formula_for_one_window():
    # 20 relevant found, the latest 200 records irrelevant, 1000 left. If recall were below
    # 95 %, at least floor(20 / 0.95) + 1 = 22 relevant records would exist, so 2 would be
    # among the 200 + 1000 records from the window on; seeing none in 200 has probability
    # hypergeom(1200, 2, 200).pmf(0). The test takes the smallest p over windows: the
    # longest run of irrelevant records gives it here.
    order = [True] * 20 + [False] * 200

    p = ranking.recall_test_p(order, unscreened=1000, recall_target=0.95)

    assert p == pytest.approx(hypergeom.cdf(0, 1200, 2, 200))
    assert p == pytest.approx((1000 / 1200) * (999 / 1199))


def test_recall_test_advises_stopping_only_with_enough_evidence():
    found_early = [True] * 20 + [False] * 2000
    barely_started = [True] * 20 + [False] * 20

    assert ranking.stopping_advice("recall_test", 0.95, found_early, 200).stop is True
    assert ranking.stopping_advice("recall_test", 0.95, barely_started, 5000).stop is False


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="unknown stopping rule"):
        ranking.stopping_advice("hunch", 1, [True], 1)


TEXTS = [
    "caseworker caseload unemployment job seekers",
    "caseworker meetings and job finding of the unemployed",
    "counselling unemployed job seekers by caseworkers",
    "plant roots and soil bacteria",
    "leaf photosynthesis under drought",
    "soil nitrogen and crop yield",
    "flowering time of wheat",
    "unemployed job seekers and caseworker contact",
]


def test_model_scores_texts_like_the_included_ones_higher():
    features = ranking.text_features(TEXTS)

    scores = ranking.relevance_scores(features, {0: True, 3: False, 4: False})

    assert scores.shape == (len(TEXTS),)
    assert np.all((scores >= 0) & (scores <= 1))
    unlabelled_relevant = [scores[i] for i in (1, 2, 7)]
    unlabelled_irrelevant = [scores[i] for i in (5, 6)]
    assert min(unlabelled_relevant) > max(unlabelled_irrelevant)


def test_model_needs_both_kinds_of_decision():
    features = ranking.text_features(TEXTS)

    with pytest.raises(ValueError, match="at least one relevant and one irrelevant"):
        ranking.relevance_scores(features, {0: True, 1: True})


def test_features_of_empty_texts_do_not_fail():
    features = ranking.text_features(["", "", ""])

    assert features.shape[0] == 3


def test_simulation_screens_every_row_once_priors_first():
    labels = [i in (0, 1, 2, 7) for i in range(len(TEXTS))]
    features = ranking.text_features(TEXTS)

    order = ranking.simulate_order(features, labels, [0, 3], retrain_every=1)

    assert order[:2] == [0, 3]
    assert sorted(order) == list(range(len(TEXTS)))
    # The three other caseworker texts come straight after the priors.
    assert set(order[2:5]) == {1, 2, 7}


def test_simulation_priors_draw_one_of_each_reproducibly():
    labels = [False, True, False, False, True]

    priors = ranking.simulation_priors(labels, seed=3)

    assert priors == ranking.simulation_priors(labels, seed=3)
    assert labels[priors[0]] is True and labels[priors[1]] is False


def test_relevance_band_by_the_stage_wide_rank():
    assert ranking.relevance_band(-1.0) is None
    assert ranking.relevance_band(0.95) == "high"
    assert ranking.relevance_band(0.7) == "medium"
    assert ranking.relevance_band(0.1) == "low"


def test_found_chart_draws_the_curve_and_the_random_line():
    svg = ranking.found_chart_svg(
        [True, False, True, False],
        6,
        x_label="Records screened",
        y_label="Found",
        random_label="Random <order>",
    )

    assert svg.startswith("<svg") and svg.count("<polyline") == 2
    assert "Random &lt;order&gt;" in svg
    assert ">10</text>" in svg  # the x axis runs to every record, screened or not
    assert not math.isnan(float(svg.split('points="')[1].split(",")[0]))


LOOKAHEAD_TEXTS = [
    "caseworker job seekers unemployment counselling",  # 0: relevant
    "plant roots soil bacteria",  # 1: irrelevant
    "caseworker job seekers wheat yield drought",  # 2
    "job seekers wheat yield drought",  # 3: much like 2
    "caseworker counselling of the unemployed",  # 4
    "leaf photosynthesis drought",  # 5
    "soil nitrogen crop yield",  # 6
]


def test_lookahead_drops_the_records_like_one_assumed_irrelevant():
    features = ranking.text_features(LOOKAHEAD_TEXTS)
    labelled = {0: True, 1: False}
    ranks = ranking.relevance_scores(features, labelled, lookahead=1)

    head = ranking.lookahead_order(
        features, np.array([0, 1]), np.array([True, False]), ranks, count=3
    )

    # The model alone ranks 2, then 3 (like 2), then 4; once 2 is taken as irrelevant, 3
    # falls behind 4.
    assert list(np.argsort(-ranks)[1:4]) == [2, 3, 4]
    assert head == [2, 4, 3]


def test_lookahead_head_is_what_retraining_after_each_irrelevant_pick_gives():
    features = ranking.text_features(LOOKAHEAD_TEXTS)
    labelled = {0: True, 1: False}

    scores = ranking.relevance_scores(features, labelled, lookahead=3)

    # Pick the best unlabelled row, label it irrelevant, retrain, three times.
    expected, known = [], dict(labelled)
    for _ in range(3):
        plain = ranking.relevance_scores(features, known, lookahead=1)
        best = max((row for row in range(len(LOOKAHEAD_TEXTS)) if row not in known),
                   key=lambda row: plain[row])  # fmt: skip
        expected.append(best)
        known[best] = False
    unlabelled = [row for row in np.argsort(-scores, kind="stable") if row not in labelled]
    assert [int(row) for row in unlabelled[:3]] == expected
    # Still ranks in [0, 1], every row a different one.
    assert sorted(scores) == pytest.approx(np.arange(len(LOOKAHEAD_TEXTS)) / 6)


@given(st.integers(min_value=0, max_value=10**9))
def test_lookahead_steps_keep_the_fits_within_their_work(training_features):
    steps = ranking.lookahead_steps(training_features)

    assert 1 <= steps <= ranking.LOOKAHEAD
    # Within the work, or at the one fit a ranking needs anyway.
    assert steps == 1 or steps * training_features <= ranking.LOOKAHEAD_WORK
    # And no fewer than the work allows.
    assert steps == ranking.LOOKAHEAD or (steps + 1) * training_features > ranking.LOOKAHEAD_WORK


def test_a_training_set_beyond_the_work_takes_the_models_own_order():
    features = ranking.text_features(LOOKAHEAD_TEXTS)
    labelled = {0: True, 1: False}
    with_lookahead = ranking.relevance_scores(features, labelled, lookahead=3)

    scores = ranking.relevance_scores(features, labelled, lookahead=3, lookahead_work=1)

    assert list(scores) == list(ranking.relevance_scores(features, labelled, lookahead=1))
    assert list(scores) != list(with_lookahead)


def test_simulation_orders_the_rest_by_the_ranking_after_the_last_relevant_row():
    labels = [i in (0, 1, 2, 7) for i in range(len(TEXTS))]
    features = ranking.text_features(TEXTS)

    order = ranking.simulate_order(features, labels, [0, 3], retrain_every=10)

    last = max(i for i, row in enumerate(order) if labels[row])
    known = {row: labels[row] for row in order[: last + 1]}
    scores = ranking.relevance_scores(features, known, lookahead=10)
    rest = [row for row in np.argsort(-scores, kind="stable") if row not in known]
    assert order[last + 1 :] == [int(row) for row in rest]
    assert sorted(order) == list(range(len(TEXTS)))


def _recall_test_p_by_loop(order, unscreened, target):
    """The test as Callaghan & Müller-Hansen write it: one window size at a time."""
    found = sum(order)
    needed = math.floor(found / target) + 1
    best, seen = 1.0, 0
    for n in range(1, len(order) + 1):
        seen += order[len(order) - n]
        missing = needed - (found - seen)
        if missing <= n + unscreened:
            best = min(best, float(hypergeom.cdf(seen, n + unscreened, missing, n)))
    return best


@given(
    order=st.lists(st.booleans(), max_size=300),
    unscreened=st.integers(min_value=0, max_value=2000),
    target=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_recall_test_over_every_window_at_once_equals_the_loop(order, unscreened, target):
    assert ranking.recall_test_p(order, unscreened, recall_target=target) == pytest.approx(
        _recall_test_p_by_loop(order, unscreened, target)
    )


def test_knee_ratio_is_the_pace_before_the_knee_over_the_pace_after():
    # 20 found in the first 40 records, then 400 without a find: the knee is at record 40
    # (pace 1/2), after it 2 supposed finds in 400 records (pace 2/400): ratio 100.
    order = ([False, True] * 20) + [False] * 400
    assert ranking.knee_ratio(order) == pytest.approx((20 / 40) / (2 / 400))


def test_knee_ratio_stays_low_while_finds_keep_coming():
    steady = ([False] * 9 + [True]) * 50
    assert ranking.knee_ratio(steady) < 2
    assert ranking.knee_ratio([]) == 0.0
    assert ranking.knee_ratio([False] * 300) == 0.0


def test_knee_rule_advises_stopping_only_past_the_minimum_and_at_the_threshold():
    dried_up = ([False, True] * 20) + [False] * 400
    early = [False, True] * 20 + [False] * 20  # 60 records: below KNEE_MINIMUM
    slow_tail = ([False, True] * 20) + [False] * 60

    assert ranking.stopping_advice("knee", 20, dried_up, 1000).stop is True
    assert ranking.stopping_advice("knee", 20, early, 1000).stop is False
    assert ranking.stopping_advice("knee", 400, dried_up, 1000).stop is False
    assert ranking.knee_ratio(slow_tail) == pytest.approx((20 / 40) / (2 / 60))
    assert ranking.stopping_advice("knee", 15, slow_tail, 1000).stop is True
    assert ranking.stopping_advice("knee", 16, slow_tail, 1000).stop is False


@given(order=st.lists(st.booleans(), max_size=400))
def test_knee_ratio_is_finite_and_never_negative(order):
    ratio = ranking.knee_ratio(order)
    assert math.isfinite(ratio)
    assert ratio >= 0
