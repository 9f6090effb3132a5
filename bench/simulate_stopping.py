"""How well each stopping rule keeps its promise, on simulated prioritised screening.

    .venv/bin/python bench/simulate_stopping.py [--data ../shared/data/screening]
        [--sets nudging,ace,...] [--seeds 10] [--check-every 5] [--cache DIR] [--json]

For every labelled set and seed the app's own screening order is simulated once
(`screening.ranking.simulate_order`, as bench/simulate_screening.py: one prior relevant and
one prior irrelevant record, retrains every 10 decisions and after every include, the
look-ahead). Every rule is then walked along that order as a stage applies it
(`screening.ranking.stopping_advice` on the decisions so far and the records left, checked
every --check-every decisions), and stops where it first advises stopping. Per set and rule
it prints:

- reached: runs whose recall at the stop is at least 95 % (the promise of a 95 % target),
- recall: the lowest and the mean recall at the stop,
- saved: the mean share of records left unscreened at the stop (%),
- oracle: the share an oracle that stops exactly at 95 % recall leaves (%; WSS@95 + 5),
- of oracle: saved / oracle (the issue's bar: at least 0.5 with every run reaching 95 %).

Then the knee rule's threshold is chosen by leaving one set out: for each set, the smallest
threshold of KNEE_GRID at which every run on the other sets reached 95 % recall, and what it
gives on the set left out (the threshold is never chosen on the set it is measured on).

Orders take most of the time (seconds to minutes per run); --cache DIR keeps them (JSON,
named by set, seed and the ranking's features version), so other rules can be tried on the
same orders in seconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import simulate_screening  # noqa: E402
from asreview_compare import LABEL_COLUMNS  # noqa: E402

from screening import ranking  # noqa: E402

TARGET = 0.95
# (rule, threshold): the settings a lead can choose on a stage's "Order and stopping" page,
# at the values the user guide suggests.
RULES = [
    ("irrelevant_streak", 50),
    ("irrelevant_streak", 100),
    ("irrelevant_streak", 200),
    ("estimate", 1.0),
    ("recall_test", TARGET),
    ("knee", 10),
    ("knee", ranking.KNEE_SUGGESTED),
    ("knee", 20),
]
# The knee thresholds the cross-validation chooses among.
KNEE_GRID = (8, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 25, 30)


def screening_order(texts, labels, features, *, name: str, seed: int, cache: Path | None):
    path = cache / f"{name}-seed{seed}-features{ranking.FEATURES_VERSION}.json" if cache else None
    if path and path.exists():
        return json.loads(path.read_text())
    priors = ranking.simulation_priors(labels, seed)
    order = ranking.simulate_order(features, labels, priors, retrain_every=10, seed=seed)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(order))
    return order


def stop_point(relevant_in_order: list[bool], rule: str, threshold: float, every: int) -> int:
    """How many records were screened when the rule first advised stopping (all of them if
    it never did)."""
    total = len(relevant_in_order)
    for screened in range(every, total, every):
        advice = ranking.stopping_advice(
            rule, threshold, relevant_in_order[:screened], total - screened
        )
        if advice.stop:
            return screened
    return total


def oracle_point(relevant_in_order: list[bool], target: float = TARGET) -> int:
    needed = -(-sum(relevant_in_order) * target // 1)  # ceil
    found = 0
    for screened, relevant in enumerate(relevant_in_order, start=1):
        found += relevant
        if found >= needed:
            return screened
    return len(relevant_in_order)


def evaluate(relevant_in_order: list[bool], rule: str, threshold: float, every: int) -> dict:
    total, relevant = len(relevant_in_order), sum(relevant_in_order)
    stopped = stop_point(relevant_in_order, rule, threshold, every)
    oracle = oracle_point(relevant_in_order)
    return {
        "recall": sum(relevant_in_order[:stopped]) / relevant,
        "saved": 100 * (total - stopped) / total,
        "oracle": 100 * (total - oracle) / total,
    }


def cross_validate_knee(orders_by_set: dict[str, list[list[bool]]], every: int) -> list[dict]:
    runs = {
        (name, threshold): [evaluate(order, "knee", threshold, every) for order in orders]
        for name, orders in orders_by_set.items()
        for threshold in KNEE_GRID
    }
    rows = []
    for held_out in orders_by_set:
        others = [name for name in orders_by_set if name != held_out]
        reaching = [
            threshold
            for threshold in KNEE_GRID
            if all(run["recall"] >= TARGET for name in others for run in runs[name, threshold])
        ]
        if not reaching:
            rows.append({"set": held_out, "chosen": None})
            continue
        chosen = reaching[0]
        held = runs[held_out, chosen]
        saved = statistics.mean(run["saved"] for run in held)
        oracle = statistics.mean(run["oracle"] for run in held)
        rows.append(
            {
                "set": held_out,
                "chosen": chosen,
                "runs": len(held),
                "reached": sum(run["recall"] >= TARGET for run in held),
                "recall_min": round(100 * min(run["recall"] for run in held), 1),
                "saved": round(saved, 1),
                "oracle": round(oracle, 1),
                "of_oracle": round(saved / oracle, 2) if oracle else None,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    root = Path(__file__).resolve().parents[1]
    parser.add_argument("--data", type=Path, default=root.parent / "shared" / "data" / "screening")
    parser.add_argument("--sets", default=",".join(n.removesuffix(".csv") for n in LABEL_COLUMNS))
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--check-every", type=int, default=5)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--json", action="store_true", help="one JSON line per set and rule")
    args = parser.parse_args(argv)

    table = []
    orders_by_set = {}
    for name in args.sets.split(","):
        csv_path = args.data / f"{name}.csv"
        texts, labels = simulate_screening.read_labelled(
            csv_path,
            label_column=LABEL_COLUMNS[csv_path.name],
            title_column="title",
            abstract_column="abstract",
            keywords_column="keywords",
        )
        features = ranking.text_features(texts)
        started = time.perf_counter()
        orders = [
            screening_order(texts, labels, features, name=name, seed=seed, cache=args.cache)
            for seed in range(args.seeds)
        ]
        order_seconds = time.perf_counter() - started
        orders_by_set[name] = [[labels[row] for row in order] for order in orders]
        for rule, threshold in RULES:
            runs = [
                evaluate([labels[row] for row in order], rule, threshold, args.check_every)
                for order in orders
            ]
            saved = statistics.mean(run["saved"] for run in runs)
            oracle = statistics.mean(run["oracle"] for run in runs)
            row = {
                "set": name,
                "records": len(labels),
                "included": sum(labels),
                "rule": f"{rule} {threshold:g}",
                "runs": len(runs),
                "reached": sum(run["recall"] >= TARGET for run in runs),
                "recall_min": round(100 * min(run["recall"] for run in runs), 1),
                "recall_mean": round(100 * statistics.mean(run["recall"] for run in runs), 1),
                "saved": round(saved, 1),
                "oracle": round(oracle, 1),
                "of_oracle": round(saved / oracle, 2) if oracle else None,
                "order_seconds": round(order_seconds, 1),
            }
            table.append(row)
            if args.json:
                print(json.dumps(row), flush=True)
    cross = cross_validate_knee(orders_by_set, args.check_every)
    if args.json:
        for row in cross:
            print(json.dumps(row), flush=True)
    if not args.json:
        print("| set | rule | reached 95 % | recall min / mean | saved % | oracle % | of oracle |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for row in table:
            print(
                f"| {row['set']} ({row['records']}, {row['included']} rel.) | {row['rule']} "
                f"| {row['reached']}/{row['runs']} | {row['recall_min']} / {row['recall_mean']} "
                f"| {row['saved']} | {row['oracle']} | {row['of_oracle']} |"
            )
        print()
        print(
            "| set left out | knee threshold chosen on the others | reached 95 % "
            "| recall min | saved % | oracle % | of oracle |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for row in cross:
            print(
                f"| {row['set']} | {row['chosen']} | {row['reached']}/{row['runs']} "
                f"| {row['recall_min']} | {row['saved']} | {row['oracle']} | {row['of_oracle']} |"
            )


if __name__ == "__main__":
    main()
