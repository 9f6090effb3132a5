"""Verdict recomputation latency: from a result's commit until its verdict is readable.

    .venv/bin/python bench/recompute_latency.py [--rate 2] [--seconds 30] [--burst 20]
        [--burst-window 1.0] [--modes steady,burst] [--poll-ms 5] [--pool solo]
        [--coalesce SECONDS] [--database-url URL] [--broker-url URL]

1. PostgreSQL database reviewapp_recompute (--database-url; created and migrated when
   needed) and Redis db 13 (--broker-url; its Celery queue purged at the start). Older
   bench projects (slug bench-recompute-*) are deleted first.
2. The script starts its own Celery worker as tests/worker.py does
   (`python -m celery -A reviewapp worker --pool solo --loglevel INFO`, DATABASE_URL and
   CELERY_BROKER_URL in its environment, log to a temporary file), waits for it to answer a
   ping, and stops it on exit (SIGTERM, then SIGKILL after 20 s; also on Ctrl-C or SIGTERM
   of this script).
3. Through the services: a project, a topic area, one graded category per mode (plus one
   for an untimed warm-up save that the worker runs first) and one study
   (`category_create`, `study_create`). Every save is
   `grading.services.studies.result_save` creating a new result, in a transaction of its
   own, as a web request's would be: an outer
   `transaction.atomic()` whose first on-commit callback stamps the commit time
   (monotonic and wall clock) before the service's own callback publishes the recompute.
   - steady: --rate saves a second for --seconds, on a fixed schedule (open loop).
   - burst: --burst saves spread evenly over --burst-window seconds (20 in 1 s: one every
     50 ms), then wait until the verdict is fresh.
4. When is save i's verdict readable? A thread with its own connection polls the
   verdict row every --poll-ms and records every change of (inputs_hash, stale_since,
   recompute_requested_at, computed_at). After each commit the script computes the inputs
   hash the worker will compute for exactly the results committed so far
   (`grading.services.verdicts._inputs_hash(framework, category_inputs(category))`, the
   function the recompute uses). Results are only added, so a verdict carrying the hash of save i or
   of any later save was computed from inputs that include save i: that is the exact test.
   `computed_at > commit` is not (the recompute reads its inputs before it stamps
   computed_at, so a recompute that started just before the commit passes it), and
   `stale_since is None` says nothing about one save while later ones keep coming.
   Reported per save:
   - p50/p95/max_ms: commit until the poller first sees such a verdict (polling adds up to
     --poll-ms);
   - computed_p50/p95_ms: commit until that verdict's computed_at (the worker's own stamp,
     no polling error, a little before its commit);
   - clean_p95_ms: commit until such a verdict is also no longer marked stale.
5. Recomputes run are counted from the worker's log: one line
   "Task grading.tasks.recompute_category_task[...] succeeded in ..." per execution,
   counted from the mode's first save until the verdict is clean (stale_since and
   recompute_requested_at None) plus --settle seconds. Counting VerdictEvent rows would
   miss recomputes whose level did not change, and computed_at changes miss recomputes
   that found the inputs hash unchanged; both are reported beside it for comparison.
6. One JSON line per mode: mode, saves, p50/p95/max_ms, recomputes, budget verdicts and the
   machine's facts (nproc, load average before and after, pool, QUIET_SECONDS).

--coalesce S is a what-if, not a setting of the application: it overrides
`grading.services.verdicts.QUIET_SECONDS` in this process (the first request of a burst is
published here) and in the worker (started through `python -c` that sets it before Celery's
main), to show what the countdown costs and buys. The JSON line says which value ran.

Budgets (the issue): p95 at most 500 ms; a burst of 20 saves within a second runs at most
2 recomputes. Only 127.0.0.1 is contacted; nothing is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from benchdb import ensure_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/reviewapp_recompute"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/13"
SLUG_PREFIX = "bench-recompute-"
BUDGET_P95_MS = 500
BUDGET_BURST_RECOMPUTES = 2
TASK = "grading.tasks.recompute_category_task"
SUCCEEDED_RE = re.compile(
    rf"Task {re.escape(TASK)}\[[0-9a-f-]+\] succeeded in ([0-9.e-]+)s", re.IGNORECASE
)
STUDY = {
    "label": "Bench et al. (2020)",
    "title": "A study for the recompute bench",
    "year": 2020,
    "design": "randomised_individual",
    "country": "DK",
    "peer_reviewed": True,
}
RECEIVED_RE = re.compile(rf"Task {re.escape(TASK)}\[[0-9a-f-]+\] received")


# --- environment, worker ----------------------------------------------------------------


def configure_environment(database_url: str, broker_url: str) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "reviewapp.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "CACHE_URL": broker_url,
        "SECRET_KEY": "bench-recompute-latency-not-secret",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    return env


class Worker:
    """A real Celery worker process, started and stopped (killed if need be) by this script."""

    def __init__(self, env: dict[str, str], pool: str, folder: Path, coalesce: float | None):
        self.coalesce = coalesce
        self.name = f"bench-recompute-{uuid.uuid4().hex[:8]}@localhost"
        self.log_path = folder / "worker.log"
        self.env = {**os.environ, **env, "LOG_LEVEL": "INFO"}
        self.pool = pool
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        from reviewapp.celery import app

        app.control.purge()
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [
                    *self.command(),
                    "-A",
                    "reviewapp",
                    "worker",
                    "--pool",
                    self.pool,
                    *(["--concurrency", "1"] if self.pool != "solo" else []),
                    "--loglevel",
                    "INFO",
                    "-n",
                    self.name,
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not app.control.ping(destination=[self.name], timeout=1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"Celery worker did not start:\n{self.log_text()[-3000:]}")

    def command(self) -> list[str]:
        """`python -m celery`; with --coalesce, the same after overriding QUIET_SECONDS
        in the worker's process (it re-enqueues when a save came in during a recompute)."""
        if self.coalesce is None:
            return [sys.executable, "-m", "celery"]
        code = (
            "import sys, django; django.setup(); import grading.services.verdicts as s; "
            f"s.QUIET_SECONDS = {self.coalesce!r}; sys.argv[0] = 'celery'; "
            "from celery.__main__ import main; main()"
        )
        return [sys.executable, "-c", code]

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def log_offset(self) -> int:
        return self.log_path.stat().st_size

    def log_text(self, offset: int = 0) -> str:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")


