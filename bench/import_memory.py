"""Peak memory of importing hostile 300 MB files, one shape each, as an upload does.

    .venv/bin/python bench/import_memory.py [--megabytes 300] [--keep DIR]

Each file is written to a temporary folder, then imported in a fresh process (so that its
peak RSS is its own) on the embedded default (SQLite in a temporary DATA_DIR): through
screening.services.import_job_create and import_run, the code a browser upload runs. Shapes:
one line of text as a RIS title, one RIS abstract of words, one CSV cell, one BibTeX
abstract, one PubMed XML abstract. The budget (issue 15): under 500 MB whatever the shape.
Prints one line per shape: the outcome (DONE with its warnings, or the job's error), seconds,
peak RSS.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import os, sys, django
sys.path.insert(0, sys.argv[2])
os.environ["DJANGO_SETTINGS_MODULE"] = "reviewapp.settings"
django.setup()
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management import call_command
from reviewapp.services import project_create, topic_area_create
from screening.services.imports import import_job_create, import_run
call_command("migrate", verbosity=0)
user = get_user_model().objects.create(username="bench")
project = project_create(creator=user, title="Memory bench", slug="memory-bench")
topic = topic_area_create(project=project, actor=user, key="bench", title="Bench")
path = sys.argv[1]
with open(path, "rb") as handle:
    upload = File(handle, name=os.path.basename(path))
    job = import_job_create(
        topic_area=topic, actor=user, upload=upload, source_name="bench", enqueue=False
    )
if job.status == "queued":
    try:
        summary = import_run(job=job)
        print("DONE", summary.records, "records,", len(summary.warnings), "warnings:",
              "; ".join(w["message"][:90] for w in summary.warnings[:1]))
        raise SystemExit(0)
    except Exception:
        job.refresh_from_db()
print("FAILED", (job.error or "")[:140])
"""


def write_files(folder: Path, size: int) -> dict[str, Path]:
    words = "word " * (size // 5)
    files = {
        "ris-one-line-title": ("title.ris", f"TY  - JOUR\nTI  - {'a' * size}\nER  - \n"),
        "ris-abstract": ("abstract.ris", f"TY  - JOUR\nTI  - Title\nAB  - {words}\nER  - \n"),
        "bibtex-abstract": (
            "abstract.bib",
            f"@article{{a,\n title = {{T}},\n abstract = {{{words}}}\n}}\n",
        ),
        "pubmed-xml-abstract": (
            "abstract.xml",
            '<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation>'
            "<PMID>1</PMID><Article><ArticleTitle>T</ArticleTitle><Abstract><AbstractText>"
            f"{words}</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>"
            "</PubmedArticleSet>\n",
        ),
    }
    paths = {}
    for shape, (name, text) in files.items():
        paths[shape] = folder / name
        paths[shape].write_text(text)
    paths["csv-cell"] = folder / "cell.csv"
    with paths["csv-cell"].open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract"])
        writer.writerow(["T", "x" * size])
    return paths


def measure(path: Path) -> tuple[str, float, float]:
    """Import the file in a child process: (outcome, seconds, the child's peak RSS in MB).
    Run it in a fresh interpreter (see _isolated): RUSAGE_CHILDREN is the largest child's."""
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "DATA_DIR": data_dir}
        env.pop("DATABASE_URL", None)
        env.pop("CELERY_BROKER_URL", None)
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), str(ROOT)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    lines = result.stdout.strip().splitlines()
    return (lines[-1] if lines else result.stderr.strip()[-140:]), seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=300)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="import-memory-"))
    folder.mkdir(parents=True, exist_ok=True)
    paths = write_files(folder, args.megabytes * 1024 * 1024)
    print(f"{'shape':<22} {'MB':>5} {'seconds':>8} {'peak RSS MB':>12}  outcome")
    for shape, path in paths.items():
        outcome, seconds, peak = _isolated(path)
        size = path.stat().st_size / 1024 / 1024
        print(f"{shape:<22} {size:>5.0f} {seconds:>8.1f} {peak:>12.0f}  {outcome}")
        if not args.keep:
            path.unlink()
    if not args.keep:
        folder.rmdir()


def _isolated(path: Path) -> tuple[str, float, float]:
    """measure() in a fresh interpreter, so that RUSAGE_CHILDREN is this shape's alone."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import import_memory as m; "
        "o, s, p = m.measure(__import__('pathlib').Path(sys.argv[2])); print(f'{s}\\t{p}\\t{o}')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent), str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, peak, outcome = result.stdout.strip().split("\t", 2)
    return outcome, float(seconds), float(peak)


if __name__ == "__main__":
    main()
