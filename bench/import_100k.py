"""Import of 100,000 records: build a RIS file from real exports, import it as an upload does.

    .venv/bin/python bench/import_100k.py [--records 100000] [--seed 1] [--keep FILE]
        [--profile STATS]

--keep FILE keeps the built file, and a later run with the same --records and --seed
imports that file instead of building it again (a million records take minutes).

1. Build: every RIS export in ../shared/data/formats (override the folder with
   SHARED_DATA_DIR) is read in place with the project's RIS reader; its records,
   exactly as tagged by Scopus, Web of Science, Embase, Ovid, Zotero, EndNote...,
   are the templates. The file holds each real record once, then "works" made
   from them (a third of the title words replaced from the real titles'
   vocabulary, the authors of another record, a new DOI or PMID, year, volume,
   issue and pages), each written with every other tag of its template, so
   abstracts, keywords and Scopus' reference lists keep their real sizes.
   About one work in eight gets one or two copies: some exact repeats, most
   perturbed as databases do, by bench/dedup_synthetic.py's rules (case, typos,
   a trailing full stop, author styles, fields missing, a year one off), written
   back into the record's tags. The records are shuffled, so a
   copy is rarely near its twin. One seed always gives the same file.
2. Import: in a fresh process (so that its peak memory is its own), against
   PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
   reviewapp_bench; the database is created and migrated when needed), through
   the code the browser upload uses: screening.services.import_job_create, then
   import_run (called directly, as a worker would).
3. Report: one JSON line, then a readable summary: file size, records, seconds in
   all and per phase (storing the upload and detecting its format, parsing,
   database writes, de-duplication's own matching and its database reads and
   updates), peak RSS, duplicates found against those planted.

The bench project is deleted afterwards; the built file is deleted unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import dedup_synthetic  # noqa: E402
from benchdb import ensure_database  # noqa: E402

from screening.dedup import DedupRecord  # noqa: E402
from screening.parsers import ParseError, detect_format, parse_file  # noqa: E402
from screening.parsers.ris import ris_record  # noqa: E402

FORMATS = Path(os.environ.get("SHARED_DATA_DIR", ROOT.parent / "shared" / "data")) / "formats"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/reviewapp_bench"
BENCH_SLUG = "bench-import-100k"
# Issue 16's budgets: 100,000 records in 15 s (within 1 GB, the earlier budget's memory),
# a million in 5 minutes within 2 GB; sizes between take the million's.
BUDGETS = {100_000: (15, 1024), 1_000_000: (300, 2048)}


def budget(records: int) -> tuple[int, int]:
    """(seconds, peak RSS in MB) allowed for importing `records`."""
    return BUDGETS[100_000] if records <= 100_000 else BUDGETS[1_000_000]


TITLE_TAGS = ("TI", "T1", "CT", "BT", "ST")  # the reader's order
AUTHOR_TAGS = ("AU", "A1")
# Per work: how many copies follow it. Weights give ~14 % of records as copies.
COPIES, COPY_WEIGHTS = (0, 1, 2), (870, 115, 15)
EXACT_SHARE = 0.35  # of the copies; the rest are perturbed


# --- building the file -------------------------------------------------------------


def real_records(folder: Path) -> list[dict[str, list[str]]]:
    """The raw tags of every record in the RIS exports under `folder`, file by file."""
    records = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith("LICENSE"):
            continue
        try:
            if detect_format(path, filename=path.name) != "ris":
                continue
            records += [parsed.raw for parsed in parse_file(path, "ris", filename=path.name)]
        except ParseError:
            continue
    if not records:
        raise SystemExit(f"no RIS records under {folder} (set SHARED_DATA_DIR)")
    return records


def title_tag(raw: dict[str, list[str]]) -> str | None:
    for tag in TITLE_TAGS:
        if any(value.strip() for value in raw.get(tag, ())):
            return tag
    return None


def author_tag(raw: dict[str, list[str]]) -> str:
    return next((tag for tag in AUTHOR_TAGS if raw.get(tag)), "AU")


class Builder:
    def __init__(self, templates: list[dict[str, list[str]]], seed: int):
        self.seed = seed
        self.originals = templates
        self.templates = [raw for raw in templates if title_tag(raw)]
        self.author_lists = [raw[author_tag(raw)] for raw in templates if raw.get(author_tag(raw))]
        self.vocabulary = sorted(
            {
                word
                for raw in self.templates
                for word in raw[title_tag(raw)][0].split()
                if len(word) > 3 and word.isalpha()
            }
        )

    def work(self, number: int) -> dict[str, list[str]]:
        """Work `number`: a real record as it is, or a new work made from one."""
        if number < len(self.originals):
            return self.originals[number]
        rng = random.Random(f"{self.seed}:work:{number}")
        model = self.templates[number % len(self.templates)]
        raw = {tag: list(values) for tag, values in model.items()}
        tag = title_tag(raw)
        words = " ".join(raw[tag][0].split()).split()
        for position in rng.sample(range(len(words)), k=min(len(words), max(2, len(words) // 3))):
            words[position] = rng.choice(self.vocabulary)
        raw[tag] = [" ".join(words)]
        if rng.random() < 0.9:  # else: the same group writing a similar paper
            raw[author_tag(raw)] = list(rng.choice(self.author_lists))
        parsed = ris_record(model, 0)
        if parsed.doi or rng.random() < 0.5:
            prefix = parsed.doi.split("/")[0] if parsed.doi else "10.5555"
            raw["DO"] = [f"{prefix}/bench.{self.seed}.{number}"]
        if parsed.pmid:
            pmid = str(40_000_000 + number)
            raw["PMID" if "PMID" in raw else "AN"] = [pmid]
        for date_tag in ("Y1", "DA"):
            raw.pop(date_tag, None)
        raw["PY"] = [str(rng.randint(1985, 2024))]
        raw["VL"] = [str(rng.randint(1, 250))]
        if rng.random() < 0.7:
            raw["IS"] = [str(rng.randint(1, 12))]
        first_page = rng.randint(1, 3000)
        raw["SP"], raw["EP"] = [str(first_page)], [str(first_page + rng.randint(2, 20))]
        return raw

    def copy(self, raw: dict[str, list[str]], rng: random.Random) -> dict[str, list[str]]:
        """A perturbed copy, as another database would write the same work.

        The perturbations are the de-duplication benchmark's (bench/dedup_synthetic.py),
        applied to the record's fields and written back into its tags.
        """
        parsed = ris_record(raw, 0)
        record = DedupRecord.from_parsed(0, parsed)
        work = dedup_synthetic.Work(
            **{name.name: getattr(record, name.name) for name in fields(dedup_synthetic.Work)}
        )
        shown = dedup_synthetic._perturb(work, rng)
        raw = {tag: list(values) for tag, values in raw.items()}
        raw[title_tag(raw)] = [shown.title]
        raw[author_tag(raw)] = list(shown.authors)
        tagged = [("PY", shown.year), ("VL", shown.volume), ("IS", shown.issue)]
        tagged += [("SP", shown.pages), ("EP", ""), ("DO", shown.doi)]
        for tag, value in tagged:
            raw.pop(tag, None)
            if value:
                raw[tag] = [str(value)]
        for tag in ("Y1", "DA") if shown.year != parsed.year else ():
            raw.pop(tag, None)
        if not shown.pmid:
            raw.pop("PMID", None)
            raw.pop("AN", None)
        return raw

    def plan(self, size: int) -> list[tuple[int, int]]:
        """(work, copy) pairs in file order: copy 0 is the work, later ones its duplicates."""
        rng = random.Random(f"{self.seed}:plan")
        entries: list[tuple[int, int]] = []
        number = 0
        while len(entries) < size:
            copies = 0 if number < len(self.originals) else rng.choices(COPIES, COPY_WEIGHTS)[0]
            entries += [(number, copy) for copy in range(copies + 1)]
            number += 1
        del entries[size:]
        rng.shuffle(entries)
        return entries

    def records(self, plan: list[tuple[int, int]]) -> Iterator[dict[str, list[str]]]:
        for number, copy in plan:
            raw = self.work(number)
            if copy:
                rng = random.Random(f"{self.seed}:copy:{number}:{copy}")
                if rng.random() >= EXACT_SHARE:
                    raw = self.copy(raw, rng)
            yield raw


def ris_lines(raw: dict[str, list[str]]) -> Iterator[str]:
    yield f"TY  - {raw.get('TY', ['JOUR'])[0]}"
    for tag, values in raw.items():
        if tag in ("TY", "ER"):
            continue
        for value in values:
            first, *rest = value.split("\n")
            yield f"{tag}  - {first}"
            yield from rest  # continuation lines, as the template had them
    yield "ER  - "


def build_file(path: Path, size: int, seed: int, *, write: bool = True) -> dict:
    """Write the file (unless `write` is false: an earlier run wrote it with the same
    size and seed) and return what was planted in it."""
    builder = Builder(real_records(FORMATS), seed)
    plan = builder.plan(size)
    if write:
        with open(path, "w", encoding="utf-8", newline="\n") as file:
            for raw in builder.records(plan):
                file.write("\n".join(ris_lines(raw)) + "\n\n")
    copies = sum(1 for _, copy in plan if copy)
    return {
        "real_records": len(builder.originals),
        "templates": len(builder.templates),
        "works": len({number for number, _ in plan}),
        "planted_copies": copies,
        "file_bytes": path.stat().st_size,
        "plan": plan,
    }


def score(plan: list[tuple[int, int]], merged: list[tuple[int, int]], real: int) -> dict:
    """Merges against the plan: within one work (a planted copy found) or across works.

    Across two of the real records (works below `real`) a merge may be right: the
    demo exports hold the same records from several tools. Any other merge across
    works is a false merge.
    """
    works = [(plan[a - 1][0], plan[b - 1][0]) for a, b in merged]
    within = sum(a == b for a, b in works)
    among_real = sum(a != b and a < real and b < real for a, b in works)
    return {
        "planted_found": within,
        "planted_missed": sum(1 for _, copy in plan if copy) - within,
        "merged_among_real_records": among_real,
        "false_merges": len(merged) - within - among_real,
    }


# --- importing (in its own process) --------------------------------------------------


def delete_bench_project() -> None:
    """Remove the bench project: raw deletes, as the ORM's cascade would load every row.

    The bench creates nothing else under its project, so these tables are all.
    VACUUM then clears the dead rows, which would otherwise slow each later run.
    """
    from django.db import connection, transaction

    from reviewapp.models import AuditEntry, Project, TopicArea
    from screening.models import DuplicatePair, ImportJob, Record, Source

    project = Project.objects.filter(slug=BENCH_SLUG).first()
    if project is not None:
        topics = list(TopicArea.objects.filter(project=project).values_list("id", flat=True))
        deletes = [(model, "topic_area_id", topics) for model in (DuplicatePair, ImportJob)]
        deletes += [(Record, "topic_area_id", topics), (Source, "topic_area_id", topics)]
        deletes += [(AuditEntry, "project_id", [project.pk]), (TopicArea, "id", topics)]
        deletes += [(Project, "id", [project.pk])]
        with transaction.atomic(), connection.cursor() as cursor:
            for model, column, ids in deletes:
                table = model._meta.db_table
                cursor.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [ids])  # noqa: S608
    with connection.cursor() as cursor:  # so that every run starts from the same table state
        for model in (Record, DuplicatePair):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def import_worker(path: Path, profile: Path | None = None) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.pop("CELERY_BROKER_URL", None)
    media = tempfile.TemporaryDirectory(prefix="import-100k-media-")
    os.environ["MEDIA_ROOT"] = media.name
    ensure_database(os.environ["DATABASE_URL"])
    django.setup()

    from django.core.files import File
    from django.core.management import call_command
    from django.db import connection

    import screening.services.duplicates as duplicates
    import screening.services.imports as imports
    from reviewapp.models import Project, TopicArea
    from screening.models import Record
    from screening.services.imports import import_job_create, import_run

    assert connection.vendor == "postgresql", "the bench measures PostgreSQL"
    call_command("migrate", verbosity=0)
    delete_bench_project()
    project = Project.objects.create(slug=BENCH_SLUG, title="Import benchmark")
    topic_area = TopicArea.objects.create(project=project, key="bench", title="Import benchmark")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    matching = {"seconds": 0.0}
    original_deduplicate = duplicates.deduplicate

    def timed_deduplicate(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original_deduplicate(*args, **kwargs)
        finally:
            matching["seconds"] += time.perf_counter() - started

    # The canonical records stream from the database into the matching: the time
    # spent waiting for rows is the database's, not the matching's.
    original_canonical_records = duplicates._canonical_records

    def timed_canonical_records(*args, **kwargs):
        rows = original_canonical_records(*args, **kwargs)
        while True:
            started = time.perf_counter()
            row = next(rows, None)
            matching["seconds"] -= time.perf_counter() - started
            if row is None:
                return
            yield row

    original_dedup_new = imports.deduplicate_new_records

    def measured_dedup_new(**kwargs):
        # The peak so far is that of storing the upload, parsing and writing.
        matching["rss_before_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return original_dedup_new(**kwargs)

    duplicates.deduplicate = timed_deduplicate
    duplicates._canonical_records = timed_canonical_records
    imports.deduplicate_new_records = measured_dedup_new
    started = time.perf_counter()
    with path.open("rb") as stream:
        job = import_job_create(
            topic_area=topic_area,
            actor=None,
            upload=File(stream, name=path.name),
            source_name="Benchmark",
            enqueue=False,
        )
    created = time.perf_counter()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        summary = profiler.runcall(import_run, job=job)
        profiler.dump_stats(profile)
    else:
        summary = import_run(job=job)
    finished = time.perf_counter()
    duplicates.deduplicate = original_deduplicate
    duplicates._canonical_records = original_canonical_records
    imports.deduplicate_new_records = original_dedup_new
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    merged = list(
        Record.objects.filter(source=job.source, canonical__isnull=False).values_list(
            "position", "canonical__position"
        )
    )
    delete_bench_project()
    media.cleanup()

    seconds = summary.seconds
    phases = {
        "store_and_detect": created - started,
        "parse": seconds["parse"],
        "write": seconds["write"],
        "dedup_matching": matching["seconds"],
        "dedup_database": seconds["deduplicate"] - matching["seconds"],
    }
    phases["other"] = max(0.0, finished - started - sum(phases.values()))
    total = finished - started
    return {
        "format": summary.format,
        "records": summary.records,
        "imported": summary.imported,
        "duplicates_in_file": summary.duplicates_in_file,
        "review_pairs": summary.review_pairs,
        "missing_title": summary.missing_title,
        "seconds": round(total, 2),
        "phase_seconds": {name: round(value, 2) for name, value in phases.items()},
        "phase_share": {name: round(value / total, 3) for name, value in phases.items()},
        "max_rss_mb": round(rss),
        "rss_before_import_mb": round(rss_before),
        "rss_before_dedup_mb": round(matching["rss_before_mb"]),
        "merged_positions": merged,
    }


# --- report ------------------------------------------------------------------------


def summarise(result: dict) -> str:
    seconds, rss_mb = budget(result["records"])
    lines = [
        f"file: {result['file_bytes'] / 1e6:.0f} MB, {result['records']:,} records "
        f"({result['real_records']} real records as templates, {result['works']:,} works, "
        f"{result['planted_copies']:,} planted copies)",
        f"imported {result['imported']:,}; duplicates found in the file "
        f"{result['duplicates_in_file']:,}; pairs left for review {result['review_pairs']:,}; "
        f"without title {result['missing_title']}",
        f"planted copies found {result['planted_found']:,}, missed {result['planted_missed']:,}; "
        f"merges among the real records {result['merged_among_real_records']}, "
        f"false merges {result['false_merges']}",
        f"total {result['seconds']:.1f} s (budget {seconds} s), peak RSS "
        f"{result['max_rss_mb']} MB (budget {rss_mb} MB; "
        f"{result['rss_before_import_mb']} MB before the import, "
        f"{result['rss_before_dedup_mb']} MB before de-duplication)",
    ]
    for name, value in result["phase_seconds"].items():
        share = result["phase_share"][name]
        lines.append(f"  {name:<17}{value:>7.2f} s {share:>6.1%}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="FILE",
        help="write the RIS file here and keep it; if it exists (an earlier run's, with the "
        "same --records and --seed), import it as it is",
    )
    parser.add_argument(
        "--profile", type=Path, metavar="STATS", help="cProfile the import into this file"
    )
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        json.dump(import_worker(args.worker, args.profile), sys.stdout)
        return

    with tempfile.TemporaryDirectory(prefix="import-100k-") as folder:
        path = args.keep or Path(folder) / "records_100k.ris"
        started = time.perf_counter()
        built = build_file(
            path, args.records, args.seed, write=not (args.keep and args.keep.exists())
        )
        built["build_seconds"] = round(time.perf_counter() - started, 1)
        worker = [sys.executable, __file__, "--worker", str(path)]
        if args.profile:
            worker += ["--profile", str(args.profile.resolve())]
        completed = subprocess.run(
            worker,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            sys.stderr.write(completed.stderr)
            raise SystemExit(completed.returncode)
        result = {**built, **json.loads(completed.stdout)}
    plan, merged = result.pop("plan"), result.pop("merged_positions")
    result.update(score(plan, merged, result["real_records"]))
    seconds, rss_mb = budget(result["records"])
    result["within_budget"] = result["seconds"] <= seconds and result["max_rss_mb"] <= rss_mb
    print(json.dumps(result))
    print(summarise(result))


if __name__ == "__main__":
    main()
