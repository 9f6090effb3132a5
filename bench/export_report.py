"""Report exports on a large project: each format's time, printed as one JSON line.

    .venv/bin/python bench/export_report.py [--studies 500] [--repeat 3]
        [--database-url postgres://postgres@127.0.0.1:5432/reviewapp_export]

1. A database of its own: without --database-url an SQLite file in a temporary directory
   (DATA_DIR), with it PostgreSQL (created and migrated when needed; older bench projects,
   slug bench-export-*, are deleted first). Tasks run eagerly; no broker, no worker.
2. One project, one topic area, four graded categories and an ungraded one, --studies
   studies (a record each, for RIS) with one result each and a second result in another
   category for every fifth study, and 50 comments. Rows are bulk-inserted (the bench
   measures exports, not extraction), then the verdicts are recomputed and the report
   tables built once through the services, timed as rebuild_ms: the recompute after every
   result save pays it too.
3. Each format (xlsx, docx, csv, json, ris, prisma-csv) through
   `grading.services.report.report_export`, the function the page and the command call,
   --repeat times; the JSON line gives the median and the best in milliseconds and the
   size in bytes, and whether XLSX and DOCX are within the issue's budget (2 s each, on the
   median). The machine's core count and load average are printed beside them: on a busy
   machine the figures are indicative.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

SLUG_PREFIX = "bench-export-"
BUDGET_MS = {"xlsx": 2000, "docx": 2000}
FORMATS = ("xlsx", "docx", "csv", "json", "ris", "prisma-csv")
COUNTRIES = ("DK", "SE", "NO", "DE", "NL", "CH", "FR", "GB", "US")
DESIGNS = ("randomised_individual", "randomised_cluster", "natural_experiment", "matching")
RATINGS = ("low", "low_moderate", "moderate", "moderate_high", "high")


def configure(database_url: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-export-report-not-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    if database_url:
        from benchdb import ensure_database

        ensure_database(database_url)
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="export-report-")


def build(n_studies: int):
    from django.contrib.auth import get_user_model

    from grading.models import Comment, Result, Study
    from grading.services import verdicts as verdict_services
    from reviewapp import services as project_services
    from reviewapp.models import Project
    from screening.models import Record, Source

    Project.objects.filter(slug__startswith=SLUG_PREFIX).delete()
    user, _created = get_user_model().objects.get_or_create(username="bench-export-lead")
    slug = f"{SLUG_PREFIX}{int(time.time())}"
    project = project_services.project_create(creator=user, title="Export bench", slug=slug)
    topic_area = project_services.topic_area_create(
        project=project, actor=user, title="Caseworkers", key="caseworkers", position=1
    )
    categories = [
        verdict_services.category_create(
            topic_area=topic_area, actor=user, key=f"category-{i}", title=f"Category {i}"
        )
        for i in range(4)
    ]
    categories.append(
        verdict_services.category_create(
            topic_area=topic_area, actor=user, key="other", title="Other studies", graded=False
        )
    )
    source = Source.objects.create(topic_area=topic_area, name="EconLit")
    records = Record.objects.bulk_create(
        Record(
            topic_area=topic_area,
            source=source,
            position=i,
            title=f"Study {i} of caseworkers and unemployment",
            authors=[f"Author{i}, A.", "Second, B."],
            year=1990 + i % 30,
            journal="Journal of Labor Economics",
            doi=f"10.1000/bench.{i}",
            abstract="An abstract about caseloads. " * 10,
        )
        for i in range(n_studies)
    )
    studies = Study.objects.bulk_create(
        Study(
            topic_area=topic_area,
            label=f"Author{i} et al. ({1990 + i % 30})",
            title=f"Study {i} of caseworkers and unemployment",
            year=1990 + i % 30,
            country=COUNTRIES[i % len(COUNTRIES)],
            peer_reviewed=i % 2 == 0,
            design=DESIGNS[i % len(DESIGNS)],
        )
        for i in range(n_studies)
    )
    Study.records.through.objects.bulk_create(
        Study.records.through(study_id=study.pk, record_id=record.pk)
        for study, record in zip(studies, records, strict=True)
    )
    results = []
    for i, study in enumerate(studies):
        picks = [categories[i % 5]] + ([categories[(i + 1) % 5]] if i % 5 == 0 else [])
        for category in picks:
            results.append(
                Result(
                    study=study,
                    category=category,
                    intervention="Lower caseloads for caseworkers in job centres. " * 3,
                    target_group="Insured unemployed aged 25-55 in 2005-2010.",
                    effect="Higher employment after 12 months; no effect on earnings. " * 2,
                    direction="positive" if i % 3 else "no_effect",
                    risk_of_bias=RATINGS[i % 5],
                    transferability=RATINGS[(i + 2) % 5],
                    transferability_justification="Danish national register data.",
                )
            )
    Result.objects.bulk_create(results)
    Comment.objects.bulk_create(
        Comment(
            project=project,
            topic_area=topic_area,
            target_kind="study",
            target_id=studies[i].pk,
            target_label=studies[i].label,
            author=user,
            body=f"Comment {i}: is the design right?",
        )
        for i in range(50)
    )
    return project, topic_area, categories, len(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    if not (1 <= args.studies <= 20_000 and 1 <= args.repeat <= 20):
        parser.error("bounded: 1-20000 studies, 1-20 repeats")
    configure(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from grading.services import report as report_services
    from grading.services import verdicts as verdict_services

    load_before = os.getloadavg()
    project, topic_area, categories, n_results = build(args.studies)
    started = time.perf_counter()
    for category in categories:
        verdict_services.verdict_recompute(category=category)  # each rebuilds the tables
    recompute_ms = (time.perf_counter() - started) * 1000 / len(categories)
    started = time.perf_counter()
    report_services.report_tables_rebuild(topic_area=topic_area)
    rebuild_ms = (time.perf_counter() - started) * 1000

    figures = {}
    for fmt in FORMATS:
        times, size = [], 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            content, _name, _type = report_services.report_export(project, fmt, "da")
            times.append((time.perf_counter() - started) * 1000)
            size = len(content)
        figures[fmt] = {
            "median_ms": round(statistics.median(times), 1),
            "best_ms": round(min(times), 1),
            "bytes": size,
        }
    line = {
        "bench": "export_report",
        "database": connection.vendor,
        "studies": args.studies,
        "results": n_results,
        "comments": 50,
        "repeat": args.repeat,
        "rebuild_ms": round(rebuild_ms, 1),
        "recompute_with_rebuild_ms": round(recompute_ms, 1),
        "formats": figures,
        "within_budget": {
            fmt: figures[fmt]["median_ms"] <= budget for fmt, budget in BUDGET_MS.items()
        },
        "nproc": os.cpu_count(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(line))


if __name__ == "__main__":
    main()
