"""Score the application's automatic de-duplication on ground-truth sets.

    .venv/bin/python bench/dedup_eval.py DIR
    .venv/bin/python bench/dedup_eval.py --all [--rules] [--cv] [--with-bib-dedupe PYTHON]

DIR holds a set in bib-dedupe's benchmark format: records_pre_merged.csv (the
records) and merged_record_ids.csv (each true group of duplicate ids joined by
";"). The records go through screening.dedup.deduplicate, as an import does;
only its automatic merges count. Pairs it leaves for a person's review are not
merged, and are counted in "review_pairs". With DIR, prints one JSON line:

    {"records": N, "sensitivity": x, "specificity": y, "seconds": s, "review_pairs": n}

With --all: every set in ../shared/data/dedup and the synthetic kinds set
(bench/dedup_synthetic.py's `kinds_set`), one row per set, then the mean and
the worst set, and for the synthetic set how each kind fared. --rules adds
what each of screening.dedup.NEVER_MERGE_RULES costs on each set: the true
duplicates it leaves to a person (TP lost) and the false merges it prevents
(FP saved), measured by running without it. --cv chooses the automatic
threshold by leaving one set out: for each set, the threshold that gives the
other sets the best mean sensitivity at specificity >= 0.999 each, then that
threshold's figures on the set left out. --with-bib-dedupe runs bib-dedupe's
automatic pipeline (in its own venv) on the same sets in the same run.

Counting is at record level, as in bench/dedup_benchmark.py (whose loader and
scoring this uses): a positive is a record that should be merged away.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import dedup_synthetic  # noqa: E402
from dedup_benchmark import (  # noqa: E402
    DATA,
    load_set,
    record_level_scores,
    run_bib_dedupe,
    run_ours,
    write_csv,
)

from screening.dedup import AUTO_THRESHOLD, NEVER_MERGE_RULES, deduplicate  # noqa: E402

THRESHOLDS = (0.93, 0.95, 0.97, 0.98, 0.99)
MIN_SPECIFICITY = 0.999


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


def all_sets() -> tuple[dict[str, tuple[list, list]], dict]:
    """name -> (records, truth) for every ground-truth set, and the synthetic kinds."""
    sets = {f.name: load_set(f) for f in sorted(p for p in DATA.iterdir() if p.is_dir())}
    works = []
    for name in ("cytology_screening", "haematology"):
        works += dedup_synthetic.works_from_real(*sets[name])
    records, truth, kinds = dedup_synthetic.kinds_set(works)
    sets["synthetic kinds"] = (records, truth)
    return sets, kinds


def score(records: list, truth: list, **options) -> dict:
    started = time.perf_counter()
    result = deduplicate(records, **options)
    seconds = time.perf_counter() - started
    kept = {r.id for r in records} - set(result.canonical_of())
    return {
        **record_level_scores([r.id for r in records], truth, kept),
        "review_pairs": len(result.review_pairs),
        "seconds": seconds,
        "result": result,
    }


def print_sets(rows: dict[str, dict], tool: str) -> None:
    print(f"\n{tool}")
    print(f"{'set':<22}{'records':>8}{'sens':>8}{'spec':>8}{'FP':>5}{'FN':>5}{'review':>8}{'s':>7}")
    for name, f in rows.items():
        if "error" in f:
            print(f"{name:<22}error: {f['error']}")
            continue
        print(
            f"{name:<22}{f['records']:>8,}{f['sensitivity']:>8.3f}{f['specificity']:>8.4f}"
            f"{f['FP']:>5}{f['FN']:>5}{f['review_pairs']:>8,}{f['seconds']:>7.2f}"
        )
    ok = [f for f in rows.values() if "error" not in f]
    if ok:
        worst = min(rows, key=lambda n: rows[n].get("sensitivity", 2))
        print(
            f"{'mean':<22}{'':>8}{statistics.mean(f['sensitivity'] for f in ok):>8.3f}"
            f"{statistics.mean(f['specificity'] for f in ok):>8.4f}"
            f"{'':>10}{sum(f['review_pairs'] for f in ok):>8,}"
            f"{sum(f['seconds'] for f in ok):>7.2f}  (review and seconds: totals)"
        )
        print(
            f"worst set (sensitivity): {worst} {rows[worst]['sensitivity']:.3f}; lowest"
            f" specificity: {min(f['specificity'] for f in ok):.4f}"
        )


def print_kinds(result, kinds: dict) -> None:
    canonical = result.canonical_of()
    review = {frozenset((p.a, p.b)) for p in result.review_pairs}
    print(f"\nsynthetic kinds{'':<22}{'one work':>9}{'merged':>8}{'review':>8}")
    for kind, pairs in kinds.items():
        merged = sum(canonical.get(a, a) == canonical.get(b, b) for a, b, _ in pairs)
        offered = sum(frozenset((a, b)) in review for a, b, _ in pairs)
        print(
            f"{kind:<37}{'yes' if pairs[0][2] else 'NO':>9}{merged:>5}/{len(pairs):<2}{offered:>8}"
        )


def print_rule_costs(sets: dict, base: dict[str, dict]) -> None:
    print("\nnever-merge rules: what each costs (run without it, against with all rules)")
    print(f"{'rule':<20}{'set':<22}{'TP lost':>8}{'FP saved':>9}")
    for rule in NEVER_MERGE_RULES:
        others = [name for name in NEVER_MERGE_RULES if name != rule]
        for name, (records, truth) in sets.items():
            without = score(records, truth, never_merge=others)
            lost = without["TP"] - base[name]["TP"]
            saved = without["FP"] - base[name]["FP"]
            print(f"{rule:<20}{name:<22}{lost:>8}{saved:>9}")


def cross_validate(sets: dict) -> None:
    """Leave one set out: choose the threshold on the others, report it on the one."""
    figures = {
        (name, threshold): score(records, truth, auto_threshold=threshold)
        for name, (records, truth) in sets.items()
        for threshold in THRESHOLDS
    }
    print(f"\nleave one set out: auto threshold chosen from {THRESHOLDS} on the other sets")
    print(f"{'left out':<22}{'chosen':>7}{'sens':>8}{'spec':>8}{f'at {AUTO_THRESHOLD} sens':>14}")
    for left_out in sets:
        others = [name for name in sets if name != left_out]

        def merit(threshold: float, others: list[str] = others) -> tuple:
            specific = all(
                figures[(n, threshold)]["specificity"] >= MIN_SPECIFICITY for n in others
            )
            mean = statistics.mean(figures[(n, threshold)]["sensitivity"] for n in others)
            return (specific, round(mean, 4), threshold)  # ties: the stricter threshold

        chosen = max(THRESHOLDS, key=merit)
        f, default = figures[(left_out, chosen)], figures[(left_out, AUTO_THRESHOLD)]
        print(
            f"{left_out:<22}{chosen:>7.2f}{f['sensitivity']:>8.3f}{f['specificity']:>8.4f}"
            f"{default['sensitivity']:>14.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, metavar="DIR", nargs="?")
    parser.add_argument("--all", action="store_true", help="every ground-truth set, a table")
    parser.add_argument("--rules", action="store_true", help="what each never-merge rule costs")
    parser.add_argument("--cv", action="store_true", help="leave-one-set-out thresholds")
    parser.add_argument("--with-bib-dedupe", metavar="PYTHON", help="bib-dedupe's venv python")
    args = parser.parse_args()
    if args.folder and not args.all:
        print(json.dumps(evaluate(args.folder)))
        return
    if not args.all:
        parser.error("give DIR or --all")
    sets, kinds = all_sets()
    ours = {}
    for name, (records, truth) in sets.items():
        ours[name] = {**score(records, truth), "records": len(records)}
    print_sets(ours, f"ours (screening.dedup, auto threshold {AUTO_THRESHOLD})")
    print_kinds(ours["synthetic kinds"]["result"], kinds)
    if args.with_bib_dedupe:
        peer = {}
        with tempfile.TemporaryDirectory() as folder:
            for name, (records, truth) in sets.items():
                path = Path(folder) / "records.csv"
                write_csv(records, path)
                ids = [r.id for r in records]
                peer[name] = {
                    **run_bib_dedupe(args.with_bib_dedupe, path, ids, truth),
                    "records": len(records),
                }
        print_sets(peer, "bib-dedupe (automatic pipeline, its own venv)")
    if args.rules:
        print_rule_costs(sets, ours)
    if args.cv:
        cross_validate(sets)


if __name__ == "__main__":
    main()
