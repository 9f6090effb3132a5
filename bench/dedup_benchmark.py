"""De-duplication benchmark: accuracy on the real sets, cost at import size.

    .venv/bin/python bench/dedup_benchmark.py [--with-bib-dedupe PYTHON] [--json]
        [--sizes 10000,50000,100000] [--bib-dedupe-max-size 10000]

1. Each set in ../shared/data/dedup: records, removable duplicates, then for
   us and (with --with-bib-dedupe) bib-dedupe: sensitivity and specificity
   at record level, pairs left for a person's review (not merged), seconds.
2. Scaling: synthetic sets built from the real records (bench/dedup_synthetic.py)
   written as RIS, then imported as the application would: parse with rispy,
   de-duplicate. Each size runs in a fresh process, so its peak memory (max
   RSS) is its own. bib-dedupe runs on sizes up to --bib-dedupe-max-size (its
   cost grows with the square of the records).

Record-level counting, as bib-dedupe's benchmark counts: a positive is a record
that should be merged away. For each true group, the records that stay beside
the first kept one are false negatives; a true group none of whose records is
kept (all merged into some other work) is a false positive, as is a record
that should stay alone but was merged away.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import dedup_synthetic  # noqa: E402

from screening.dedup import DedupRecord, deduplicate  # noqa: E402

DATA = Path(os.environ.get("SHARED_DATA_DIR", ROOT.parent / "shared" / "data")) / "dedup"
RUNNER = ROOT / "bench" / "dedup_bibdedupe_runner.py"


def load_set(folder: Path) -> tuple[list[DedupRecord], list[list[str]]]:
    """Records and true duplicate groups of one bib-dedupe benchmark folder."""
    with open(folder / "records_pre_merged.csv", encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    records = [record_from_row(row) for row in rows]
    with open(folder / "merged_record_ids.csv", encoding="utf-8", newline="") as file:
        truth = [row["merged_ids"].split(";") for row in csv.DictReader(file)]
    return records, truth


def record_from_row(row: dict[str, str]) -> DedupRecord:
    year = (row.get("year") or "").strip()
    return DedupRecord(
        id=row["ID"],
        title=row.get("title") or "",
        authors=tuple(a.strip() for a in (row.get("author") or "").split(" and ") if a.strip()),
        year=int(float(year)) if year[:4].isdigit() else None,
        journal=row.get("journal") or row.get("booktitle") or "",
        volume=row.get("volume") or "",
        issue=row.get("number") or row.get("issue") or "",
        pages=row.get("pages") or "",
        doi=row.get("doi") or "",
        pmid=row.get("pmid") or "",
    )


def record_level_scores(ids: list[str], truth: list[list[str]], kept: set[str]) -> dict:
    counts = {"TP": 0, "FP": 0, "FN": 0, "TN": 0}
    grouped = {record_id for group in truth for record_id in group}
    for record_id in ids:
        if record_id not in grouped:
            counts["TN" if record_id in kept else "FP"] += 1
    for group in truth:
        kept_here = sum(record_id in kept for record_id in group)
        if kept_here == 0:
            counts["FP"] += 1
            counts["TP"] += len(group) - 1
        else:
            counts["TN"] += 1
            counts["FN"] += kept_here - 1
            counts["TP"] += len(group) - kept_here
    removable = counts["TP"] + counts["FN"]
    keepable = counts["TN"] + counts["FP"]
    return {
        **counts,
        "sensitivity": counts["TP"] / removable if removable else 1.0,
        "specificity": counts["TN"] / keepable if keepable else 1.0,
    }


def run_ours(records: list[DedupRecord], truth: list[list[str]]) -> dict:
    started = time.perf_counter()
    result = deduplicate(records)
    seconds = time.perf_counter() - started
    merged_away = set(result.canonical_of())
    kept = {record.id for record in records} - merged_away
    return {
        **record_level_scores([r.id for r in records], truth, kept),
        "review_pairs": len(result.review_pairs),
        "seconds": seconds,
    }


def run_bib_dedupe(python: str, csv_path: Path, ids: list[str], truth: list[list[str]]) -> dict:
    completed = subprocess.run(
        [python, str(RUNNER), str(csv_path)], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        return {"error": completed.stderr.strip().splitlines()[-1:]}
    output = json.loads(completed.stdout)
    return {
        **record_level_scores(ids, truth, set(output["kept_ids"])),
        "review_pairs": output["maybe_pairs"],
        "seconds": output["seconds"],
    }


def write_csv(records: list[DedupRecord], path: Path) -> None:
    """The records in bib-dedupe's benchmark columns."""
    fields = ["ID", "ENTRYTYPE", "title", "author", "year", "journal", "volume", "number"]
    fields += ["pages", "doi"]
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=fields)
        writer.writeheader()
        for r in records:
            writer.writerow(
                {
                    "ID": r.id,
                    "ENTRYTYPE": "article",
                    "title": r.title,
                    "author": " and ".join(r.authors),
                    "year": r.year or "",
                    "journal": r.journal,
                    "volume": r.volume,
                    "number": r.issue,
                    "pages": r.pages,
                    "doi": r.doi,
                }
            )


