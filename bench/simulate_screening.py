"""Simulate prioritised screening on a labelled data set with the app's own ranking code.

    .venv/bin/python bench/simulate_screening.py CSV --label-column COLUMN
        [--title-column title] [--abstract-column abstract] [--keywords-column keywords]
        [--seeds 5] [--retrain-every 10] [--plot recall.png] [--retrain-timing 10000]

Each seed draws one prior relevant and one prior irrelevant record
(`screening.ranking.simulation_priors`), then screens one record at a time as a reviewer
would: the highest-scoring unscreened record next, the model retrained after every
--retrain-every decisions and every relevant record, each retrain ordering the next ones as
retraining after each would (`screening.ranking.lookahead_order`), as the app does
(`screening.ranking.simulate_order`); once every relevant record is found the rest follow
without retrains. Prints one JSON line per run and a summary line:

    {"records": N, "included": n, "wss95": x, "rrf10": y, "atd": z, "seconds": s}

wss95: work saved over sampling at 95 % recall (%); rrf10: relevant records found after
screening 10 % (%); atd: average time to discovery (% of records); seconds: the run's wall
time (features are computed once per data set and not counted in it, as in the app).
--plot draws the recall curves of the runs (and random order's diagonal) to a PNG.
--retrain-timing N times one retrain on N records (the data set's records cycled to N, a
tenth of them labelled): the figure the app's budget (1 s on 10,000 records) is about.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Imported here, not first inside the timed calls (screening.ranking imports them lazily).
import scipy.stats  # noqa: E402, F401
import sklearn.feature_extraction.text  # noqa: E402, F401
import sklearn.svm  # noqa: E402, F401

from screening import ranking  # noqa: E402

TRUE = {"1", "1.0", "true", "yes", "y", "included", "include"}


def read_labelled(
    path: Path, *, label_column: str, title_column: str, abstract_column: str, keywords_column: str
) -> tuple[list[str], list[bool]]:
    """The texts and labels of a labelled CSV. A missing label column is an error naming
    it; an empty label counts as irrelevant (as ASReview reads such files)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        for name in (label_column, title_column):
            if name not in columns:
                sys.exit(f"{path}: no column {name!r} (columns: {', '.join(columns)})")
        texts, labels = [], []
        for row in reader:
            keywords = row.get(keywords_column) or ""
            texts.append(
                ranking.record_text(
                    row.get(title_column) or "",
                    row.get(abstract_column) or "",
                    [keywords] if keywords else [],
                )
            )
            labels.append((row.get(label_column) or "").strip().lower() in TRUE)
    if not any(labels) or all(labels):
        sys.exit(f"{path}: column {label_column!r} needs both relevant and irrelevant records")
    return texts, labels


def simulate(features, labels: list[bool], *, seed: int, retrain_every: int) -> dict:
    priors = ranking.simulation_priors(labels, seed)
    started = time.perf_counter()
    order = ranking.simulate_order(features, labels, priors, retrain_every=retrain_every, seed=seed)
    seconds = time.perf_counter() - started
    in_order = [labels[row] for row in order]
    return {
        "records": len(labels),
        "included": sum(labels),
        "seed": seed,
        "priors": priors,
        "wss95": round(ranking.wss(in_order), 1),
        "rrf10": round(ranking.rrf(in_order), 1),
        "atd": round(ranking.atd(in_order), 1),
        "seconds": round(seconds, 1),
        "_order": in_order,
    }


def retrain_timing(texts: list[str], labels: list[bool], records: int) -> dict:
    """Feature and retrain seconds on `records` records (the set cycled, numbered so that
    no two texts are equal), a tenth of them labelled."""
    cycled = [f"{texts[i % len(texts)]} {i}" for i in range(records)]
    started = time.perf_counter()
    features = ranking.text_features(cycled)
    features_seconds = time.perf_counter() - started
    labelled = {row: labels[row % len(labels)] for row in range(0, records, 10)}
    if not any(labelled.values()):
        labelled[labels.index(True)] = True
    started = time.perf_counter()
    ranking.relevance_scores(features, labelled)
    return {
        "retrain_records": records,
        "labelled": len(labelled),
        "retrain_features_seconds": round(features_seconds, 2),
        "retrain_seconds": round(time.perf_counter() - started, 3),
    }


def plot(runs: list[dict], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4))
    for run in runs:
        found, curve = 0, []
        for relevant in run["_order"]:
            found += relevant
            curve.append(found)
        axes.plot(range(1, len(curve) + 1), curve, linewidth=1, label=f"seed {run['seed']}")
    total, included = runs[0]["records"], runs[0]["included"]
    axes.plot([0, total], [0, included], linestyle="--", color="grey", label="random order")
    axes.set_xlabel("records screened")
    axes.set_ylabel("relevant records found")
    axes.set_title(title)
    axes.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--label-column", required=True)
    parser.add_argument("--title-column", default="title")
    parser.add_argument("--abstract-column", default="abstract")
    parser.add_argument("--keywords-column", default="keywords")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--retrain-every", type=int, default=10)
    parser.add_argument("--plot", type=Path)
    parser.add_argument("--retrain-timing", type=int, default=0, metavar="RECORDS")
    args = parser.parse_args(argv)
    texts, labels = read_labelled(
        args.csv,
        label_column=args.label_column,
        title_column=args.title_column,
        abstract_column=args.abstract_column,
        keywords_column=args.keywords_column,
    )
    started = time.perf_counter()
    features = ranking.text_features(texts)
    features_seconds = time.perf_counter() - started
    runs = []
    for seed in range(args.seeds):
        run = simulate(features, labels, seed=seed, retrain_every=args.retrain_every)
        runs.append(run)
        print(json.dumps({k: v for k, v in run.items() if not k.startswith("_")}), flush=True)
    summary = {
        "summary": args.csv.name,
        "records": len(labels),
        "included": sum(labels),
        "runs": len(runs),
        "features_seconds": round(features_seconds, 2),
    }
    for key in ("wss95", "rrf10", "atd", "seconds"):
        if runs:
            summary[key] = round(statistics.mean(run[key] for run in runs), 1)
    if args.retrain_timing:
        summary.update(retrain_timing(texts, labels, args.retrain_timing))
    print(json.dumps(summary), flush=True)
    if args.plot and runs:
        plot(runs, args.plot, args.csv.stem)


if __name__ == "__main__":
    main()
