"""Our ranking beside ASReview LAB's default model, on the same data, priors and machine.

    .venv/bin/python bench/asreview_compare.py [--asreview /path/to/venv/bin/asreview]
        [--seeds 5] [--sets nudging,ace,...] [--data ../shared/data/screening]

For every labelled set in the data folder (the label column as in its README) and every
seed: our simulation (`bench/simulate_screening.py`'s `simulate`) and `asreview simulate`
with the same two prior records (`--prior-idx`, rows from 0) and `--seed`, its default
model. ASReview's recorded order (results.db in its project file) is scored with the same
metric code as ours (`screening.ranking.wss/rrf/atd`); records it did not reach (it stops
after the last relevant one) are irrelevant and come after. ASReview runs in a virtual
environment of its own (`pip install asreview` there); without it only ours is measured.
Prints one JSON line per run and a Markdown table of the means.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import simulate_screening  # noqa: E402

from screening import ranking  # noqa: E402

LABEL_COLUMNS = {
    "nudging.csv": "included",
    "ace.csv": "label_included",
    "Kitchenham_2010.csv": "label_included",
    "cohen2006_adhd.csv": "label_included",
    "Donners_2021.csv": "label_included",
}
DEFAULT_DATA = (
    Path(os.environ.get("SHARED_DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data"))
    / "screening"
)


def asreview_order(asreview: str, csv_path: Path, priors: list[int], seed: int) -> tuple:
    """ASReview's screening order (dataset rows) and its wall time."""
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "run.asreview"
        started = time.perf_counter()
        subprocess.run(
            [asreview, "simulate", str(csv_path), "--prior-idx", *map(str, priors),
             "--seed", str(seed), "-o", str(project)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        with zipfile.ZipFile(project) as archive:
            archive.extract("results.db", folder)
        connection = sqlite3.connect(Path(folder) / "results.db")
        rows = connection.execute(
            "SELECT r.dataset_row FROM results JOIN record r USING (record_id) "
            "ORDER BY results.rowid"
        ).fetchall()
        connection.close()
    return [row[0] for row in rows], seconds


def metrics(in_order: list[bool]) -> dict:
    return {
        "wss95": round(ranking.wss(in_order), 1),
        "rrf10": round(ranking.rrf(in_order), 1),
        "atd": round(ranking.atd(in_order), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--asreview", default="/work/asreview-venv/bin/asreview")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument(
        "--sets", default=",".join(name.removesuffix(".csv") for name in LABEL_COLUMNS)
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    have_asreview = Path(args.asreview).exists()
    table = []
    for name in args.sets.split(","):
        csv_path = args.data / f"{name}.csv"
        texts, labels = simulate_screening.read_labelled(
            csv_path, label_column=LABEL_COLUMNS[csv_path.name], title_column="title",
            abstract_column="abstract", keywords_column="keywords",
        )  # fmt: skip
        features = ranking.text_features(texts)
        ours, theirs = [], []
        for seed in range(args.seeds):
            run = simulate_screening.simulate(features, labels, seed=seed, retrain_every=10)
            ours.append(run)
            line = {"set": name, "model": "ours", "seed": seed, "priors": run["priors"]}
            print(
                json.dumps(line | metrics(run["_order"]) | {"seconds": run["seconds"]}), flush=True
            )
            if have_asreview:
                order, seconds = asreview_order(args.asreview, csv_path, run["priors"], seed)
                seen = set(order)
                in_order = [labels[row] for row in order]
                in_order += [labels[row] for row in range(len(labels)) if row not in seen]
                result = metrics(in_order) | {"seconds": round(seconds, 1)}
                theirs.append(result)
                line = {"set": name, "model": "asreview", "seed": seed, "priors": run["priors"]}
                print(json.dumps(line | result), flush=True)
        row = {"set": name, "records": len(labels), "included": sum(labels)}
        for key in ("wss95", "rrf10", "atd", "seconds"):
            row[f"ours_{key}"] = round(
                statistics.mean(metrics(r["_order"]).get(key, r.get(key)) for r in ours), 1
            )
            if theirs:
                row[f"asreview_{key}"] = round(statistics.mean(r[key] for r in theirs), 1)
        print(json.dumps(row), flush=True)
        table.append(row)
    print()
    header = ["set", "records", "included"]
    for key in ("WSS@95", "RRF@10", "ATD", "seconds"):
        header += [f"{key} ours", f"{key} ASReview"]
    print("| " + " | ".join(header) + " |")
    print("| --- |" + " ---: |" * (len(header) - 1))
    for row in table:
        cells = [row["set"], row["records"], row["included"]]
        for key in ("wss95", "rrf10", "atd", "seconds"):
            cells += [row[f"ours_{key}"], row.get(f"asreview_{key}", "–")]
        print("| " + " | ".join(str(cell) for cell in cells) + " |")


if __name__ == "__main__":
    main()
