import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from reviewapp.env import (
    ImproperlyConfiguredEnv,
    env_bool,
    env_broker_url,
    env_database_url,
    env_int,
    env_list,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("Yes", True), ("on", True), ("0", False), ("off", False)],
)
def test_env_bool_reads_common_spellings(raw, expected):
    assert env_bool("DEBUG", not expected, {"DEBUG": raw}) is expected


def test_env_bool_defaults_when_unset():
    assert env_bool("DEBUG", True, {}) is True


@given(
    st.text().filter(
        lambda s: s.strip().lower() not in {"1", "0", "true", "false", "yes", "no", "on", "off", ""}
    )
)
def test_env_bool_rejects_anything_else_naming_the_variable(raw):
    with pytest.raises(ImproperlyConfiguredEnv, match="DEBUG="):
        env_bool("DEBUG", True, {"DEBUG": raw})


def test_env_int_rejects_text_and_small_values():
    with pytest.raises(ImproperlyConfiguredEnv, match="UPLOAD_MAX_BYTES='lots' is not a whole"):
        env_int("UPLOAD_MAX_BYTES", 1, {"UPLOAD_MAX_BYTES": "lots"})
    with pytest.raises(ImproperlyConfiguredEnv, match="must be at least 1"):
        env_int("UPLOAD_MAX_BYTES", 1, {"UPLOAD_MAX_BYTES": "0"}, minimum=1)


def test_env_list_splits_on_commas_and_drops_blanks():
    assert env_list("ALLOWED_HOSTS", [], {"ALLOWED_HOSTS": "a.org, b.org,,"}) == ["a.org", "b.org"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("mysql://root@localhost/db", "scheme 'mysql'"),
        ("localhost:5432", "scheme"),
        ("postgres://127.0.0.1:54x2/reviewapp", "port that is not a number"),
        ("postgres://127.0.0.1:5432/", "must name a host and a database"),
    ],
)
def test_env_database_url_rejects_bad_values(raw, message):
    with pytest.raises(ImproperlyConfiguredEnv, match=message):
        env_database_url("DATABASE_URL", {"DATABASE_URL": raw})


def test_env_database_url_accepts_postgres_and_empty():
    url = "postgres://postgres@127.0.0.1:5432/reviewapp"
    assert env_database_url("DATABASE_URL", {"DATABASE_URL": url}) == url
    assert env_database_url("DATABASE_URL", {"DATABASE_URL": ""}) is None


def test_env_broker_url_rejects_unknown_scheme():
    with pytest.raises(ImproperlyConfiguredEnv, match="CELERY_BROKER_URL has scheme 'amqp'"):
        env_broker_url("CELERY_BROKER_URL", {"CELERY_BROKER_URL": "amqp://guest@localhost//"})


def _start(**env) -> subprocess.CompletedProcess:
    environ = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}
    }
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "DATABASE_URL has scheme 'mysql'"),
        ({"DEBUG": "false"}, "SECRET_KEY must be set when DEBUG is off"),
        ({"SOFT_DELETE_DAYS": "0"}, "SOFT_DELETE_DAYS=0 must be at least 1"),
    ],
)
def test_bad_setting_fails_at_start_with_clear_message(env, message):
    result = _start(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_embedded_default_starts(tmp_path):
    result = _start(DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "reviewapp.sqlite3").parent.is_dir()


@pytest.mark.django_db
def test_suite_runs_on_the_database_the_environment_names():
    # CI runs the suite twice: on PostgreSQL (DATABASE_URL set) and on SQLite.
    expected = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    assert connection.vendor == expected


@pytest.mark.parametrize(
    ("env", "engine"),
    [({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}, "db"), ({}, "db")],
)
def test_sessions_live_in_the_database_whatever_the_cache(env, engine):
    # A cached copy would outlive a logout made while Redis was down.
    environ = {k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "CACHE_URL"}}
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.SESSION_ENGINE)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environ, **env, "DJANGO_SETTINGS_MODULE": "reviewapp.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == f"django.contrib.sessions.backends.{engine}", result.stderr
