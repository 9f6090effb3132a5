"""A fault soak: screening and extraction under load while the worker and Redis fail.

Runs for --seconds (default 300) on PostgreSQL (--database-url) with a Redis of its own
(a redis-server started by this script on a free port, without persistence: a stop loses
the queue, the worst case; never the machine's shared Redis), a real Celery worker and beat
(subprocesses, the worker under a restart loop of this script's own as a restart policy
would be):

- 50 simulated reviewers screen the first stage (dual screening) and 5 extractors save
  results into 5 graded categories, through the service layer (`screening_next` and
  `decision_record`, `result_save`) from 10 threads, each with its own database connection.
  The service layer rather than HTTP: the faults are in the background path (broker, worker),
  which the pages reach only through these services.
- Faults: the worker is killed (SIGKILL) at 20 % and 70 % of the run and started again 2 s
  later; Redis is stopped at 45 % for 8 s and started again.
- At the end the clients' own ledgers are compared with the database: every decision the
  clients were told was recorded is there once with its value; every result saved is there
  once (its intervention carries a unique token). A monitor thread times, after each fault,
  how long until no verdict stale from before the fault's end remains.

    .venv/bin/python bench/soak.py [--seconds 300] [--database-url postgres://.../db]

Prints the figures; exits 1 when anything was lost or doubled or a verdict stayed stale.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from benchdb import ensure_database  # noqa: E402

from tests.worker import RedisServer, beat_command, worker_command  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/reviewapp_soak"
REVIEWERS = 50
EXTRACTORS = 5
SCREENING_THREADS = 8
EXTRACTION_THREADS = 2
RECORDS = 15000
CATEGORIES = 5
FRESH_WITHIN = 10.0  # seconds after a fault's end


class Supervised:
    """A process started again whenever it exits, as a restart policy would (until stop())."""

    def __init__(self, command: list[str], env: dict, log: Path):
        self.command, self.env, self.log = command, env, log
        self.process: subprocess.Popen | None = None
        self.stopping = False
        self.starts = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping:
            with self.log.open("a") as log:
                self.process = subprocess.Popen(
                    self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
                )
                self.starts += 1
            self.process.wait()
            if not self.stopping:
                time.sleep(2)  # docker's first restart delay is of this order

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)

    def stop(self) -> None:
        self.stopping = True
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def configure(database_url: str, broker_url: str) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "reviewapp.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        # The cache stays in process: Redis as the cache is a separate degradation path.
        "CACHE_URL": "locmem://",
        "SECRET_KEY": "bench-soak-not-secret",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    return env


def build():
    from django.contrib.auth import get_user_model

    from grading.services import studies as study_services
    from grading.services import verdicts as verdict_services
    from reviewapp.models import Membership, Role
    from reviewapp.services import project_create, topic_area_create
    from screening.models import Record, Source
    from screening.services.screening import stages_set_up

    users = get_user_model().objects
    stamp = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:4]}"
    lead = users.create_user(username=f"soak-lead-{stamp}")
    project = project_create(
        creator=lead, title="Fault soak", slug=f"bench-soak-{stamp}", language="en"
    )
    topic = topic_area_create(project=project, actor=lead, key="soak", title="Soak")
    source = Source.objects.create(topic_area=topic, name="Soak", created_by=lead)
    Record.objects.bulk_create(
        Record(
            topic_area=topic,
            source=source,
            position=n,
            title=f"Caseworker caseloads and job seekers, study {n} ({uuid.uuid4().hex[:6]})",
            abstract="An abstract about unemployment duration.",
            year=1990 + n % 30,
        )
        for n in range(RECORDS)
    )

    def member(name):
        user = users.create_user(username=f"{name}-{stamp}")
        Membership.objects.create(project=project, user=user, role=Role.REVIEWER)
        return user

    reviewers = [member(f"soak-reviewer{n}") for n in range(REVIEWERS)]
    extractors = [member(f"soak-extractor{n}") for n in range(EXTRACTORS)]
    stage = stages_set_up(topic_area=topic, actor=lead, preset="two")[0]
    categories = [
        verdict_services.category_create(
            topic_area=topic, actor=lead, key=f"c{n}", title=f"Soak category {n}"
        )
        for n in range(CATEGORIES)
    ]
    studies = [
        study_services.study_create(
            topic_area=topic,
            actor=lead,
            label=f"Soak {n} (2020)",
            title=f"Soak study {n}",
            year=2020,
            design="randomised_individual",
            country="DK",
            peer_reviewed=True,
        )
        for n in range(EXTRACTORS)
    ]
    return topic, stage, reviewers, extractors, categories, studies


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.decisions: dict[tuple[int, int], str] = {}
        self.saves: list[str] = []
        self.errors: Counter = Counter()
        self.idle = 0  # screening_next found nothing for the reviewer

    def error(self, kind: str, exc: Exception) -> None:
        with self.lock:
            self.errors[f"{kind}: {type(exc).__name__}: {str(exc)[:120]}"] += 1


def screen(stop, ledger, stage, reviewers, seed) -> None:
    from django.db import connection

    from screening.services.screening import decision_record, screening_next

    rng = random.Random(seed)
    try:
        while not stop.is_set():
            reviewer = rng.choice(reviewers)
            try:
                item = screening_next(stage=stage, reviewer=reviewer)
                if item is None:
                    with ledger.lock:
                        ledger.idle += 1
                    time.sleep(0.05)
                    continue
                value = "include" if rng.random() < 0.2 else "exclude"
                decision_record(item=item, reviewer=reviewer, value=value)
            except Exception as exc:  # a lost decision is counted below; keep going
                ledger.error("decision", exc)
                continue
            with ledger.lock:
                ledger.decisions[(reviewer.pk, item.pk)] = value
            time.sleep(rng.uniform(0, 0.05))
    finally:
        connection.close()


def extract(stop, ledger, extractors, studies, categories, seed) -> None:
    from django.db import connection

    from grading.services import studies as study_services

    rng = random.Random(seed)
    try:
        while not stop.is_set():
            n = rng.randrange(len(extractors))
            token = f"soak-{uuid.uuid4().hex}"
            try:
                study_services.result_save(
                    study=studies[n],
                    actor=extractors[n],
                    category=rng.choice(categories),
                    intervention=token,
                    effect="Shorter unemployment",
                    direction=rng.choice(["positive", "no_effect", "negative"]),
                    risk_of_bias=rng.choice(["low", "moderate"]),
                )
            except Exception as exc:
                ledger.error("save", exc)
                continue
            with ledger.lock:
                ledger.saves.append(token)
            time.sleep(rng.uniform(0.1, 0.4))
    finally:
        connection.close()


class FreshnessMonitor:
    """After each fault's end T, the seconds until no verdict stale since before T is left."""

    def __init__(self, topic):
        self.topic = topic
        self.pending: list[tuple[str, float, object]] = []  # (name, monotonic T, wall T)
        self.results: dict[str, float] = {}
        self.max_stale = 0.0
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def fault_ended(self, name: str) -> None:
        from django.utils import timezone

        with self.lock:
            self.pending.append((name, time.monotonic(), timezone.now()))

    def run(self) -> None:
        from django.db import connection
        from django.db.models import Min
        from django.utils import timezone

        from grading.models import Verdict

        verdicts = Verdict.objects.filter(category__topic_area=self.topic)
        try:
            while not self.stop.is_set() or self.pending:
                oldest = verdicts.aggregate(oldest=Min("stale_since"))["oldest"]
                if oldest is not None:
                    self.max_stale = max(self.max_stale, (timezone.now() - oldest).total_seconds())
                with self.lock:
                    for entry in list(self.pending):
                        name, mono, wall = entry
                        if oldest is None or oldest > wall:
                            self.results[name] = time.monotonic() - mono
                            self.pending.remove(entry)
                        elif time.monotonic() - mono > 120:
                            self.results[name] = float("inf")
                            self.pending.remove(entry)
                time.sleep(0.25)
        finally:
            connection.close()


