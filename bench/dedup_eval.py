"""Score the application's automatic de-duplication on one ground-truth folder.

    .venv/bin/python bench/dedup_eval.py DIR

DIR holds a set in bib-dedupe's benchmark format: records_pre_merged.csv (the
records) and merged_record_ids.csv (each true group of duplicate ids joined by
";"). The records go through screening.dedup.deduplicate, as an import does;
only its automatic merges count. Pairs it leaves for a person's review are not
merged, and are counted in "review_pairs". Prints one JSON line:

    {"records": N, "sensitivity": x, "specificity": y, "seconds": s, "review_pairs": n}

Counting is at record level, as in bench/dedup_benchmark.py (whose loader and
scoring this uses): a positive is a record that should be merged away.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedup_benchmark import load_set, run_ours  # noqa: E402


def evaluate(folder: Path) -> dict:
    records, truth = load_set(folder)
    figures = run_ours(records, truth)
    return {
        "records": len(records),
        "sensitivity": round(figures["sensitivity"], 4),
        "specificity": round(figures["specificity"], 4),
        "seconds": round(figures["seconds"], 3),
        "review_pairs": figures["review_pairs"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, metavar="DIR")
    args = parser.parse_args()
    print(json.dumps(evaluate(args.folder)))


if __name__ == "__main__":
    main()
