"""A real Celery worker for the tests that need one (CI: PostgreSQL + Redis).

The worker is a separate process pointed at the test database, so the tests
that use it must commit (transactional_db). Without a broker or on SQLite the
tests are skipped locally; under CI that is a failure.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def _unavailable(message: str):
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _celery(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "reviewapp", *arguments, "--loglevel", "INFO"]


def worker_command(name: str, *, pool: str = "solo", concurrency: int = 1) -> list[str]:
    return _celery(
        "worker",
        "--pool",
        pool,
        "--concurrency",
        str(concurrency),
        "-n",
        name,
        "--without-gossip",
        "--without-mingle",
    )


def beat_command(schedule: Path) -> list[str]:
    return _celery("beat", "--schedule", str(schedule))


def spawn(command: list[str], *, env: dict, log_path: Path) -> subprocess.Popen:
    """A Celery process writing to `log_path` (appended: a restart keeps the earlier log)."""
    with log_path.open("a") as log:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_for_worker(app, name: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while not app.control.ping(destination=[name], timeout=1):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"Celery worker did not start:\n{log_path.read_text()[-3000:]}")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, media_root, tmp_path_factory):
    broker = os.environ.get("CELERY_BROKER_URL")
    if not broker:
        _unavailable("CELERY_BROKER_URL is not set: no broker for a real worker")
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            _unavailable("a real worker needs PostgreSQL (the test database is in memory)")
        database_url = _database_url()
    from reviewapp.celery import app

    app.control.purge()
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "MEDIA_ROOT": str(media_root),
    }
    process = spawn(worker_command(name), env=env, log_path=log_path)
    wait_for_worker(app, name, process, log_path)
    yield process
    stop(process)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own on a free port, to stop and start at will (never
    the machine's shared Redis). No persistence: a stop loses the queue, as an outage can."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {self.port} did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        stop(self.process)
        self.process = None


@contextmanager
def using_broker(app, url: str):
    """Point this process's Celery app at `url` (publishing for real, not eagerly)."""
    # Celery derives the read and write URLs from broker_url once: set all three.
    keys = ("broker_url", "broker_read_url", "broker_write_url", "task_always_eager")
    previous = {key: app.conf[key] for key in keys}

    def reset_pools():
        app._pool = None
        with contextlib.suppress(AttributeError, KeyError):
            app.__dict__["amqp"]._producer_pool = None

    app.conf.update(broker_url=url, broker_read_url=url, broker_write_url=url)
    app.conf.task_always_eager = False
    reset_pools()
    try:
        yield
    finally:
        app.conf.update(previous)
        reset_pools()


class CeleryStack:
    """A worker and beat of the test's own, on its own Redis, against the test database."""

    def __init__(self, *, redis: RedisServer, database_url: str, media_root, directory: Path):
        self.redis = redis
        self.directory = directory
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": redis.url,
            "CACHE_URL": "locmem://",
            "MEDIA_ROOT": str(media_root),
        }
        self.worker_log = directory / "worker.log"
        self.beat_log = directory / "beat.log"
        self.worker: subprocess.Popen | None = None
        self.earlier_workers: list[subprocess.Popen] = []
        self.beat: subprocess.Popen | None = None
        self.name = ""

    def start_worker(self) -> None:
        from reviewapp.celery import app

        if self.worker is not None:
            self.earlier_workers.append(self.worker)  # dead, or stalled: stopped at the end
        self.name = f"test-{uuid.uuid4().hex[:8]}@localhost"
        self.worker = spawn(worker_command(self.name), env=self.env, log_path=self.worker_log)
        wait_for_worker(app, self.name, self.worker, self.worker_log)

    def start_beat(self) -> None:
        self.beat = spawn(
            beat_command(self.directory / "celerybeat-schedule"),
            env=self.env,
            log_path=self.beat_log,
        )

    def kill_worker(self) -> None:
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait()

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-12000:]}"
            for path in (self.worker_log, self.beat_log)
            if path.exists()
        )

    def stop(self) -> None:
        for worker in [*self.earlier_workers, self.worker]:
            if worker is not None and worker.poll() is None:
                worker.send_signal(signal.SIGCONT)
            stop(worker)
        stop(self.beat)


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        _unavailable("redis-server is not installed: no Redis of the test's own")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def own_celery(own_redis, transactional_db, media_root, tmp_path):
    """Worker + beat on the test's own Redis; this process publishes there too."""
    if connection.vendor != "postgresql":
        _unavailable("a real worker needs PostgreSQL (the test database is in memory)")
    from reviewapp.celery import app

    stack = CeleryStack(
        redis=own_redis, database_url=_database_url(), media_root=media_root, directory=tmp_path
    )
    with using_broker(app, own_redis.url):
        try:
            stack.start_worker()
            stack.start_beat()
            yield stack
        finally:
            stack.stop()


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.2):
    """Poll until predicate() is truthy; the worker commits on its own schedule."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met within the time limit")
