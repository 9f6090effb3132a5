"""What bench/simulate_stopping.py measured for each stopping rule, shown on the page that
offers the rules (pure Python, no Django).

Five labelled sets (258-2,235 records, 15-100 relevant) x 10 seeds, each run screened in the
app's own prioritised order; a rule stops where it first advises stopping. Measured on
2026-12-07; docs/benchmarks.md has the per-set table and the cross-validation of the knee
rule's threshold. Re-run the bench and update these figures when a rule or the ranking
changes.
"""

from __future__ import annotations

from dataclasses import dataclass

SETS = 5
RUNS = 50
TARGET_PERCENT = 95


@dataclass(frozen=True)
class RuleEvidence:
    rule: str
    threshold: float
    reached: int  # runs (of RUNS) that had reached 95 % recall when the rule stopped
    worst_set_reached: int  # the same on the set where the rule did worst (of 10)
    saved: float  # mean share of the records left unscreened at the stop, %
    worst_of_oracle: float  # the lowest, over the sets, of saved / what an oracle saves


EVIDENCE = (
    RuleEvidence("irrelevant_streak", 50, 6, 0, 78.9, 1.01),
    RuleEvidence("irrelevant_streak", 100, 45, 7, 60.9, 0.36),
    RuleEvidence("irrelevant_streak", 200, 50, 10, 44.8, 0.0),
    RuleEvidence("estimate", 1, 50, 10, 3.2, 0.01),
    RuleEvidence("recall_test", 0.95, 50, 10, 18.0, 0.04),
    RuleEvidence("knee", 10, 38, 0, 65.6, 0.77),
    RuleEvidence("knee", 15, 50, 10, 51.4, 0.48),
    RuleEvidence("knee", 20, 50, 10, 35.5, 0.2),
)


def keeps_its_promise(evidence: RuleEvidence) -> bool:
    """Every run on every set reached the 95 % target."""
    return evidence.reached == RUNS
