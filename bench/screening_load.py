"""Screening round trip under load: N reviewers deciding over real HTTP against gunicorn.

    .venv/bin/python bench/screening_load.py [--records 50000] [--reviewers 50]
        [--seconds 60] [--think 2.0] [--workers CORES] [--modes open,closed]
        [--cache redis://127.0.0.1:6379/13 | none] [--profile 200] [--rebuild]

1. Build (once; reused while the project holds --records records, --rebuild forces
   it): in PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
   reviewapp_load; created with createdb and migrated when needed) a project of
   --records records, made from the real exports in ../shared/data/formats
   (SHARED_DATA_DIR overrides the folder) cycled with a number in the title, so
   titles, abstracts, author lists and the stored raw tags have real sizes; a lead
   and N reviewers, members of the project.
2. Before each run the project's screening is wiped (raw SQL) and set up again with
   screening.services.screening.stages_set_up(preset="three"): every record pending at stage 1
   (title, one reviewer per record). Each reviewer gets a session written directly
   into the session table (no password hashing, no login page).
   The cache and the sessions are in Redis (--cache, database 13 by default, cleared
   before each run), as in docker-compose's deployment; --cache none: process memory
   and database sessions, as the embedded default.
3. Each run starts its own gunicorn (`gunicorn reviewapp.wsgi -w WORKERS`, sync
   workers, DEBUG off, collected static files, access log with %(D)s microseconds)
   on 127.0.0.1 and a free port, and drives it with one thread per reviewer over
   http.client (standard library, nothing to install). A reviewer GETs the screening
   page of stage 1 (url `screen`) and POSTs a decision (`screening_decide`,
   value=include|exclude, 3 in 10 include, the page's CSRF token) to the item in the page's
   `data-item`; the response is the next record's panel, whose form action gives the
   next item. Requests carry HX-Request and X-CSRFToken as the page's htmx does
   (--full-page: plain form posts, the whole page back). One POST and its response
   are one round trip ("next record + decision").
   - open: after each response the reviewer thinks for an exponential time (mean
     --think s), for --seconds.
   - closed: no think time, for --seconds: saturation throughput and its latency.
   Every reviewer first does one untimed warm-up decision (so each gunicorn worker
   has rendered the page before the clock starts); it is counted in the checks.
4. Checks after each run: the (item, reviewer) pairs answered 200 are exactly the
   decision rows at stage 1, no item has two decisions (the stage needs one reviewer)
   and every item's decisions_made equals its rows: "stored_once". A 200 that says the
   record "already has the decisions it needs" is counted apart ("taken_by_another"):
   reviewers who open the page at once see the same record (nothing is held before a
   reviewer acts), the first decision takes it, and the others are told so and shown
   their next record.
5. One JSON line per run: mode, reviewers, seconds, decisions (timed), decisions per
   second, client-side p50/p95/p99 (ms), the same from gunicorn's access log
   (server_*: the worker's own time, without the wait in the listen queue), errors,
   stored_once, and CPU seconds of the load generator and of the gunicorn workers
   (they share the machine's cores).
6. --profile N: N round trips in this process through django.test.Client against the
   same database, every SQL query captured with the service or helper it ran in;
   prints one JSON line (mode "profile") and a table of sections and queries.

Only 127.0.0.1 is contacted. Nothing is installed: the client is the standard library.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from benchdb import ensure_database  # noqa: E402
from recompute_latency import Worker  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/reviewapp_load"
TAKEN_MESSAGE = "This record already has the decisions it needs."  # ScreeningTaken's
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/13"
FORMATS = Path(os.environ.get("SHARED_DATA_DIR", ROOT.parent / "shared" / "data")) / "formats"
SLUG = "bench-screening-load"
TOPIC_KEY = "load"
USER_PREFIX = "load-reviewer-"
LEAD_NAME = "load-lead"
BUDGET_P95_MS = 25
REQUEST_TIMEOUT = 30

ITEM_RE = re.compile(r'data-item="(\d+)"')
ACTION_RE = re.compile(r'<form method="post" action="([^"]+/decide/)"')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- environment and database -------------------------------------------------------


def configure_environment(
    static_root: str, cache_url: str = "", broker_url: str = ""
) -> dict[str, str]:
    """The settings the bench process and gunicorn share: production-like.
    `cache_url`: a Redis URL as docker-compose's deployment has (the cache, and sessions
    in Redis with the database behind); empty for process memory and database sessions.
    `broker_url`: a Redis URL for Celery, whose worker this script then starts; empty for
    none (tasks run in the request, as in the embedded default)."""
    env = {
        "DJANGO_SETTINGS_MODULE": "reviewapp.settings",
        "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        "SECRET_KEY": "bench-screening-load-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "SECURE_COOKIES": "false",
        # Plain HTTP on loopback: a deployment's TLS proxy is not part of the round trip.
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
    }
    if cache_url:
        env["CACHE_URL"] = cache_url
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
    os.environ.update(env)
    if not broker_url:
        os.environ.pop("CELERY_BROKER_URL", None)
    if not cache_url:
        os.environ.pop("CACHE_URL", None)
    return env


def collect_static(folder: Path) -> None:
    """collectstatic for DEBUG off, as the Dockerfile runs it."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def template_records() -> list:
    """Real records (with a title) from the shared RIS exports, in file order."""
    from screening.parsers import ParseError, detect_format, parse_file

    records = []
    for path in sorted(FORMATS.rglob("*")):
        if not path.is_file() or path.name.startswith(("LICENSE", "README")):
            continue
        try:
            if detect_format(path, filename=path.name) != "ris":
                continue
            records += [r for r in parse_file(path, "ris", filename=path.name) if r.title]
        except (ParseError, ValueError, UnicodeDecodeError):
            continue
    if not records:
        raise SystemExit(f"no records found under {FORMATS}")
    return records