def write_ris(records: list[DedupRecord], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as file:
        for r in records:
            lines = ["TY  - JOUR", f"ID  - {r.id}", f"TI  - {r.title}"]
            lines += [f"AU  - {author}" for author in r.authors]
            start, _, end = r.pages.partition("-")
            for tag, value in [
                ("PY", r.year or ""),
                ("JO", r.journal),
                ("VL", r.volume),
                ("IS", r.issue),
                ("SP", start),
                ("EP", end),
                ("DO", r.doi),
                ("DB", "PubMed" if r.pmid else ""),
                ("AN", r.pmid),  # as EndNote's PubMed export writes the PMID
            ]:
                if value:
                    lines.append(f"{tag}  - {value}")
            file.write("\n".join(lines) + "\nER  - \n\n")


def import_ris(path: Path) -> dict:
    """Parse with the project's RIS reader and de-duplicate, as an import does (no database).

    Runs in its own process, so that its peak memory is its own.
    """
    from screening.parsers import parse_file

    started = time.perf_counter()
    records = [
        DedupRecord.from_parsed(parsed.raw["ID"][0], parsed) for parsed in parse_file(path, "ris")
    ]
    parsed = time.perf_counter()
    result = deduplicate(records)
    done = time.perf_counter()
    return {
        "records": len(records),
        "parse_seconds": parsed - started,
        "dedup_seconds": done - parsed,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "merged_away": sorted(result.canonical_of()),
        "review_pairs": len(result.review_pairs),
    }


def scaling_row(size: int, seed: int, bib_dedupe: str | None, bib_dedupe_max: int) -> dict:
    works = []
    for name in ("cytology_screening", "haematology"):  # ids repeat across sets: one at a time
        works += dedup_synthetic.works_from_real(*load_set(DATA / name))
    records, truth = dedup_synthetic.synthetic_set(works, size, seed=seed)
    ids = [r.id for r in records]
    row: dict = {"set": f"synthetic {size:,}", "records": len(records)}
    with tempfile.TemporaryDirectory() as folder:
        ris = Path(folder) / "records.ris"
        write_ris(records, ris)
        completed = subprocess.run(
            [sys.executable, __file__, "--import-worker", str(ris)],
            capture_output=True,
            text=True,
            check=True,
        )
        worker = json.loads(completed.stdout)
        kept = set(ids) - set(worker.pop("merged_away"))
        scores = record_level_scores(ids, truth, kept)
        row["removable"] = scores["TP"] + scores["FN"]
        row["ours"] = {**scores, **worker, "seconds": worker["dedup_seconds"]}
        if bib_dedupe and size <= bib_dedupe_max:
            path = Path(folder) / "records.csv"
            write_csv(records, path)
            row["bib-dedupe"] = run_bib_dedupe(bib_dedupe, path, ids, truth)
    return row


def real_rows(bib_dedupe: str | None) -> list[dict]:
    rows = []
    for folder in sorted(p for p in DATA.iterdir() if p.is_dir()):
        records, truth = load_set(folder)
        ids = [r.id for r in records]
        row = {
            "set": folder.name,
            "records": len(records),
            "removable": sum(len(group) - 1 for group in truth),
            "ours": run_ours(records, truth),
        }
        if bib_dedupe:
            row["bib-dedupe"] = run_bib_dedupe(
                bib_dedupe, folder / "records_pre_merged.csv", ids, truth
            )
        rows.append(row)
    return rows


def print_table(rows: list[dict]) -> None:
    header = f"{'set':<22}{'records':>9}{'removable':>10}  {'tool':<11}"
    header += (
        f"{'sens':>7}{'spec':>7}{'FP':>5}{'review':>8}{'seconds':>9}{'parse s':>9}{'RSS MB':>8}"
    )
    print(header)
    for row in rows:
        for tool in ("ours", "bib-dedupe"):
            if tool not in row:
                continue
            figures = row[tool]
            line = f"{row['set']:<22}{row['records']:>9,}{row['removable']:>10,}  {tool:<11}"
            if "error" in figures:
                print(line + f"error: {figures['error']}")
                continue
            line += f"{figures['sensitivity']:>7.3f}{figures['specificity']:>7.3f}"
            line += f"{figures['FP']:>5}{figures['review_pairs']:>8,}{figures['seconds']:>9.1f}"
            if "parse_seconds" in figures:
                line += f"{figures['parse_seconds']:>9.1f}{figures['max_rss_mb']:>8.0f}"
            print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--with-bib-dedupe", metavar="PYTHON", help="python with bib-dedupe")
    parser.add_argument("--sizes", default="10000,50000,100000", help="synthetic sizes, or ''")
    parser.add_argument("--bib-dedupe-max-size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--import-worker", metavar="RIS", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.import_worker:
        json.dump(import_ris(Path(args.import_worker)), sys.stdout)
        return
    rows = real_rows(args.with_bib_dedupe)
    for size in (int(s) for s in args.sizes.split(",") if s):
        rows.append(scaling_row(size, args.seed, args.with_bib_dedupe, args.bib_dedupe_max_size))
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
    else:
        print_table(rows)


if __name__ == "__main__":
    main()