# --- the verdict poller -----------------------------------------------------------------


@dataclass
class State:
    at: float  # monotonic, just after the row was read
    inputs_hash: str
    stale_since: datetime | None
    requested_at: datetime | None
    computed_at: datetime | None


class Poller(threading.Thread):
    """Reads one verdict row every `interval` s on its own connection; keeps every change."""

    def __init__(self, database_url: str, table: str, verdict_id: int, interval: float):
        super().__init__(daemon=True)
        self.url = database_url
        self.sql = (
            f"SELECT inputs_hash, stale_since, recompute_requested_at, computed_at "  # noqa: S608
            f"FROM {table} WHERE id = %s"
        )
        self.verdict_id = verdict_id
        self.interval = interval
        self.states: list[State] = []
        self.reads = 0
        self.ready = threading.Event()
        self.done = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            last = None
            while not self.done.is_set():
                row = connection.execute(self.sql, [self.verdict_id], prepare=True).fetchone()
                at = time.monotonic()
                self.reads += 1
                if row != last:
                    self.states.append(State(at, *row))
                    last = row
                self.ready.set()
                time.sleep(self.interval)

    def latest(self) -> State:
        return self.states[-1]

    def stop(self) -> None:
        self.done.set()
        self.join(10)


# --- the bench objects and a save -------------------------------------------------------


@dataclass
class Bench:
    """What every mode runs against: the worker, the verdict table and the bench objects."""

    args: argparse.Namespace
    database_url: str
    worker: Worker
    table: str
    project: object
    actor: object
    study: object


@dataclass
class Save:
    number: int
    started: float
    commit: float  # monotonic, first on-commit callback
    commit_wall: datetime
    returned: float
    digest: str  # the inputs hash of the results committed so far


def delete_old_projects() -> None:
    from grading.models import Result
    from reviewapp.models import Project

    old = Project.objects.filter(slug__startswith=SLUG_PREFIX)
    Result.objects.filter(study__topic_area__project__in=old).delete()
    old.delete()


def build(modes: list[str]):
    from django.contrib.auth import get_user_model

    from grading.services import studies as study_services
    from grading.services import verdicts as verdict_services
    from reviewapp.services import project_create, topic_area_create

    user, _created = get_user_model().objects.get_or_create(username="bench-recompute")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    project = project_create(
        creator=user, title="Recompute latency bench", slug=SLUG_PREFIX + stamp, language="en"
    )
    topic = topic_area_create(project=project, actor=user, key="bench", title="Bench")
    categories = {
        name: verdict_services.category_create(
            topic_area=topic, actor=user, key=name, title=f"Recompute {name}"
        )
        for name in ["warmup", *modes]
    }
    study = study_services.study_create(topic_area=topic, actor=user, **STUDY)
    return project, user, categories, study