def build_project(records: int, reviewers: int, rebuild: bool):
    """The bench project with `records` records and the reviewers; reused when it fits."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from reviewapp.models import Membership, Project, Role, TopicArea
    from screening.models import Record, Source

    user_model = get_user_model()
    project = Project.objects.filter(slug=SLUG).first()
    if project is not None and (
        rebuild
        or Record.objects.filter(topic_area__project=project, canonical__isnull=True).count()
        != records
    ):
        delete_project(project)
        project = None
    built = 0.0
    if project is None:
        started = time.perf_counter()
        templates = template_records()
        with transaction.atomic():
            project = Project.objects.create(slug=SLUG, title="Screening load bench", language="en")
            topic = TopicArea.objects.create(project=project, key=TOPIC_KEY, title="Load")
            source = Source.objects.create(
                topic_area=topic, name="Synthetic from shared exports", records_read=records
            )
            limits = {
                name: Record._meta.get_field(name).max_length
                for name in ("volume", "issue", "pages", "language", "publication_type")
            }
            batch = []
            for number in range(records):
                parsed = templates[number % len(templates)]
                short = {name: getattr(parsed, name)[:limit] for name, limit in limits.items()}
                batch.append(
                    Record(
                        topic_area=topic,
                        source=source,
                        position=number + 1,
                        title=f"{parsed.title} ({number + 1})",
                        abstract=parsed.abstract,
                        authors=parsed.authors,
                        year=parsed.year,
                        journal=parsed.journal,
                        doi=f"10.5555/load.{number + 1}",
                        keywords=parsed.keywords,
                        **short,
                        raw=parsed.raw,
                    )
                )
                if len(batch) == 2000:
                    Record.objects.bulk_create(batch)
                    batch = []
            Record.objects.bulk_create(batch)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Record._meta.db_table}")
        built = time.perf_counter() - started
    lead, _created = user_model.objects.get_or_create(username=LEAD_NAME)
    Membership.objects.get_or_create(project=project, user=lead, defaults={"role": Role.LEAD})
    names = [f"{USER_PREFIX}{number:03d}" for number in range(1, reviewers + 1)]
    existing = set(user_model.objects.filter(username__in=names).values_list("username", flat=True))
    new_users = [user_model(username=name) for name in names if name not in existing]
    for user in new_users:
        user.set_unusable_password()
    user_model.objects.bulk_create(new_users)
    users = list(user_model.objects.filter(username__in=names).order_by("username"))
    member_ids = set(project.memberships.values_list("user_id", flat=True))
    Membership.objects.bulk_create(
        [
            Membership(project=project, user=user, role=Role.REVIEWER)
            for user in users
            if user.pk not in member_ids
        ]
    )
    # Reviewers of earlier runs with a larger N must not count as stage reviewers.
    Membership.objects.filter(project=project, user__username__startswith=USER_PREFIX).exclude(
        user__in=users
    ).delete()
    return project, lead, users, built


def delete_project(project) -> None:
    """Raw deletes: the ORM's cascade would load every row into memory."""
    from django.db import connection, transaction

    from reviewapp.models import AuditEntry, Membership, Project, TopicArea
    from screening.models import Record, Source

    with transaction.atomic(), connection.cursor() as cursor:
        reset_screening(project, cursor=cursor)
        topics = list(TopicArea.objects.filter(project=project).values_list("id", flat=True))
        for model, column, ids in [
            (Record, "topic_area_id", topics),
            (Source, "topic_area_id", topics),
            (AuditEntry, "project_id", [project.pk]),
            (Membership, "project_id", [project.pk]),
            (TopicArea, "id", topics),
            (Project, "id", [project.pk]),
        ]:
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE {column} = ANY(%s)",  # noqa: S608
                [ids],
            )


