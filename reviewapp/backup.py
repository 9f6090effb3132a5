"""Backup and restore of a whole installation: `manage.py backup FILE`, `manage.py restore FILE`.

A backup is one tar file: the database dump, every media file under ``media/``, and last
``manifest.json`` (the application's version, Django's, the migrations applied per app, the
database vendor, when, and the sha256 and size of every other member). It is taken while the
service runs: SQLite through its online backup API (a consistent copy page by page, writers
wait only for each step), PostgreSQL through `pg_dump` in its custom format (one snapshot;
nobody waits). The database is dumped first, the media files after: an upload made
meanwhile is in the archive without its row, which is harmless; a file removed meanwhile is
missing, which the restore reports nowhere, so take backups when nobody removes full texts.

A restore checks everything before it touches anything: the format, that this installation
runs the same application version, the same migrations and the same database vendor, then
every member's checksum. It restores only into an empty database (no tables: a new
database, not migrated) and an empty media folder, unless `force` (then the database's
contents and the media folder's files are replaced).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "reviewapp-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup cannot be written or restored; the message says why and what to do."""


# --- what this installation is -----------------------------------------------------------


def app_version() -> str:
    """The version in pyproject.toml (the source of truth), else the installed package's."""
    pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
    if pyproject.exists():
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    return metadata.version("reviewapp")


def applied_migrations() -> dict[str, list[str]]:
    """The migrations the database has applied, by app."""
    applied: dict[str, list[str]] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app_label, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def code_migrations() -> dict[str, list[str]]:
    """The migrations this code has, by app: what a database of this version has applied."""
    found: dict[str, list[str]] = {}
    for app_label, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations:
        found.setdefault(app_label, []).append(name)
    return {app: sorted(names) for app, names in sorted(found.items())}


def _feature_release(version: str) -> str:
    return ".".join(version.split(".")[:2])


# --- PostgreSQL's tools --------------------------------------------------------------------


def _tool_major(path: str) -> int:
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=True)
    found = re.search(r"\)\s*(\d+)", output.stdout) or re.search(r"(\d+)\.", output.stdout)
    if not found:
        raise BackupError(f"cannot read the version of {path}: {output.stdout.strip()!r}")
    return int(found.group(1))


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore of the server's major version (or newer: they read older
    servers). PG_BIN_DIR names their folder when the one on PATH is another version."""
    server = connection.pg_version // 10000
    candidates = []
    if os.environ.get("PG_BIN_DIR"):
        candidates.append(str(Path(os.environ["PG_BIN_DIR"]) / name))
    candidates.append(f"/usr/lib/postgresql/{server}/bin/{name}")
    if shutil.which(name):
        candidates.append(shutil.which(name))
    tried = []
    for path in candidates:
        if not Path(path).exists():
            continue
        major = _tool_major(path)
        if major >= server:
            return path
        tried.append(f"{path} is version {major}")
    raise BackupError(
        f"{name} for PostgreSQL {server} not found ({'; '.join(tried) or 'none on PATH'}): "
        f"install postgresql-client-{server}, or set PG_BIN_DIR to its bin folder."
    )


def _pg_env() -> dict[str, str]:
    """libpq's variables for the connection (the password never on a command line)."""
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for key, variable in [("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")]:
        if db.get(key):
            env[variable] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    if (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return env


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.stdout.strip()}")


# --- backup --------------------------------------------------------------------------------