def wait_for_worker(app, started: int, worker: Supervised, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.starts >= started:
            with contextlib.suppress(Exception):  # the broker may be coming back
                if app.control.ping(timeout=1):
                    return
        time.sleep(0.5)
    raise SystemExit(f"the worker did not answer:\n{worker.log.read_text()[-3000:]}")


def check(ledger, topic):
    from grading.models import Result
    from screening.models import Decision

    rows = Counter(
        Decision.objects.filter(stage__topic_area=topic).values_list("reviewer_id", "item_id")
    )
    values = {
        (reviewer, item): value
        for reviewer, item, value in Decision.objects.filter(stage__topic_area=topic).values_list(
            "reviewer_id", "item_id", "value"
        )
    }
    lost_decisions = sum(1 for key, value in ledger.decisions.items() if values.get(key) != value)
    doubled_decisions = sum(count - 1 for count in rows.values() if count > 1)
    unknown_decisions = sum(1 for key in rows if key not in ledger.decisions)

    saved = Counter(
        Result.objects.filter(study__topic_area=topic).values_list("intervention", flat=True)
    )
    lost_saves = sum(1 for token in ledger.saves if saved[token] == 0)
    doubled_saves = sum(count - 1 for count in saved.values() if count > 1)
    unknown_saves = sum(1 for token in saved if token not in set(ledger.saves))
    return {
        "decisions": len(ledger.decisions),
        "decision rows": sum(rows.values()),
        "decisions lost": lost_decisions,
        "decisions doubled": doubled_decisions,
        "decision rows no client made": unknown_decisions,
        "saves": len(ledger.saves),
        "result rows": sum(saved.values()),
        "saves lost": lost_saves,
        "saves doubled": doubled_saves,
        "result rows no client made": unknown_saves,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument(
        "--database-url", default=os.environ.get("SOAK_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is not installed")

    folder = Path(tempfile.mkdtemp(prefix="soak-"))
    redis = RedisServer(folder)
    redis.start()
    env = {**os.environ, **configure(args.database_url, redis.url), "LOG_LEVEL": "INFO"}
    ensure_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from reviewapp.celery import app

    print(f"redis {redis.url}, database {args.database_url}, logs in {folder}", flush=True)
    topic, stage, reviewers, extractors, categories, studies = build()
    worker = Supervised(
        worker_command(f"soak-{uuid.uuid4().hex[:6]}@%h", pool="threads", concurrency=2),
        env,
        folder / "worker.log",
    )
    beat = Supervised(beat_command(folder / "beat-schedule"), env, folder / "beat.log")
    worker.start()
    beat.start()
    wait_for_worker(app, 1, worker)

    ledger = Ledger()
    stop = threading.Event()
    monitor = FreshnessMonitor(topic)
    threads = [threading.Thread(target=monitor.run, daemon=True)]
    share = [reviewers[n::SCREENING_THREADS] for n in range(SCREENING_THREADS)]
    threads += [
        threading.Thread(target=screen, args=(stop, ledger, stage, share[n], n), daemon=True)
        for n in range(SCREENING_THREADS)
    ]
    threads += [
        threading.Thread(
            target=extract,
            args=(stop, ledger, extractors, studies, categories, 100 + n),
            daemon=True,
        )
        for n in range(EXTRACTION_THREADS)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()

    def at(share: float) -> None:
        delay = started + share * args.seconds - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    faults = []
    for name, when in [
        ("worker killed (1)", 0.2),
        ("redis stopped 8 s", 0.45),
        ("worker killed (2)", 0.7),
    ]:
        at(when)
        print(f"{time.monotonic() - started:6.1f} s  {name}", flush=True)
        if name.startswith("worker"):
            starts = worker.starts
            worker.kill()
            wait_for_worker(app, starts + 1, worker)
        else:
            redis.stop()
            time.sleep(8)
            redis.start()
        monitor.fault_ended(name)
        faults.append(name)
        print(f"{time.monotonic() - started:6.1f} s  over", flush=True)
    at(1.0)
    stop.set()
    for thread in threads[1:]:
        thread.join(timeout=30)
    monitor.fault_ended("end of load")
    monitor.stop.set()
    threads[0].join(timeout=150)
    figures = check(ledger, topic)
    worker.stop()
    beat.stop()
    redis.stop()

    print()
    print(
        f"run: {args.seconds:.0f} s, {REVIEWERS} reviewers on {SCREENING_THREADS} threads, "
        f"{EXTRACTORS} extractors on {EXTRACTION_THREADS} threads, "
        f"worker started {worker.starts} times"
    )
    for key, value in figures.items():
        print(f"{key:>30}: {value}")
    for name in [*faults, "end of load"]:
        seconds = monitor.results.get(name, float("inf"))
        print(f"{'verdicts fresh after ' + name:>30}: {seconds:.1f} s")
    print(f"{'longest a verdict was stale':>30}: {monitor.max_stale:.1f} s")
    print(f"{'client errors':>30}: {sum(ledger.errors.values())}")
    print(f"{'nothing to screen (asks)':>30}: {ledger.idle}")
    for message, count in ledger.errors.most_common(5):
        print(f"    {count} × {message}")
    bad = (
        figures["decisions lost"]
        or figures["decisions doubled"]
        or figures["saves lost"]
        or figures["saves doubled"]
        or any(monitor.results.get(name, float("inf")) > FRESH_WITHIN for name in faults)
    )
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