# Under a project: its stages, their items, and what hangs on the items.
RESET_SQL = [
    "DELETE FROM screening_claim WHERE item_id IN (SELECT i.id FROM screening_screeningitem i"
    " JOIN screening_stage s ON s.id = i.stage_id JOIN reviewapp_topicarea t"
    " ON t.id = s.topic_area_id WHERE t.project_id = %(project)s)",
    "DELETE FROM screening_decision WHERE item_id IN (SELECT i.id FROM screening_screeningitem i"
    " JOIN screening_stage s ON s.id = i.stage_id JOIN reviewapp_topicarea t"
    " ON t.id = s.topic_area_id WHERE t.project_id = %(project)s)",
    "DELETE FROM screening_screeningitem WHERE stage_id IN (SELECT s.id FROM screening_stage s"
    " JOIN reviewapp_topicarea t ON t.id = s.topic_area_id WHERE t.project_id = %(project)s)",
    "DELETE FROM screening_stage_reviewers WHERE stage_id IN (SELECT s.id FROM screening_stage s"
    " JOIN reviewapp_topicarea t ON t.id = s.topic_area_id WHERE t.project_id = %(project)s)",
    "DELETE FROM screening_stage WHERE topic_area_id IN"
    " (SELECT id FROM reviewapp_topicarea WHERE project_id = %(project)s)",
]


def reset_screening(project, *, cursor) -> None:
    """Remove the project's stages and everything under them, with raw SQL."""
    for sql in RESET_SQL:
        cursor.execute(sql, {"project": project.pk})


def fresh_screening(project, lead):
    """Stages set up from scratch (the service, as a lead's click does); stage 1."""
    from django.db import connection, transaction

    from reviewapp.models import TopicArea
    from screening.models import Claim, Decision, ScreeningItem
    from screening.services.screening import stages_set_up

    with transaction.atomic(), connection.cursor() as cursor:
        reset_screening(project, cursor=cursor)
    topic = TopicArea.objects.get(project=project, key=TOPIC_KEY)
    stages = stages_set_up(topic_area=topic, actor=lead, preset="three")
    with connection.cursor() as cursor:  # every run starts from the same table state
        for model in (ScreeningItem, Decision, Claim):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    from django.core.cache import cache

    cache.clear()  # no progress figures or sessions of an earlier run
    return topic, stages[0]


def create_sessions(users) -> dict[int, str]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    keys = {}
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        keys[user.pk] = store.session_key
    return keys


def delete_sessions(keys) -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=list(keys)).delete()