def _dump_database(folder: Path) -> Path:
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"cannot back up a {vendor} database")
    target = folder / DATABASE_MEMBERS[vendor]
    if connection.in_atomic_block:
        # SQLite's backup would wait for this very transaction (forever), and pg_dump would
        # not see its rows.
        raise BackupError("a backup cannot be taken inside a transaction")
    if vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            # The online backup API, in one step: a consistent copy that writers wait for
            # (within their lock timeout; a copy takes about a second per 100 MB) rather
            # than one restarted by every write, which a busy site might never finish.
            connection.connection.backup(copy)
        finally:
            copy.close()
    else:
        _run(
            [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl", f"--file={target}"],
            "pg_dump",
        )
    return target


class _HashingReader:
    """Hands tarfile a file's bytes and keeps their sha256 on the way."""

    def __init__(self, handle):
        self.handle = handle
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.sha256.update(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, name: str, members: dict) -> None:
    with path.open("rb") as handle:
        info = tar.gettarinfo(fileobj=handle, arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(handle)
        try:
            tar.addfile(info, reader)
        except OSError as error:  # the file shrank while it was read
            raise BackupError(
                f"{path} changed while it was copied; run the backup again"
            ) from error
    members[name] = {"sha256": reader.sha256.hexdigest(), "size": info.size}


def media_files(root: Path) -> list[tuple[Path, str]]:
    """(path, member name) of every regular file under the media folder, in order."""
    if not root.exists():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found.append((path, f"{MEDIA}/{path.relative_to(root).as_posix()}"))
    return found


def backup_create(*, target: Path) -> dict:
    """Write the backup to `target` (replaced at the end, never left half-written); returns
    the manifest."""
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as folder:
        dump = _dump_database(Path(folder))
        partial = Path(folder) / "backup.tar"
        members: dict[str, dict] = {}
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            _add_file(tar, dump, dump.name, members)
            for path, name in media_files(Path(settings.MEDIA_ROOT)):
                _add_file(tar, path, name, members)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "app_version": app_version(),
                "django_version": django.get_version(),
                "database_vendor": connection.vendor,
                "database": dump.name,
                "migrations": applied_migrations(),
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "members": members,
            }
            data = (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o644
            tar.addfile(info, io.BytesIO(data))
        os.replace(partial, target)
    return manifest


# --- restore -------------------------------------------------------------------------------


@dataclass
class RestoreOutcome:
    manifest: dict
    media_files: int


def _manifest(tar: tarfile.TarFile) -> dict:
    try:
        handle = tar.extractfile(MANIFEST)
    except KeyError:
        handle = None
    if handle is None:
        raise BackupError(f"not a reviewapp backup: no {MANIFEST} in it")
    try:
        manifest = json.load(handle)
    except ValueError as error:
        raise BackupError(f"{MANIFEST} is not JSON: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"not a reviewapp backup: {MANIFEST} has no format {FORMAT!r}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"backup format version {manifest.get('format_version')!r}; this version reads "
            f"{FORMAT_VERSION}"
        )
    return manifest


def compatibility_problems(manifest: dict) -> list[str]:
    """Why this installation cannot take the backup as it is (empty: it can)."""
    problems = []
    version = app_version()
    if manifest.get("app_version") != version:
        problems.append(
            f"The backup was made by reviewapp {manifest.get('app_version')}; this is {version}. "
            f"Restore it with reviewapp {manifest.get('app_version')}, then upgrade "
            "(docs/operations.md, Upgrade)."
        )
    theirs = str(manifest.get("django_version", ""))
    if _feature_release(theirs) != _feature_release(django.get_version()):
        problems.append(
            f"The backup was made with Django {theirs}; this installation runs "
            f"{django.get_version()}."
        )
    if manifest.get("database_vendor") != connection.vendor:
        problems.append(
            f"The backup holds a {manifest.get('database_vendor')} database; this installation "
            f"uses {connection.vendor}."
        )
    ours, recorded = code_migrations(), manifest.get("migrations") or {}
    if recorded != ours:
        differ = []
        for app in sorted(set(ours) | set(recorded)):
            missing = sorted(set(ours.get(app, [])) - set(recorded.get(app, [])))
            extra = sorted(set(recorded.get(app, [])) - set(ours.get(app, [])))
            if missing:
                differ.append(f"{app}: the backup lacks {', '.join(missing)}")
            if extra:
                differ.append(f"{app}: this code lacks {', '.join(extra)}")
        problems.append(
            "The backup's migration state differs from this code's ("
            + "; ".join(differ)
            + "). Restore with the version that made it, then upgrade."
        )
    return problems


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and (name in DATABASE_MEMBERS.values() or (len(path.parts) > 1 and path.parts[0] == MEDIA))
    )


def _verify(tar: tarfile.TarFile, manifest: dict, keep: Path) -> Path:
    """Check every member against the manifest; the database dump is copied to `keep` on
    the way (it is needed as a file). Returns the dump's path."""
    expected = dict(manifest.get("members") or {})
    database = manifest.get("database")
    if database not in expected:
        raise BackupError(f"{MANIFEST} names no database member")
    dump = keep / PurePosixPath(database).name
    for member in tar:
        if member.name == MANIFEST:
            continue
        if not member.isfile() or not _safe_member(member.name):
            raise BackupError(f"unexpected member {member.name!r} in the backup")
        if member.name not in expected:
            raise BackupError(f"{member.name} is in the backup but not in its manifest")
        want = expected.pop(member.name)
        digest = hashlib.sha256()
        handle = tar.extractfile(member)
        out = dump.open("wb") if member.name == database else None
        try:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                if out:
                    out.write(chunk)
        finally:
            if out:
                out.close()
        if digest.hexdigest() != want.get("sha256") or member.size != want.get("size"):
            raise BackupError(f"{member.name}: checksum mismatch; the backup is damaged")
    if expected:
        raise BackupError(f"missing from the backup: {', '.join(sorted(expected))}")
    return dump


def backup_check(*, source: Path) -> dict:
    """Verify the backup's manifest and checksums and that this installation can take it,
    touching nothing; returns the manifest."""
    with tarfile.open(source, "r:*") as tar, tempfile.TemporaryDirectory() as folder:
        manifest = _manifest(tar)
        problems = compatibility_problems(manifest)
        if problems:
            raise BackupError("\n".join(problems))
        _verify(tar, manifest, Path(folder))
    return manifest


def _media_in_use(root: Path) -> list[Path]:
    return [path for path, _name in media_files(root)]


def _clear_media(root: Path) -> None:
    for path in root.iterdir():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def _restore_database(dump: Path, *, force: bool) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            # Page by page into the live database file: it then holds the backup, whatever
            # it held before (force) or not (a new file).
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()
        return
    command = [
        pg_tool("pg_restore"),
        "--no-owner",
        "--no-acl",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={connection.settings_dict['NAME']}",
    ]
    if force:
        command += ["--clean", "--if-exists"]
    connection.close()
    _run([*command, str(dump)], "pg_restore")


def backup_restore(*, source: Path, force: bool = False) -> RestoreOutcome:
    """Restore the backup into this installation's database and media folder."""
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(source, "r:*") as tar, tempfile.TemporaryDirectory() as folder:
        manifest = _manifest(tar)
        problems = compatibility_problems(manifest)
        if problems:
            raise BackupError("\n".join(problems))
        dump = _verify(tar, manifest, Path(folder))
        tables = connection.introspection.table_names()
        in_use = _media_in_use(media_root)
        if (tables or in_use) and not force:
            found = []
            if tables:
                found.append(f"the database has {len(tables)} tables")
            if in_use:
                found.append(f"the media folder {media_root} holds {len(in_use)} files")
            raise BackupError(
                f"Not empty: {' and '.join(found)}. Restore into a new, empty database (do not "
                "run migrate first) and an empty media folder, or pass --force to replace "
                "their contents."
            )
        _restore_database(dump, force=force)
        media_root.mkdir(parents=True, exist_ok=True)
        if force:
            _clear_media(media_root)
        count = 0
        for member in tar:
            if not member.name.startswith(f"{MEDIA}/"):
                continue
            relative = PurePosixPath(member.name).relative_to(MEDIA)
            target = media_root.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as handle, target.open("wb") as out:
                shutil.copyfileobj(handle, out, CHUNK)
            os.utime(target, (member.mtime, member.mtime))
            count += 1
    restored = applied_migrations()
    if restored != manifest["migrations"]:
        raise BackupError("the restored database's migrations differ from the manifest's")
    return RestoreOutcome(manifest=manifest, media_files=count)
