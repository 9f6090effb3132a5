"""Backup and restore of a whole installation: `manage.py backup` and `manage.py restore`.

The round trips back up a demo installation in this process and restore it with the real
command in a fresh process pointed at a new, empty database and media folder, then compare
every table's rows and every media file byte for byte."""

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from grading.demo.review import demo_load
from reviewapp import backup
from reviewapp.models import Project
from tests.factories.reviewapp import ProjectFactory

ROOT = Path(settings.BASE_DIR)
# Every byte value, so that no text conversion on the way could go unnoticed.
BINARY = bytes(range(256)) * 64


def _media_with_a_full_text(settings, tmp_path) -> Path:
    """A media folder of the test's own, with a binary full text in it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    pdf = Path(settings.MEDIA_ROOT) / "fulltexts" / "2026" / "12" / "study å.pdf"
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(BINARY)
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def installation(settings, tmp_path):
    """The demo, with a binary full text beside its import files, in a media folder of its
    own: what the round trips compare."""
    media = _media_with_a_full_text(settings, tmp_path)
    demo_load()
    return media


@pytest.fixture
def small_installation(settings, tmp_path):
    """A project and a full text: enough for the refusals, which never get as far as the
    rows (loading the demo for each cost a minute of CI)."""
    media = _media_with_a_full_text(settings, tmp_path)
    ProjectFactory(slug="small", title="A small installation")
    return media


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _restore(archive: Path, env: dict, *extra: str) -> subprocess.CompletedProcess:
    """`manage.py restore` in a fresh process: an installation of its own."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive), *extra],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _sqlite_rows(db) -> dict[str, list[tuple]]:
    tables = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).fetchall()
    ]
    return {
        table: sorted(db.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)  # noqa: S608 -- table names from sqlite_master
        for table in tables
    }


@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_restores_identical_rows_and_files(installation, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip (the PostgreSQL one is below)")
    archive = tmp_path / "backup.tar"
    out = io.StringIO()

    call_command("backup", str(archive), stdout=out)

    count = len(_files(installation))
    assert count >= 4  # the demo's import files and the full text
    assert f"sqlite database, {count} media files" in out.getvalue()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[0] == "database.sqlite3" and names[-1] == "manifest.json"
    assert manifest["app_version"] == backup.app_version() == "0.1.0"
    assert manifest["database_vendor"] == "sqlite"
    assert manifest["migrations"] == backup.code_migrations()
    assert "0006_erasure" in manifest["migrations"]["reviewapp"]
    assert set(manifest["members"]) == set(names) - {"manifest.json"}
    assert manifest["members"]["media/fulltexts/2026/12/study å.pdf"]["size"] == len(BINARY)

    target = tmp_path / "restored"
    env = {"DATA_DIR": str(target), "MEDIA_ROOT": str(target / "media")}
    done = _restore(archive, env)

    assert done.returncode == 0, done.stderr
    assert f"the database and {count} media files" in done.stdout
    # Read the source through a plain connection too (Django's converts values on reading).
    connection.ensure_connection()
    plain = sqlite3.connect(":memory:")
    connection.connection.backup(plain)
    source = _sqlite_rows(plain)
    plain.close()
    restored_db = sqlite3.connect(target / "reviewapp.sqlite3")
    restored = _sqlite_rows(restored_db)
    restored_db.close()
    assert restored.keys() == source.keys()
    for table, rows in source.items():
        assert restored[table] == rows, table
    assert sum(map(len, source.values())) > 500
    assert _files(target / "media") == _files(installation)

    again = _restore(archive, env)
    assert again.returncode != 0
    assert "Not empty: the database has" in again.stderr
    assert "pass --force" in again.stderr
    forced = _restore(archive, env, "--force")
    assert forced.returncode == 0, forced.stderr


def _pg_rows(dsn: str) -> dict[str, list[str]]:
    with psycopg.connect(dsn) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            ).fetchall()
        ]
        rows = {
            table: sorted(text for (text,) in db.execute(f'SELECT t::text FROM "{table}" t'))  # noqa: S608 -- table names from the catalogue
            for table in tables
        }
        sequences = db.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        ).fetchall()
    return {**rows, "(sequences)": sorted(map(repr, sequences))}