# --- gunicorn -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], workers: int, folder: Path):
    port = free_port()
    access_log = folder / "access.log"
    access_log.unlink(missing_ok=True)
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "reviewapp.wsgi",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--access-logfile",
        str(access_log),
        "--access-logformat",
        "%(m)s %(U)s %(s)s %(D)s",
        "--error-logfile",
        str(folder / "error.log"),
        "--timeout",
        "60",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {folder / 'error.log'}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn did not answer /healthz within 30 s")
            time.sleep(0.2)
        yield port, process.pid, access_log
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def children_cpu_seconds(parent: int) -> float:
    """CPU seconds (user + system) of the gunicorn workers, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:  # ppid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def server_latencies(access_log: Path, offset: int) -> list[float]:
    """Milliseconds of the 200 decision POSTs logged after `offset` bytes."""
    values = []
    with access_log.open("rb") as log:
        log.seek(offset)
        for line in log.read().decode().splitlines():
            method, url, status, micros = line.split()
            if method == "POST" and url.endswith("/decide/") and status == "200":
                values.append(int(micros) / 1000)
    return values


# --- the reviewers ------------------------------------------------------------------


class Reviewer(threading.Thread):
    """One reviewer's browser: a session cookie, the CSRF cookie and token, the next item."""

    def __init__(self, *, user_id, session_key, port, screen_url, mode, think, seed, htmx):
        super().__init__(daemon=True)
        self.user_id = user_id
        self.cookies = {"sessionid": session_key}
        self.port = port
        self.screen_url = screen_url
        self.mode = mode
        self.think = think
        self.rng = random.Random(seed)
        self.htmx = htmx
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        self.action = self.token = None
        self.item = None
        self.decided: list[int] = []  # items answered 200 and decided, warm-up included
        # Items answered 200 with "already has the decisions it needs": opened by several
        # reviewers at once (the page holds nothing until a reviewer acts) and decided by
        # another first. The app stores nothing for them, by design.
        self.taken: list[int] = []
        self.latencies: list[float] = []  # ms, timed phase only
        self.errors: list[str] = []
        self.empty = False
        self.start_at = self.stop_at = 0.0
        self.warmed = threading.Event()

    def _request(self, method, url, body=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if self.htmx:
            headers["HX-Request"] = "true"
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            if self.htmx:
                headers["X-CSRFToken"] = self.token
        try:
            self.connection.request(method, url, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            return None, f"{type(error).__name__}: {error}"
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.status == 200:
            self._read_page(text)
        return response.status, text

    def _read_page(self, text: str) -> None:
        item, action, token = ITEM_RE.search(text), ACTION_RE.search(text), CSRF_RE.search(text)
        if token:
            self.token = token.group(1)
        if item and action:
            self.item, self.action = int(item.group(1)), action.group(1)
        else:
            self.item = self.action = None
            self.empty = "queue-empty" in text

    def _open(self) -> bool:
        status, detail = self._request("GET", self.screen_url)
        if status != 200:
            self.errors.append(f"GET {status}: {detail[:200] if detail else ''}")
        return self.item is not None

    def _decide(self, timed: bool) -> bool:
        if self.item is None and not self._open():
            return False
        item = self.item
        value = "include" if self.rng.random() < 0.3 else "exclude"
        body = urlencode(
            {"csrfmiddlewaretoken": self.token, "value": value, "reason": "", "note": ""}
        )
        started = time.perf_counter()
        status, detail = self._request("POST", self.action, body)
        elapsed = (time.perf_counter() - started) * 1000
        if status == 200:
            (self.taken if TAKEN_MESSAGE in detail else self.decided).append(item)
            if timed:
                self.latencies.append(elapsed)
            return True
        self.errors.append(f"POST {status}: {(detail or '')[:200]}")
        self.item = None  # reload the queue page next time
        return not self.empty

    def run(self) -> None:
        if not self._open() or not self._decide(timed=False):
            self.warmed.set()
            return
        self.warmed.set()
        while time.monotonic() < self.start_at:
            time.sleep(0.01)
        while True:
            if self.mode == "open":  # cut short at the end: the run ends on time
                pause = self.rng.expovariate(1 / self.think)
                time.sleep(max(0.0, min(pause, self.stop_at - time.monotonic())))
            if time.monotonic() >= self.stop_at or not self._decide(timed=True):
                break
            if self.empty:
                break
        self.connection.close()


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))  # nearest rank
    return round(ordered[rank], 1)


