"""Prioritised screening: text features, the relevance model, the estimate of relevant records
left, stopping rules and the standard simulation metrics (pure Python, no Django).

The app (`screening.services.ranking`) and the simulation (`bench/simulate_screening.py`) call
the same functions here, so what the benchmark measures is what reviewers get.

Features are computed once per record set (`text_features`: TF-IDF is the slow part, seconds
on 10,000 records) and kept; a retrain (`relevance_scores`) fits only the model on the rows
decided so far and scores every row, well under a second on 10,000 records.

The model: a linear SVM (squared hinge, C = 0.11) on TF-IDF word 1-2-grams of title, abstract
and keywords, trained with sample weights that give the few relevant records 9.8 times the
weight of the many irrelevant ones: the same learner as ASReview LAB's default (ELAS u4),
whose parameters were tuned on the SYNERGY sets. Keywords are read too (ASReview reads title
and abstract), and a retrain runs as soon as a relevant record is found besides every K
decisions, beside the reviewers, never in their way.

The look-ahead (`lookahead_order`). ASReview retrains after every record; the app retrains
after every K = 10 decisions (and every include), so between retrains reviewers used to get
the model's next ten in its own order, which repeats its mistakes: ten records alike, the
first irrelevant, the other nine still up front. But a record in the K after a retrain is
only screened before the next retrain if every one before it was irrelevant (an include
retrains at once). So a retrain now also orders its K highest as a model refitted after each
of them, taken as irrelevant, would ("kriging believer" batch selection), and on the path
reviewers actually take they screen what per-record retraining would have handed them, at
K - 1 more fits (0.3 s a retrain on 10,000 records instead of 0.05 s). In the simulation this
reproduces `asreview simulate` record for record on the sets without keywords, where the
plain SVM retrained every 10 was 1.8 WSS@95 points behind on Donners_2021 (55.5 against
57.3, seeds 0-4) and level elsewhere.

Tried on the five labelled sets of bench/asreview_compare.py, seeds 0-4, with the look-ahead
(WSS@95 nudging / ace / Kitchenham_2010 / cohen2006_adhd / Donners_2021; this model: 70.5 /
77.6 / 67.1 / 74.5 / 57.3) and kept out because each lost on at least one set. Rank averages
of the SVM with another learner on the same features:
- multinomial naive Bayes (ELAS u3's alpha 3.822, ratio 1.2): 72.2 / 78.1 / 68.9 / 74.3 / 51.4;
- the same weighted 2 : 1: 72.4 / 77.9 / 67.8 / 74.5 / 51.5;
- logistic regression: 71.7 / 77.7 / 67.2 / 74.5 / 53.3;
- complement naive Bayes: 71.6 / 72.7 / 68.5 / 67.2 / 57.9;
- an SVM at C = 1: 73.0 / 76.8 / 66.0 / 72.4 / 60.1.
With naive Bayes or logistic regression, the one title-only relevant record of Donners_2021
comes last. Also:
- complement naive Bayes alone: 71.6 / 69.8 / 62.1 / 66.3 / 67.5;
- TF-IDF of the title as a second view: 62.0 / 74.3 / 66.9 / 77.3 / 47.6;
- 100 LSA dimensions appended: 71.1 / 72.8 on the first two sets;
- character 3-5-grams appended: 70.3 on nudging, with features 4x slower.
Earlier, oversampling relevant records instead of weighting them was worse. Without the
look-ahead (the model before): 70.8 / 77.5 / 67.0 / 74.3 / 55.5.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import numpy as np

from screening.languages import normalised_words, record_languages

# scipy.stats, scipy.sparse and scikit-learn are imported where they are used: they take
# seconds to import, and every web process imports this module (the screening services do)
# while only the worker trains and only the stage dashboard tests.
if TYPE_CHECKING:
    from scipy import sparse

# Relevant:irrelevant ratio of the total sample weights the models learn with (as
# ASReview's default).
BALANCE_RATIO = 9.8


# The languages whose records the model reads as stems without stop words. English is read
# as written: the learner and its parameters were measured on English sets that way (the
# table above), and TF-IDF's document-frequency cut already drops English function words.
STEMMED_LANGUAGES = frozenset({"da", "no", "sv", "de"})
# Names how record_text and text_features read records; kept features computed under
# another version are computed again (2: stems for the languages above; 3: kept as
# memory-mapped parts with sorted indices, screening.services.ranking).
FEATURES_VERSION = 3


def record_text(
    title: str, abstract: str = "", keywords: Sequence[str] = (), language_field: str = ""
) -> str:
    """What the model reads of a record: title, abstract and keywords; for a Danish,
    Norwegian, Swedish or German record (its language field, else detected) their stems
    without stop words, so "ledige" and "ledighed" count as one term."""
    return record_texts([(title, abstract, keywords, language_field)])[0]


def record_texts(records: Sequence[tuple[str, str, Sequence[str], str]]) -> list[str]:
    """`record_text` of each (title, abstract, keywords, language field), in order; the
    languages the fields do not name are detected together (`languages.record_languages`),
    which on a stage's records is several times faster than one by one."""
    languages = record_languages(
        [(field, title, abstract) for title, abstract, _keywords, field in records]
    )
    texts = []
    for (title, abstract, keywords, _field), language in zip(records, languages, strict=True):
        text = " ".join(part for part in (title, abstract, " ".join(keywords)) if part)
        if language in STEMMED_LANGUAGES:
            text = " ".join(normalised_words(text, language))
        texts.append(text)
    return texts