def _dsn(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{name}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_backup_restores_identical_rows_and_files(installation, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    assert Path(backup.pg_tool("pg_dump")).name == "pg_dump"
    archive = tmp_path / "backup.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        dump = tar.extractfile("database.pgdump").read(5)
    assert manifest["database_vendor"] == "postgresql"
    assert dump == b"PGDMP"  # pg_dump's custom format
    restored_name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{restored_name}"')
    try:
        target = tmp_path / "restored"
        env = {
            "DATABASE_URL": _dsn(restored_name),
            "DATA_DIR": str(target),
            "MEDIA_ROOT": str(target / "media"),
        }
        done = _restore(archive, env)

        assert done.returncode == 0, done.stderr
        source = _pg_rows(_dsn(connection.settings_dict["NAME"]))
        restored = _pg_rows(_dsn(restored_name))
        assert restored.keys() == source.keys()
        for table, rows in source.items():
            assert restored[table] == rows, table
        assert len(source["screening_record"]) > 10
        assert _files(target / "media") == _files(installation)
    finally:
        with psycopg.connect(_dsn("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')


# --- refusals: nothing is touched ----------------------------------------------------------
# (Transactional: a backup is never taken inside a transaction, see backup._dump_database.)


def _rewrite(archive: Path, target: Path, *, manifest=None, members=None) -> Path:
    """A copy of the archive with its manifest or members changed."""
    with tarfile.open(archive) as tar:
        contents = {member.name: tar.extractfile(member).read() for member in tar}
    found = json.loads(contents.pop("manifest.json"))
    if manifest:
        manifest(found)
    if members:
        members(contents)
    contents["manifest.json"] = json.dumps(found).encode()
    with tarfile.open(target, "w") as tar:
        for name, data in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


@pytest.fixture
def archive(small_installation, tmp_path):
    path = tmp_path / "backup.tar"
    call_command("backup", str(path), stdout=io.StringIO())
    return path


def _refused(path: Path, installation: Path, message: str) -> None:
    files = _files(installation)
    projects = Project.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(path), "--force", stdout=io.StringIO())
    assert _files(installation) == files
    assert Project.objects.count() == projects


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_another_version(archive, small_installation, tmp_path):
    def older(manifest):
        manifest["app_version"] = "0.0.9"

    path = _rewrite(archive, tmp_path / "old.tar", manifest=older)

    _refused(path, small_installation, r"made by reviewapp 0\.0\.9; this is 0\.1\.0")


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_another_migration_state(archive, small_installation, tmp_path):
    def before_erasure(manifest):
        manifest["migrations"]["reviewapp"].remove("0006_erasure")

    path = _rewrite(archive, tmp_path / "old.tar", manifest=before_erasure)

    _refused(path, small_installation, "reviewapp: the backup lacks 0006_erasure")


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_damaged_file_before_touching_anything(
    archive, small_installation, tmp_path
):
    def damage(contents):
        name = next(name for name in contents if name.endswith(".pdf"))
        contents[name] = contents[name][:-1] + b"!"

    path = _rewrite(archive, tmp_path / "damaged.tar", members=damage)

    _refused(path, small_installation, r"study å\.pdf: checksum mismatch")


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_member_outside_the_media_folder(archive, small_installation, tmp_path):
    def escape(contents):
        contents["media/../../settings.py"] = b"evil"

    def listed(manifest):
        manifest["members"]["media/../../settings.py"] = {"sha256": "0", "size": 4}

    path = _rewrite(archive, tmp_path / "evil.tar", members=escape, manifest=listed)

    _refused(path, small_installation, "unexpected member 'media/../../settings.py'")


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(archive, small_installation):
    with pytest.raises(CommandError, match="Not empty: the database has .* tables"):
        call_command("restore", str(archive), stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_restore_check_verifies_without_restoring(archive, small_installation, tmp_path):
    out = io.StringIO()

    call_command("restore", str(archive), "--check", stdout=out)

    assert f"{archive} is intact: reviewapp 0.1.0" in out.getvalue()
    with pytest.raises(CommandError, match="not a reviewapp backup"):
        empty = tmp_path / "empty.tar"
        with tarfile.open(empty, "w"):
            pass
        call_command("restore", str(empty), "--check", stdout=io.StringIO())