def drive(*, mode, users, sessions, port, pid, access_log, screen_url, args) -> dict:
    reviewers = [
        Reviewer(
            user_id=user.pk,
            session_key=sessions[user.pk],
            port=port,
            screen_url=screen_url,
            mode=mode,
            think=args.think,
            seed=args.seed * 1000 + number,
            htmx=not args.full_page,
        )
        for number, user in enumerate(users)
    ]
    far = time.monotonic() + 10_000
    for reviewer in reviewers:
        reviewer.start_at = reviewer.stop_at = far
        reviewer.start()
    for reviewer in reviewers:
        if not reviewer.warmed.wait(REQUEST_TIMEOUT * 3):
            raise SystemExit("warm-up did not finish")
    time.sleep(0.5)  # let the log catch up with the warm-up
    offset = access_log.stat().st_size
    cpu_client = resource.getrusage(resource.RUSAGE_SELF)
    cpu_server = children_cpu_seconds(pid)
    load_before = os.getloadavg()[0]
    start = time.monotonic() + 0.05
    for reviewer in reviewers:
        reviewer.stop_at = start + args.seconds
        reviewer.start_at = start
    for reviewer in reviewers:
        reviewer.join(args.seconds + REQUEST_TIMEOUT * 2)
    seconds = time.monotonic() - start
    client_after = resource.getrusage(resource.RUSAGE_SELF)
    server_cpu = children_cpu_seconds(pid) - cpu_server
    client_cpu = (client_after.ru_utime - cpu_client.ru_utime) + (
        client_after.ru_stime - cpu_client.ru_stime
    )
    time.sleep(0.5)
    latencies = [value for reviewer in reviewers for value in reviewer.latencies]
    server = server_latencies(access_log, offset)
    errors = [error for reviewer in reviewers for error in reviewer.errors]
    return {
        "reviewers_threads": reviewers,
        "seconds": round(seconds, 1),
        "decisions": len(latencies),
        "decisions_per_second": round(len(latencies) / seconds, 1),
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": round(max(latencies), 1) if latencies else None,
        "server_p50_ms": percentile(server, 0.50),
        "server_p95_ms": percentile(server, 0.95),
        "server_p99_ms": percentile(server, 0.99),
        "server_logged": len(server),
        "errors": len(errors),
        "error_samples": sorted(Counter(e[:120] for e in errors).items())[:5],
        "queue_emptied": any(reviewer.empty for reviewer in reviewers),
        "client_cpu_s": round(client_cpu, 1),
        "server_cpu_s": round(server_cpu, 1),
        "loadavg_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def check_stored_once(stage, reviewers) -> dict:
    from django.db.models import Count, F

    from screening.models import Decision, ScreeningItem

    sent = Counter((item, reviewer.user_id) for reviewer in reviewers for item in reviewer.decided)
    stored = Counter(
        Decision.objects.filter(item__stage=stage).values_list("item_id", "reviewer_id")
    )
    twice = (
        Decision.objects.filter(item__stage=stage)
        .values("item_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    mismatched = (
        ScreeningItem.objects.filter(stage=stage)
        .annotate(n=Count("decisions"))
        .exclude(decisions_made=F("n"))
        .count()
    )
    resent = sum(1 for count in sent.values() if count > 1)
    return {
        "sent_200": sum(sent.values()),
        "taken_by_another": sum(len(reviewer.taken) for reviewer in reviewers),
        "decision_rows": sum(stored.values()),
        "items_decided_twice": twice,
        "items_count_mismatch": mismatched,
        "sent_twice": resent,  # (item, reviewer) pairs answered 200 more than once
        "answered_not_stored": sum((sent - stored).values()),
        "stored_once": sent == stored and twice == 0 and mismatched == 0 and resent == 0,
    }


# --- profiling one round trip -------------------------------------------------------


class Sections:
    """Which wrapped function is running, and the queries and time spent in each."""

    def __init__(self):
        self.stack = ["view (other)"]
        self.time = defaultdict(list)
        self.queries = []  # (section, sql, params, ms)

    def wrap(self, module, name, label):
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            self.stack.append(label)
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.time[label].append((time.perf_counter() - started) * 1000)
                self.stack.pop()

        setattr(module, name, wrapper)

    def wrap_commit(self, connection) -> None:
        """COMMIT goes through connection.commit(), not the execute wrappers."""
        original = connection.commit

        def commit():
            started = time.perf_counter()
            try:
                return original()
            finally:
                ms = (time.perf_counter() - started) * 1000
                self.queries.append((self.stack[-1], "COMMIT", None, ms))

        connection.commit = commit

    def execute(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - started) * 1000
            self.queries.append((self.stack[-1], sql, params, ms))


def profile(*, project, topic, stage, session_key, rounds, full_page) -> dict:
    from django.conf import settings
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    import reviewapp.views
    import screening.services.screening as screening_services
    import screening.views.screening as view_module
    from screening import queries

    sections = Sections()
    sections.wrap(screening_services, "decision_record", "decision_record")
    sections.wrap(screening_services, "screening_next", "screening_next")
    sections.wrap(view_module, "_screen_context", "page (_screen_context)")
    sections.wrap(queries, "stage_progress", "page: stage_progress")
    sections.wrap(reviewapp.views, "project_permissions", "page: project_permissions")
    sections.wrap(view_module, "render_project", "page: render")
    sections.wrap_commit(connections["default"])
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    headers = {} if full_page else {"HTTP_HX_REQUEST": "true"}
    page = client.get(
        reverse(
            "screen", kwargs={"slug": project.slug, "topic_key": topic.key, "stage_id": stage.pk}
        ),
        **headers,
    ).content.decode()
    totals, counts, sizes = [], [], []
    per_round = []
    for _round in range(rounds):
        item = int(ITEM_RE.search(page).group(1))
        url = reverse(
            "screening_decide",
            kwargs={
                "slug": project.slug,
                "topic_key": topic.key,
                "stage_id": stage.pk,
                "item_id": item,
            },
        )
        before = len(sections.queries)
        with (
            CaptureQueriesContext(connection) as captured,
            connection.execute_wrapper(sections.execute),
        ):
            started = time.perf_counter()
            response = client.post(url, {"value": "exclude", "reason": "", "note": ""}, **headers)
            totals.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"profile: POST answered {response.status_code}")
        counts.append(len(captured.captured_queries))
        page = response.content.decode()
        sizes.append(len(response.content))
        per_round.append(sections.queries[before:])
    by_section = defaultdict(lambda: [0, 0.0])
    by_query = defaultdict(lambda: [0, 0.0, ""])
    for section, sql, params, ms in sections.queries:
        by_section[section][0] += 1
        by_section[section][1] += ms
        shape = re.sub(r'"s\d+_x\d+"', '"sN"', sql)  # savepoint names
        shape = re.sub(r"\b\d+\b", "N", shape)
        shape = re.sub(r"'[^']*'", "'…'", shape)
        entry = by_query[(section, shape[:160])]
        entry[0] += 1
        entry[1] += ms
        entry[2] = (sql, params)
    queries_table = sorted(
        (
            {
                "section": section,
                "per_round": round(count / rounds, 2),
                "mean_ms": round(ms / count, 3),
                "ms_per_round": round(ms / rounds, 3),
                "sql": shape,
                "example": example,
            }
            for (section, shape), (count, ms, example) in by_query.items()
        ),
        key=lambda row: -row["ms_per_round"],
    )
    return {
        "mode": "profile",
        "rounds": rounds,
        "round_trip_ms_p50": round(statistics.median(totals), 2),
        "round_trip_ms_mean": round(statistics.fmean(totals), 2),
        "queries_per_round_trip": round(statistics.fmean(counts), 2),
        "query_ms_per_round_trip": round(sum(query[3] for query in sections.queries) / rounds, 2),
        "response_bytes": round(statistics.fmean(sizes)),
        "sections_ms_p50": {
            label: round(statistics.median(values), 2)
            for label, values in sorted(sections.time.items())
        },
        "queries_by_section": {
            section: {"per_round": round(n / rounds, 2), "ms_per_round": round(ms / rounds, 2)}
            for section, (n, ms) in sorted(by_section.items())
        },
        "top_queries": queries_table[:40],
    }


def explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


# --- main ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=2.0, help="mean think time, open mode")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="gunicorn sync workers"
    )
    parser.add_argument(
        "--cache",
        default=DEFAULT_CACHE_URL,
        help="Redis URL for the cache and sessions, as deployed; 'none': process memory",
    )
    parser.add_argument(
        "--broker",
        default="none",
        help="Redis URL for Celery, with a worker started here (as deployed); "
        "'none': tasks run in the request",
    )
    parser.add_argument("--modes", default="open,closed")
    parser.add_argument("--profile", type=int, default=200, metavar="ROUNDS", help="0: skip")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the top queries")
    parser.add_argument("--full-page", action="store_true", help="plain posts, no htmx")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    modes = [mode for mode in args.modes.split(",") if mode]
    if not set(modes) <= {"open", "closed"}:
        parser.error("--modes takes open and/or closed")
    if not 1 <= args.reviewers <= 500 or not 1 <= args.seconds <= 900:
        parser.error("bounded: 1-500 reviewers, 1-900 seconds")

    folder = Path(tempfile.mkdtemp(prefix="screening-load-"))
    cache_url = "" if args.cache == "none" else args.cache
    broker_url = "" if args.broker == "none" else args.broker
    env = configure_environment(str(folder / "static"), cache_url, broker_url)
    ensure_database(env["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    collect_static(folder)
    project, lead, users, built = build_project(args.records, args.reviewers, args.rebuild)
    if built:
        print(f"# built {args.records} records in {built:.1f} s", file=sys.stderr)
    sessions = create_sessions(users)
    worker = Worker(env, "prefork", folder, None) if broker_url else None
    try:
        if worker is not None:
            worker.start()
        for mode in modes:
            topic, stage = fresh_screening(project, lead)
            screen_url = reverse(
                "screen", kwargs={"slug": SLUG, "topic_key": topic.key, "stage_id": stage.pk}
            )
            connection.close()
            with gunicorn(env, args.workers, folder) as (port, pid, access_log):
                result = drive(
                    mode=mode,
                    users=users,
                    sessions=sessions,
                    port=port,
                    pid=pid,
                    access_log=access_log,
                    screen_url=screen_url,
                    args=args,
                )
            threads = result.pop("reviewers_threads")
            checks = check_stored_once(stage, threads)
            line = {
                "mode": mode,
                "reviewers": args.reviewers,
                "seconds": result.pop("seconds"),
                "decisions": result.pop("decisions"),
                "decisions_per_second": result.pop("decisions_per_second"),
                "p50_ms": result.pop("p50_ms"),
                "p95_ms": result.pop("p95_ms"),
                "p99_ms": result.pop("p99_ms"),
                "errors": result.pop("errors"),
                "stored_once": checks.pop("stored_once"),
                **result,
                **checks,
                "records": args.records,
                "workers": args.workers,
                "celery_worker": bool(broker_url),
                "cache": "redis" if cache_url else "process memory",
                "think_mean_s": args.think if mode == "open" else 0,
                "htmx": not args.full_page,
                "nproc": os.cpu_count(),
            }
            if mode == "open":
                line["within_budget"] = bool(
                    line["server_p95_ms"] is not None and line["server_p95_ms"] <= BUDGET_P95_MS
                )
            print(json.dumps(line), flush=True)
        if args.profile:
            if not modes:
                topic, stage = fresh_screening(project, lead)
            else:
                from reviewapp.models import TopicArea

                topic = TopicArea.objects.get(project=project, key=TOPIC_KEY)
            result = profile(
                project=project,
                topic=topic,
                stage=stage,
                session_key=sessions[users[0].pk],
                rounds=args.profile,
                full_page=args.full_page,
            )
            top = result.pop("top_queries")
            print(json.dumps(result), flush=True)
            print("\n# queries per round trip, costliest first (mean over the rounds)")
            print(f"{'section':<34}{'n':>5}{'ms each':>9}{'ms/trip':>9}  sql")
            for row in top:
                print(
                    f"{row['section']:<34}{row['per_round']:>5}{row['mean_ms']:>9}"
                    f"{row['ms_per_round']:>9}  {row['sql'][:150]}"
                )
            if args.explain:
                selects = [row for row in top if row["example"][0].lstrip().startswith("SELECT")]
                for row in selects[:5]:
                    sql, params = row["example"]
                    print(f"\n# EXPLAIN ANALYZE ({row['section']})\n{sql}\n{params}")
                    print(explain(sql, params))
    finally:
        if worker is not None:
            worker.stop()
        delete_sessions(sessions.values())
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