def timed_save(*, study, actor, category, number: int, framework: str) -> Save:
    from django.db import transaction
    from django.utils import timezone

    from grading.queries import verdicts as verdict_queries
    from grading.services import studies as study_services
    from grading.services import verdicts as verdict_services

    marks = {}

    def stamp():
        marks["mono"] = time.monotonic()
        marks["wall"] = timezone.now()

    started = time.monotonic()
    with transaction.atomic():
        transaction.on_commit(stamp)  # runs before result_save's own (the enqueue)
        study_services.result_save(
            study=study,
            actor=actor,
            category=category,
            intervention=f"Intervention {number}",
            effect="Shorter unemployment",
            direction="positive" if number % 4 else "no_effect",
            risk_of_bias="low" if number % 3 else "moderate",
        )
    returned = time.monotonic()
    digest = verdict_services._inputs_hash(framework, verdict_queries.category_inputs(category))
    return Save(number, started, marks["mono"], marks["wall"], returned, digest)


def sleep_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def wait_clean(poller: Poller, digest: str, timeout: float) -> State:
    """Until the verdict carries `digest` and no recompute is pending or asked for."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = poller.latest()
        if state.inputs_hash == digest and state.stale_since is None and state.requested_at is None:
            return state
        time.sleep(poller.interval)
    raise SystemExit(f"the verdict did not become fresh within {timeout} s: {poller.latest()}")


# --- one mode ---------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))], 1)


def latencies(saves: list[Save], states: list[State]) -> dict:
    """Per save: the first verdict state computed from inputs that include it."""
    index = {save.digest: k for k, save in enumerate(saves)}
    readable, computed, clean, missing = [], [], [], 0
    for k, save in enumerate(saves):
        first = next(
            (s for s in states if s.at >= save.commit and index.get(s.inputs_hash, -1) >= k),
            None,
        )
        if first is None:
            missing += 1
            continue
        readable.append((first.at - save.commit) * 1000)
        computed.append((first.computed_at - save.commit_wall).total_seconds() * 1000)
        first_clean = next(
            (
                s
                for s in states
                if s.at >= first.at and index.get(s.inputs_hash, -1) >= k and not s.stale_since
            ),
            None,
        )
        if first_clean is not None:
            clean.append((first_clean.at - save.commit) * 1000)
    return {
        "p50_ms": percentile(readable, 0.50),
        "p95_ms": percentile(readable, 0.95),
        "max_ms": round(max(readable), 1) if readable else None,
        "computed_p50_ms": percentile(computed, 0.50),
        "computed_p95_ms": percentile(computed, 0.95),
        "clean_p95_ms": percentile(clean, 0.95),
        "never_readable": missing,
    }


def run_mode(mode: str, category, bench: Bench) -> dict:
    from grading.models import Verdict, VerdictEvent

    args, worker = bench.args, bench.worker
    verdict = Verdict.objects.get(category=category)
    poller = Poller(bench.database_url, bench.table, verdict.pk, args.poll_ms / 1000)
    poller.start()
    poller.ready.wait(10)
    events_before = VerdictEvent.objects.filter(
        verdict=verdict, kind=VerdictEvent.Kind.COMPUTED
    ).count()
    if mode == "steady":
        count, spacing = round(args.rate * args.seconds), 1 / args.rate
    else:
        count, spacing = args.burst, args.burst_window / args.burst
    load_before = os.getloadavg()[0]
    offset = worker.log_offset()
    start = time.monotonic() + 0.1
    saves = []
    for number in range(count):
        sleep_until(start + number * spacing)
        saves.append(
            timed_save(
                study=bench.study,
                actor=bench.actor,
                category=category,
                number=number + 1,
                framework=bench.project.evidence_framework,
            )
        )
    last_commit = saves[-1].commit
    clean = wait_clean(poller, saves[-1].digest, timeout=60)
    time.sleep(args.settle)
    poller.stop()
    log = worker.log_text(offset)
    runtimes = [float(value) * 1000 for value in SUCCEEDED_RE.findall(log)]
    before = [s.computed_at for s in poller.states if s.at < saves[0].started]
    computed_ats = {s.computed_at for s in poller.states if s.at >= saves[0].started}
    computed_ats -= set(before[-1:])
    events = (
        VerdictEvent.objects.filter(verdict=verdict, kind=VerdictEvent.Kind.COMPUTED).count()
        - events_before
    )
    request_ms = [(save.returned - save.started) * 1000 for save in saves]
    line = {
        "mode": mode,
        "saves": count,
        **latencies(saves, poller.states),
        # Every save adds a result, so each recompute that ran the framework changed
        # computed_at; task runs also count the ones that only put themselves off while a
        # burst went on (grading.services.verdicts.verdict_recompute_when_quiet).
        "recomputes": len(computed_ats),
        "task_runs": len(runtimes),
        "tasks_received": len(RECEIVED_RE.findall(log)),
        "computed_at_changes": len(computed_ats),
        "computed_events": events,
        "task_runtime_ms_max": round(max(runtimes), 1) if runtimes else None,
        "fresh_after_last_commit_ms": round((clean.at - last_commit) * 1000, 1),
        "saves_span_s": round(saves[-1].commit - saves[0].commit, 3),
        "save_request_p50_ms": percentile(request_ms, 0.50),
        "poll_ms": args.poll_ms,
        "poll_reads": poller.reads,
    }
    if mode == "steady":
        line["rate_per_s"] = args.rate
        line["within_budget"] = line["p95_ms"] is not None and line["p95_ms"] <= BUDGET_P95_MS
    else:
        line["burst_window_s"] = args.burst_window
        line["within_budget"] = line["recomputes"] <= BUDGET_BURST_RECOMPUTES
    line["loadavg_1min_before_after"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return line


# --- main -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=2.0, help="steady: saves per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="steady: duration")
    parser.add_argument("--burst", type=int, default=20, help="burst: saves")
    parser.add_argument("--burst-window", type=float, default=1.0, help="burst: seconds")
    parser.add_argument("--modes", default="steady,burst")
    parser.add_argument("--poll-ms", type=float, default=5.0)
    parser.add_argument("--settle", type=float, default=2.0, help="s to wait for late tasks")
    parser.add_argument("--pool", default="solo", choices=["solo", "prefork", "threads"])
    parser.add_argument(
        "--coalesce",
        type=float,
        metavar="SECONDS",
        help="what-if: override grading.services.verdicts.QUIET_SECONDS in this process and "
        "the worker",
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--broker-url", default=DEFAULT_BROKER_URL)
    args = parser.parse_args()
    modes = [mode for mode in args.modes.split(",") if mode]
    if not modes or not set(modes) <= {"steady", "burst"}:
        parser.error("--modes takes steady and/or burst")
    if not (0 < args.rate <= 50 and 1 <= args.seconds <= 600 and 1 <= args.burst <= 500):
        parser.error("bounded: rate 0-50/s, 1-600 seconds, burst 1-500")

    env = configure_environment(args.database_url, args.broker_url)
    ensure_database(env["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    from grading.models import Verdict
    from grading.services import verdicts as verdict_services

    call_command("migrate", verbosity=0)
    if args.coalesce is not None:
        verdict_services.QUIET_SECONDS = args.coalesce
    delete_old_projects()
    folder = Path(tempfile.mkdtemp(prefix="recompute-latency-"))
    worker = Worker(env, args.pool, folder, args.coalesce)
    # SIGTERM of this script must still stop the worker: turn it into SystemExit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        worker.start()
        project, actor, categories, study = build(modes)
        table = Verdict._meta.db_table
        bench = Bench(args, env["DATABASE_URL"], worker, table, project, actor, study)
        # Untimed warm-up: the worker's first task opens its connection and imports.
        warm = Poller(
            env["DATABASE_URL"], table, Verdict.objects.get(category=categories["warmup"]).pk, 0.01
        )
        warm.start()
        save = timed_save(
            study=study,
            actor=actor,
            category=categories["warmup"],
            number=0,
            framework=project.evidence_framework,
        )
        wait_clean(warm, save.digest, timeout=60)
        warm.stop()
        time.sleep(args.settle)
        for mode in modes:
            line = run_mode(mode, categories[mode], bench)
            line.update(
                {
                    "pool": args.pool,
                    "coalesce_seconds": verdict_services.QUIET_SECONDS,
                    "nproc": os.cpu_count(),
                }
            )
            print(json.dumps(line), flush=True)
    finally:
        worker.stop()
        if os.environ.get("BENCH_KEEP_LOG"):
            print(f"# worker log: {worker.log_path}", file=sys.stderr)
        else:
            worker.log_path.unlink(missing_ok=True)
            folder.rmdir()


if __name__ == "__main__":
    main()
