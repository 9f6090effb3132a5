"""Run bib-dedupe's automatic pipeline on one records CSV; print the result as JSON.

Runs under bib-dedupe's own Python (a separate venv: bib-dedupe pins pandas
and numpy, which the project does not need), called by dedup_benchmark.py:

    PATH_TO_PYTHON bench/dedup_bibdedupe_runner.py records.csv

The pipeline is the one bib-dedupe documents: prep -> block -> match ->
cluster -> merge. Only pairs labelled "duplicate" are merged; "maybe" pairs
are counted, as ours are, beside the figures.
"""

import json
import sys
import time

import pandas as pd
from bib_dedupe.bib_dedupe import block, cluster, match, merge, prep


def main() -> None:
    records_df = pd.read_csv(sys.argv[1])
    started = time.perf_counter()
    prepared_df = prep(records_df, verbosity_level=0)
    blocked_df = block(prepared_df, verbosity_level=0)
    matched_df = match(blocked_df, verbosity_level=0)
    duplicate_id_sets = cluster(matched_df, verbosity_level=0)
    merged_df = merge(records_df, duplicate_id_sets=duplicate_id_sets, verbosity_level=0)
    seconds = time.perf_counter() - started
    maybe = 0
    if not matched_df.empty:
        maybe = int((matched_df["duplicate_label"] == "maybe").sum())
    json.dump(
        {
            "kept_ids": merged_df["ID"].astype(str).tolist(),
            "groups": [[str(i) for i in group] for group in duplicate_id_sets],
            "maybe_pairs": maybe,
            "seconds": seconds,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