def text_features(texts: Sequence[str]) -> sparse.csr_matrix:
    """TF-IDF rows for the texts: word 1-2-grams, sublinear term frequency, terms in more
    than 95 % of the texts left out. Unsupervised: it uses no decision, so it is computed
    once per record set and kept."""
    from scipy import sparse  # noqa: PLC0415 -- seconds to import: web processes import this module
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415 -- seconds to import: web processes import this module

    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, max_df=0.95, min_df=1, dtype=np.float32
    )
    try:
        return vectorizer.fit_transform([text or "" for text in texts]).tocsr()
    except ValueError:  # an empty vocabulary: every text empty
        return sparse.csr_matrix((len(texts), 1), dtype=np.float32)


def _rank_scale(scores: np.ndarray) -> np.ndarray:
    """Scores mapped to their rank in [0, 1], ties at their mean rank."""
    order = scores.argsort(kind="stable")
    ranks = np.empty(len(scores), dtype=np.float64)
    ranks[order] = np.arange(len(scores))
    # Ties: the mean rank of the tied block, so equal scores stay equal.
    _values, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    ranks = sums[inverse] / counts[inverse]
    return ranks / max(len(scores) - 1, 1)


def balanced_weights(labels: np.ndarray, ratio: float = BALANCE_RATIO) -> np.ndarray:
    """Sample weights that give the relevant records `ratio` times the total weight of the
    irrelevant ones (as ASReview's "balanced" sample weights), normalised to mean 1: with
    includes at 1-5 %, an unweighted model would learn to call everything irrelevant."""
    relevant = labels.sum()
    irrelevant = len(labels) - relevant
    weights = np.where(labels, 1.0, relevant / (ratio * irrelevant))
    return weights * (len(labels) / weights.sum())


# How many of the next records a ranking orders as if the model were retrained after each of
# them (`relevance_scores`), at most: the app's default retrain interval K. Each step is a
# fit (0.03 s on 10,000 records, 1,000 labelled): 10 keep a retrain near 0.3 s, within its
# 1 s budget; with a longer interval the records after the 10th follow the model's order.
LOOKAHEAD = 10
# A fit costs about its training rows' stored features (liblinear's passes go over them):
# 0.03 s for 1,000 labelled records, 1.2 s for 10,000 (bench/ranking_retrain.py: 375
# features a record). The look-ahead's fits together stay within about this many (1.5 s):
# all its steps up to about 1,300 such labelled records, two at 6,000, none beyond, where
# the head is the model's own order (one more decision moves a model of that many little).
# Reviewers find most relevant records early, so the steps are spent where they count: on
# every shared set 95 % recall comes before 500 records are labelled.
LOOKAHEAD_WORK = 5_000_000
# The look-ahead reorders the head of the ranking: it considers this many of the
# highest-ranked unscreened rows (a record below them does not reach the head in K steps).
LOOKAHEAD_POOL = 300


def _model_scores(
    features: sparse.csr_matrix,
    rows: np.ndarray,
    labels: np.ndarray,
    seed: int,
    score_rows: np.ndarray | None = None,
) -> np.ndarray:
    """The learner's raw scores (higher: more likely relevant) of `score_rows` (default:
    every row), fitted on `rows` with `labels`."""
    from sklearn.svm import LinearSVC  # noqa: PLC0415 -- seconds to import: web processes import this module

    model = LinearSVC(C=0.11, loss="squared_hinge", dual="auto", random_state=seed)
    model.fit(features[rows], labels, sample_weight=balanced_weights(labels))
    return model.decision_function(features if score_rows is None else features[score_rows])


def relevance_scores(
    features: sparse.csr_matrix,
    labelled: dict[int, bool],
    *,
    seed: int = 0,
    lookahead: int = LOOKAHEAD,
    lookahead_work: int = LOOKAHEAD_WORK,
) -> np.ndarray:
    """A relevance score in [0, 1] for every row of `features`, learned from the rows in
    `labelled` (row -> relevant). Needs at least one relevant and one irrelevant row.

    Higher is more likely relevant; the score is the row's rank among all rows scaled to
    [0, 1], not a probability (see `relevance_band` for what the screening page shows).
    The `lookahead` highest (at most what `lookahead_steps` allows within
    `lookahead_work`) are in the order of `lookahead_order`; 1: the model's own order.
    """
    rows = np.fromiter(labelled.keys(), dtype=np.int64, count=len(labelled))
    labels = np.fromiter(labelled.values(), dtype=bool, count=len(labelled))
    if labels.all() or not labels.any():
        raise ValueError("the model needs at least one relevant and one irrelevant record")
    ranks = _rank_scale(_model_scores(features, rows, labels, seed))
    training = int(np.diff(features.indptr)[rows].sum())
    lookahead = min(lookahead, lookahead_steps(training, work=lookahead_work))
    if lookahead > 1:
        head = lookahead_order(features, rows, labels, ranks, count=lookahead, seed=seed)
        key = ranks.copy()
        key[head] = 2.0 + np.arange(len(head), 0, -1)  # above every other row, in order
        ranks = _rank_scale(key)
    return ranks


def lookahead_steps(training_features: int, *, work: int = LOOKAHEAD_WORK) -> int:
    """How many of the next records the look-ahead orders (1: none, the model's order) when
    a fit's training rows hold `training_features` stored features (LOOKAHEAD_WORK)."""
    return max(1, min(LOOKAHEAD, work // max(training_features, 1)))


def lookahead_order(
    features: sparse.csr_matrix,
    rows: np.ndarray,
    labels: np.ndarray,
    ranks: np.ndarray,
    *,
    count: int,
    seed: int = 0,
) -> list[int]:
    """The next `count` unlabelled rows in the order a model retrained after every
    decision would hand them out, on the one path on which they are all screened before
    the next retrain: each of them irrelevant (a relevant record is retrained on at once).

    So the first is the model's best (`ranks`); each next one is the best of a model fitted
    with the rows before it in the list added as irrelevant. Between retrains every K
    decisions, reviewers then screen what retraining after every record would have given
    them (batch-mode active learning with pessimistic pseudo-labels, "kriging believer").
    Only the `LOOKAHEAD_POOL` highest-ranked unlabelled rows are considered."""
    unlabelled = np.ones(features.shape[0], dtype=bool)
    unlabelled[rows] = False
    pool = np.flatnonzero(unlabelled)
    pool = pool[np.argsort(-ranks[pool], kind="stable")[:LOOKAHEAD_POOL]]
    current = ranks[pool]
    available = np.ones(len(pool), dtype=bool)
    head: list[int] = []
    while len(head) < min(count, len(pool)):
        if head:
            current = _model_scores(
                features,
                np.concatenate([rows, head]),
                np.concatenate([labels, np.zeros(len(head), dtype=bool)]),
                seed,
                score_rows=pool,
            )
        choice = np.flatnonzero(available)[np.argmax(current[available])]
        available[choice] = False
        head.append(int(pool[choice]))
    return head


# ---------------------------------------------------------------------------------------------
# What the screening page shows of a score.

BANDS = ("high", "medium", "low")


def relevance_band(score: float) -> str | None:
    """A record's band from its score: high in the top 10 % of the stage's records by the
    model, medium in the top 40 %, low below; None before a ranking has scored it. The
    score is a rank, so the band says where the record stands, not a probability (the
    models' raw outputs are not calibrated; their order is what they are good at)."""
    if score < 0:
        return None
    if score >= 0.9:
        return "high"
    if score >= 0.6:
        return "medium"
    return "low"


def found_chart_svg(
    relevant_in_order: Sequence[bool],
    unscreened: int,
    *,
    x_label: str,
    y_label: str,
    random_label: str,
    width: int = 480,
    height: int = 260,
) -> str:
    """An SVG chart of relevant records found against records screened, with the line that
    random order would be expected to follow (the overall rate so far) for comparison."""
    left, bottom, top, right = 48, 36, 12, 12
    plot_w, plot_h = width - left - right, height - top - bottom
    total = max(len(relevant_in_order) + unscreened, 1)
    found_total = sum(relevant_in_order)
    y_max = max(found_total, 1)
    step = max(1, len(relevant_in_order) // 400)
    found, points = 0, ["0,0"]
    for screened, relevant in enumerate(relevant_in_order, start=1):
        found += relevant
        if screened % step == 0 or screened == len(relevant_in_order):
            points.append(f"{screened},{found}")

    def xy(pair: str) -> str:
        x, y = (float(v) for v in pair.split(","))
        return f"{left + plot_w * x / total:.1f},{top + plot_h * (1 - y / y_max):.1f}"

    curve = " ".join(xy(point) for point in points)
    # Random order finds relevant records at the overall rate: found_total over every record
    # screened so far, extended to the records not yet screened.
    screened_n = max(len(relevant_in_order), 1)
    random_end = min(found_total * total / screened_n, y_max)
    random_x = total if random_end < y_max else screened_n * y_max / max(found_total, 1)
    random_line = f"{xy('0,0')} {xy(f'{random_x},{random_end}')}"
    x0, y0 = left, top + plot_h
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="{escape(y_label)} / {escape(x_label)}" class="found-chart">'
        f'<line x1="{x0}" y1="{y0}" x2="{left + plot_w}" y2="{y0}" stroke="#666"/>'
        f'<line x1="{x0}" y1="{top}" x2="{x0}" y2="{y0}" stroke="#666"/>'
        f'<text x="{x0}" y="{y0 + 14}" font-size="11">0</text>'
        f'<text x="{left + plot_w}" y="{y0 + 14}" font-size="11" text-anchor="end">{total}</text>'
        f'<text x="{x0 - 4}" y="{top + 10}" font-size="11" text-anchor="end">{y_max}</text>'
        f'<text x="{left + plot_w / 2}" y="{height - 6}" font-size="12" text-anchor="middle">'
        f"{escape(x_label)}</text>"
        f'<text x="12" y="{top + plot_h / 2}" font-size="12" text-anchor="middle"'
        f' transform="rotate(-90 12 {top + plot_h / 2})">{escape(y_label)}</text>'
        f'<polyline points="{random_line}" fill="none" stroke="#999" stroke-dasharray="4 3">'
        f"<title>{escape(random_label)}</title></polyline>"
        f'<polyline points="{curve}" fill="none" stroke="#0d6efd" stroke-width="2"/>'
        "</svg>"
    )


# ---------------------------------------------------------------------------------------------
# How many relevant records are left, and when to stop.


@dataclass(frozen=True)
class Estimate:
    """Relevant records expected among the unscreened ones, with a 95 % interval.

    Computed from the latest `window` records screened, of which `recent_relevant` were
    relevant: their rate of relevant records, times the records left. In prioritised
    order the records left are less likely relevant than the latest screened, so this
    errs on the high side: it is an upper-leaning estimate, safe for stopping.
    """

    remaining: float
    low: float
    high: float
    window: int
    recent_relevant: int
    unscreened: int
    found: int

    @property
    def recall(self) -> float | None:
        """Estimated share of all relevant records found so far."""
        total = self.found + self.remaining
        return self.found / total if total else None


ESTIMATE_WINDOW = 100


def remaining_estimate(
    relevant_in_order: Sequence[bool], unscreened: int, *, window: int = ESTIMATE_WINDOW
) -> Estimate:
    """The estimate of relevant records left (see `Estimate`). `relevant_in_order`: each
    screened record's label, in the order they were screened."""
    recent = list(relevant_in_order[-window:])
    n, k = len(recent), sum(recent)
    found = sum(relevant_in_order)
    if n == 0:
        return Estimate(float(unscreened), 0.0, float(unscreened), 0, 0, unscreened, found)
    from scipy.stats import beta  # noqa: PLC0415 -- seconds to import: web processes import this module

    # Clopper-Pearson interval of the rate.
    low_rate = beta.ppf(0.025, k, n - k + 1) if k > 0 else 0.0
    high_rate = beta.ppf(0.975, k + 1, n - k) if k < n else 1.0
    return Estimate(
        remaining=k / n * unscreened,
        low=float(low_rate) * unscreened,
        high=float(high_rate) * unscreened,
        window=n,
        recent_relevant=k,
        unscreened=unscreened,
        found=found,
    )


def irrelevant_streak(relevant_in_order: Sequence[bool]) -> int:
    """How many records in a row, up to the latest, were irrelevant."""
    streak = 0
    for relevant in reversed(relevant_in_order):
        if relevant:
            break
        streak += 1
    return streak


def recall_test_p(
    relevant_in_order: Sequence[bool], unscreened: int, *, recall_target: float = 0.95
) -> float:
    """Callaghan & Müller-Hansen (Systematic Reviews 9:273, 2020): the p-value of the
    hypothesis "recall is below the target", treating the latest n screened records as a
    random sample of those n plus the unscreened ones, minimised over n.

    If recall were below the target, at least `floor(found / target) + 1` relevant records
    would exist, and the ones not found before the sample would be in the sample's
    population; seeing as few relevant records as we did in the sample is then unlikely
    when p is small. p < 1 - confidence: stop, the target is reached at that confidence.
    """
    from scipy.stats import hypergeom  # noqa: PLC0415 -- seconds to import: web processes import this module

    labels = np.asarray(relevant_in_order, dtype=np.int64)
    if not len(labels):
        return 1.0
    found = int(labels.sum())
    total_needed = math.floor(found / recall_target) + 1
    # Every sample size n at once: the relevant records among the latest n screened, the
    # sample's population and the relevant records it would hold under the hypothesis.
    sample = np.arange(1, len(labels) + 1)
    seen_in_sample = np.cumsum(labels[::-1])
    population = sample + unscreened
    missing_under_h0 = total_needed - (found - seen_in_sample)
    possible = missing_under_h0 <= population
    if not possible.any():
        return 1.0
    p = hypergeom.cdf(
        seen_in_sample[possible], population[possible], missing_under_h0[possible], sample[possible]
    )
    return float(min(1.0, p.min()))


# The knee rule looks at nothing before this many records are screened: on fewer, the
# gain curve's knee is noise.
KNEE_MINIMUM = 100
# Relevant records the knee rule supposes still to come after the knee, so that a short
# flat tail is not taken as a finished search. Cormack & Grossman add 1; with 1, on
# cohen2006_adhd a run that found 14 relevant records in its first 39 and none in the next
# 61 stopped at record 100 with 70 % recall (bench/simulate_stopping.py); with 2 no run
# stops before 95 % recall at the suggested threshold.
KNEE_SMOOTHING = 2
# The suggested threshold (the page and the user guide offer it): the smallest ratio at
# which every run on the five labelled sets reached 95 % recall was 14 (with
# KNEE_SMOOTHING 2); 15 keeps a margin. See docs/benchmarks.md for what each costs.
KNEE_SUGGESTED = 15


def knee_ratio(relevant_in_order: Sequence[bool]) -> float:
    """The knee method's figure (after Cormack & Grossman, SIGIR 2016): the slope of the
    gain curve (relevant records found against records screened) up to its knee, over the
    slope after the knee with KNEE_SMOOTHING relevant records added to it. The knee is the
    point of the curve farthest above the straight line from the start to now. A large
    ratio: finds have dried up."""
    labels = np.asarray(relevant_in_order, dtype=np.float64)
    screened = len(labels)
    found_by = np.cumsum(labels)
    found = found_by[-1] if screened else 0.0
    if not found:
        return 0.0
    knee = int(np.argmax(found_by * screened - np.arange(1, screened + 1) * found)) + 1
    if knee >= screened:
        return 0.0
    before = found_by[knee - 1] / knee
    after = (found - found_by[knee - 1] + KNEE_SMOOTHING) / (screened - knee)
    return float(before / after)


@dataclass(frozen=True)
class StopAdvice:
    """What a stopping rule says now: whether to stop, the figure it looks at and the
    threshold it compares it with."""

    rule: str
    stop: bool
    value: float
    threshold: float


STOPPING_RULES = ("irrelevant_streak", "estimate", "recall_test", "knee")


def stopping_advice(
    rule: str,
    threshold: float,
    relevant_in_order: Sequence[bool],
    unscreened: int,
    *,
    confidence: float = 0.95,
) -> StopAdvice:
    """The advice of one stopping rule. `threshold` is the rule's setting: the streak of
    irrelevant records (irrelevant_streak), the estimated relevant records left to fall
    below (estimate, on the estimate's upper bound), or the recall target (recall_test,
    at `confidence`), or the knee ratio to reach (knee, once KNEE_MINIMUM records are
    screened). Nothing is advised before any relevant record has been found."""
    found = any(relevant_in_order)
    if rule == "irrelevant_streak":
        value = float(irrelevant_streak(relevant_in_order))
        return StopAdvice(rule, found and value >= threshold, value, threshold)
    if rule == "estimate":
        value = remaining_estimate(relevant_in_order, unscreened).high
        return StopAdvice(rule, found and value < threshold, value, threshold)
    if rule == "recall_test":
        value = recall_test_p(relevant_in_order, unscreened, recall_target=threshold)
        return StopAdvice(rule, found and value < 1 - confidence, value, threshold)
    if rule == "knee":
        value = knee_ratio(relevant_in_order)
        enough = len(relevant_in_order) >= KNEE_MINIMUM
        return StopAdvice(rule, found and enough and value >= threshold, value, threshold)
    raise ValueError(f"unknown stopping rule: {rule}")


# ---------------------------------------------------------------------------------------------
# Simulation metrics, on the order in which a simulation screened the records.


def wss(relevant_in_order: Sequence[bool], recall: float = 0.95) -> float:
    """Work saved over sampling at `recall`, in percent (Cohen et al. 2006): the share of
    records not screened when `recall` of the relevant ones were found, less the share
    random order would leave unscreened (1 - recall)."""
    total = len(relevant_in_order)
    relevant = sum(relevant_in_order)
    needed = math.ceil(recall * relevant)
    found = 0
    for screened, is_relevant in enumerate(relevant_in_order, start=1):
        found += is_relevant
        if found >= needed:
            return 100 * ((total - screened) / total - (1 - recall))
    return 0.0


def rrf(relevant_in_order: Sequence[bool], percent: float = 10) -> float:
    """Relevant records found after screening `percent` % of the records, in percent."""
    total = len(relevant_in_order)
    relevant = sum(relevant_in_order)
    head = relevant_in_order[: math.ceil(total * percent / 100)]
    return 100 * sum(head) / relevant if relevant else 0.0


def atd(relevant_in_order: Sequence[bool]) -> float:
    """Average time to discovery, in percent of the records: the mean share of records
    screened before each relevant one was found (Ferdinands et al. 2023)."""
    total = len(relevant_in_order)
    times = [i for i, relevant in enumerate(relevant_in_order, start=1) if relevant]
    return 100 * sum(times) / len(times) / total if times else 0.0


def simulate_order(
    features: sparse.csr_matrix,
    labels: Sequence[bool],
    priors: Sequence[int],
    *,
    retrain_every: int = 10,
    seed: int = 0,
) -> list[int]:
    """The order in which a reviewer would screen every row: the `priors` first, then one
    row at a time, the highest-scoring unscreened row next, the model retrained on
    everything decided so far after every `retrain_every` decisions and after every
    relevant record (as the app does: `retrain_due`), looking `retrain_every` rows ahead.

    Once every relevant row has been screened (and retrained on) the rest follow in that
    ranking's order without further retrains: they are all irrelevant, so their order
    changes no metric (ASReview's simulation stops at the last relevant record too)."""
    total = features.shape[0]
    order = list(priors)
    labelled = {row: bool(labels[row]) for row in order}
    unscreened = np.ones(total, dtype=bool)
    unscreened[order] = False
    scores = None
    random_order = np.random.default_rng(seed).permutation(total)
    due = True
    since_retrain = 0
    relevant_left = sum(bool(labels[row]) for row in range(total)) - sum(labelled.values())
    while unscreened.any():
        both = any(labelled.values()) and not all(labelled.values())
        if both and due:
            scores = relevance_scores(features, labelled, seed=seed, lookahead=retrain_every)
            since_retrain = 0
        if relevant_left == 0 and scores is not None:
            rest = np.flatnonzero(unscreened)
            order += [int(row) for row in rest[np.argsort(-scores[rest], kind="stable")]]
            break
        if scores is None:  # random order with a fixed seed until both kinds are known
            row = int(random_order[unscreened[random_order]][0])
        else:
            candidates = np.flatnonzero(unscreened)
            row = int(candidates[np.argmax(scores[candidates])])
        unscreened[row] = False
        order.append(row)
        labelled[row] = bool(labels[row])
        relevant_left -= labelled[row]
        since_retrain += 1
        due = retrain_due(since_retrain, retrain_every, relevant=labelled[row])
    return order


def retrain_due(decisions_since: int, retrain_every: int, *, relevant: bool) -> bool:
    """Whether the latest decision calls for a retrain: every `retrain_every` decisions,
    and at once after a relevant record, which are rare and teach the model the most."""
    return relevant or decisions_since >= retrain_every


def simulation_priors(labels: Sequence[bool], seed: int) -> list[int]:
    """One relevant and one irrelevant row, drawn with `seed`: a simulation's prior
    knowledge (the same draw for our model and ASReview's in `bench/asreview_compare.py`)."""
    rng = np.random.default_rng(seed)
    relevant = [row for row, label in enumerate(labels) if label]
    irrelevant = [row for row, label in enumerate(labels) if not label]
    return [int(rng.choice(relevant)), int(rng.choice(irrelevant))]
