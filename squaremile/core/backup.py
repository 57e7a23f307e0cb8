"""Backups of a whole instance — the database and the media files — in one archive, and their restore.

`manage.py backup` and `manage.py restore` (squaremile/core/management/commands) are thin wrappers
around `backup()` and `restore()` here. An archive is a gzipped tar holding, in this order:

* `database.sqlite3` (SQLite) or `database.pgdump` (PostgreSQL, `pg_dump` custom format);
* `media/<path>` for every file under MEDIA_ROOT;
* `manifest.json`: format version, creation time, database engine, the migrations applied per app,
  the rows of every table, the SHA-256 of the database file and of every media file, and the files
  the database refers to that were not found under MEDIA_ROOT.

Consistency. The database is copied first, as one snapshot: SQLite through its online backup API
(one step, under a read lock, so the site may keep running and writing), PostgreSQL by `pg_dump`
inside a REPEATABLE READ transaction whose snapshot is exported, so that the row counts and the
migration state in the manifest are read from the very same snapshot. Media are copied afterwards.
Media are append-mostly (a photo or an export file is written once under a fresh name, then only
ever deleted), so this order is safe: a file that only became referenced after the snapshot is an
extra file in the archive, never a missing one. The only gap is a file deleted between the snapshot
and the copy; the manifest lists such files (`media.missing`) and `restore` reports them.

Restore goes into an empty instance of the same engine (a database with no tables, or one that
`migrate` has prepared and nobody has used yet, and an empty MEDIA_ROOT), unless `force` is given.
It reads the whole archive and checks it against the manifest before it changes anything, replaces
the database (SQLite: the backup API copies the snapshot into the live file, in one transaction;
PostgreSQL: `pg_restore --single-transaction`), checks the row count of every table, then moves
the media into place. Moving between engines is not supported: the two databases differ in their
search indexes (FTS5 tables, generated tsvector columns) and sequences, which a dumpdata/loaddata
round trip does not carry over reliably.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import posixpath
import shutil
import sqlite3
import stat
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection as default_connection
from django.db import models

from squaremile.core.db import analyze_tables

FORMAT = "squaremile-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
MEDIA_PREFIX = "media/"
# Media are unpacked into a folder with this prefix inside MEDIA_ROOT (same file system, so that each
# file can then be moved into place atomically); backups skip such folders.
STAGING_PREFIX = ".restore-"
CHUNK = 1024 * 1024

# Rows that `migrate` itself writes into a fresh database (content types, permissions, the site, the
# skills taxonomy, the map's starting categories): a database holding only these is still "empty".
MIGRATION_FILLED_MODELS = {
    "contenttypes.contenttype",
    "auth.permission",
    "sites.site",
    "directory.skillfamily",
    "directory.skill",
    "directory.resourcekind",
    "mapping.category",
    "questions.question",  # the seeded categories' questions
    "pages.sitepage",
}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    seconds: float


@dataclass
class RestoreResult:
    manifest: dict
    seconds: float
    tables: int = 0
    rows: int = 0
    media_files: int = 0
    media_bytes: int = 0
    replaced_media: int = 0
    pending_migrations: list = field(default_factory=list)
    checked_only: bool = False


def human_size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{int(n):,} bytes" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return str(n)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _vendor(connection) -> str:
    if connection.vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


# ---- reading a snapshot (the same SQL on both engines, through a DB-API cursor) ---------------------
def _table_counts(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 -- names from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def _applied_migrations(cursor, tables) -> dict[str, list[str]]:
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def _file_fields():
    """(table, column) of every file field of every installed model."""
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                yield model._meta.db_table, f.column


def _referenced_files(cursor, tables) -> set[str]:
    names: set[str] = set()
    for table, column in _file_fields():
        if table not in tables:
            continue
        col = _quote(column)
        cursor.execute(f"SELECT {col} FROM {_quote(table)} WHERE {col} IS NOT NULL AND {col} <> ''")  # noqa: S608
        names.update(row[0] for row in cursor.fetchall())
    return names


def _describe_snapshot(cursor, tables) -> dict:
    return {
        "tables": _table_counts(cursor, tables),
        "migrations": _applied_migrations(cursor, tables),
        "referenced": _referenced_files(cursor, tables),
    }


def _sqlite_tables(cursor) -> list[str]:
    """Ordinary tables (virtual tables are read through their shadow tables, which are ordinary)."""
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
    )
    return [row[0] for row in cursor.fetchall()]


def _postgres_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()"
    )
    return [row[0] for row in cursor.fetchall()]


# ---- PostgreSQL client programs -----------------------------------------------------------------
def _pg_program(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client programs of your server's version "
            "(Debian/Ubuntu: apt install postgresql-client)."
        )
    return path


def _libpq_env(settings_dict: dict) -> dict[str, str]:
    """The environment that points pg_dump/pg_restore at this database (password never on the command line)."""
    from django.db.backends.postgresql.client import DatabaseClient

    _args, extra = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = dict(os.environ)
    env.update({k: str(v) for k, v in (extra or {}).items() if v})
    options = settings_dict.get("OPTIONS") or {}
    for var, value in (
        ("PGHOST", settings_dict.get("HOST") or options.get("host")),
        ("PGPORT", settings_dict.get("PORT") or options.get("port")),
        ("PGUSER", settings_dict.get("USER") or options.get("user")),
        ("PGDATABASE", settings_dict.get("NAME") or options.get("dbname")),
    ):
        if value:
            env[var] = str(value)
    return env


def _pg_dbname_arg(settings_dict: dict) -> str:
    options = settings_dict.get("OPTIONS") or {}
    if settings_dict.get("NAME"):
        return settings_dict["NAME"]
    if options.get("service"):
        return f"service={options['service']}"
    return options.get("dbname") or ""


def _run(args: list[str], env: dict, what: str) -> None:
    # The program comes from shutil.which and every argument from settings or our own temporary files.
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-2000:]
        raise BackupError(f"{what} failed (exit code {result.returncode}): {detail}")


# ---- backup -------------------------------------------------------------------------------------
def _snapshot_sqlite(connection, dest: Path) -> dict:
    connection.ensure_connection()
    target = sqlite3.connect(dest)
    try:
        # One step (pages=-1) under one read lock: a consistent copy even while others write (WAL).
        connection.connection.backup(target)
        # The archived file stands alone: no -wal/-shm companions when it is opened later.
        target.execute("PRAGMA journal_mode=DELETE")
        cursor = target.cursor()
        return _describe_snapshot(cursor, _sqlite_tables(cursor))
    finally:
        target.close()


def _snapshot_postgres(connection, dest: Path) -> dict:
    pg_dump = _pg_program("pg_dump")
    snap = connection.copy()  # a connection of its own, outside any transaction of the caller
    try:
        snap.ensure_connection()
        snap.set_autocommit(True)
        with snap.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot_id, server_version = cursor.fetchone()
            description = _describe_snapshot(cursor, _postgres_tables(cursor))
            description["server_version"] = server_version
            args = [pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot_id}", f"--file={dest}"]
            _run(args, _libpq_env(connection.settings_dict), "pg_dump")
            cursor.execute("COMMIT")
        return description
    finally:
        snap.close()


class _HashingReader:
    """Hands a file to tarfile while hashing exactly the bytes that go into the archive."""

    def __init__(self, fh):
        self.fh = fh
        self.sha = hashlib.sha256()

    def read(self, size=-1):
        data = self.fh.read(size)
        self.sha.update(data)
        return data


def _media_files(media_root: Path):
    """(relative posix name, path) of every regular file under MEDIA_ROOT, sorted; symlinks and other
    special files are yielded with path None so that they can be reported."""
    if not media_root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(media_root):
        for d in sorted(dirnames):
            if os.path.islink(os.path.join(dirpath, d)):  # not followed (os.walk does not), but reported
                yield (Path(dirpath) / d).relative_to(media_root).as_posix() + "/", None
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(STAGING_PREFIX))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(media_root).as_posix()
            try:
                mode = os.lstat(path).st_mode
            except FileNotFoundError:
                continue
            yield rel, (path if stat.S_ISREG(mode) else None)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _add_media(tar: tarfile.TarFile, media_root: Path) -> tuple[dict, list]:
    files: dict[str, dict] = {}
    skipped: list[str] = []
    for rel, path in _media_files(media_root):
        if path is None:
            skipped.append(rel)
            continue
        try:
            fh = open(path, "rb")  # noqa: SIM115 -- closed below
        except FileNotFoundError:  # deleted since the walk: reported below if the database refers to it
            continue
        with fh:
            st = os.fstat(fh.fileno())
            info = tarfile.TarInfo(MEDIA_PREFIX + rel)
            info.size = st.st_size
            info.mtime = int(st.st_mtime)
            info.mode = 0o644
            reader = _HashingReader(fh)
            tar.addfile(info, reader)
        files[rel] = {"sha256": reader.sha.hexdigest(), "bytes": st.st_size}
    return files, skipped


def default_backup_path() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"squaremile-{stamp}.tar.gz"


def backup(*, output: str | Path | None = None, connection=None, media_root: Path | None = None) -> BackupResult:
    """Write one archive of the database and the media; return where, with its manifest."""
    started = time.monotonic()
    connection = connection or default_connection
    vendor = _vendor(connection)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if not output:
        output = default_backup_path()
    elif str(output).endswith(("/", os.sep)) or Path(output).is_dir():
        output = Path(output) / default_backup_path().name
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} exists already; choose another name (backups never overwrite).")
    if output.resolve().is_relative_to(media_root.resolve()):
        raise BackupError(
            f"{output} is inside MEDIA_ROOT ({media_root}), whose files the site may serve to anyone: "
            "write backups somewhere else."
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    created_at = _now()
    partial = output.with_name(f".{output.name}.partial")
    # Written beside the target (same disk, not a small /tmp), readable by its owner only: it holds
    # password hashes and confidential survey answers.
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as tmp:
            db_file = Path(tmp) / DATABASE_MEMBERS[vendor]
            if vendor == "sqlite":
                snapshot = _snapshot_sqlite(connection, db_file)
            else:
                snapshot = _snapshot_postgres(connection, db_file)
            db_sha, db_bytes = _sha256_file(db_file)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                fd = None
                info = tarfile.TarInfo(DATABASE_MEMBERS[vendor])
                info.size, info.mtime, info.mode = db_bytes, int(time.time()), 0o600
                with open(db_file, "rb") as fh:
                    tar.addfile(info, fh)
                db_file.unlink()
                files, skipped = _add_media(tar, media_root)
                missing = sorted(n for n in snapshot["referenced"] if n not in files)
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": created_at,
                    "finished_at": _now(),
                    "site_name": getattr(settings, "SITE_NAME", ""),
                    "database": {
                        "engine": vendor,
                        "file": DATABASE_MEMBERS[vendor],
                        "sha256": db_sha,
                        "bytes": db_bytes,
                        "server_version": snapshot.get("server_version", sqlite3.sqlite_version),
                        "tables": snapshot["tables"],
                        "rows": sum(snapshot["tables"].values()),
                    },
                    "migrations": snapshot["migrations"],
                    "media": {
                        "files": files,
                        "count": len(files),
                        "bytes": sum(f["bytes"] for f in files.values()),
                        "referenced": len(snapshot["referenced"]),
                        "missing": missing,
                        "skipped": skipped,
                    },
                }
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
        os.replace(partial, output)
    except BaseException:
        if fd is not None:
            os.close(fd)
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(path=output, manifest=manifest, seconds=time.monotonic() - started)


# ---- restore ------------------------------------------------------------------------------------
def tables_holding_data(connection=None) -> list[str]:
    """The tables of installed models that hold rows other than those `migrate` writes itself."""
    connection = connection or default_connection
    existing = set(connection.introspection.table_names())
    if not existing:
        return []
    skip = set()
    for label in MIGRATION_FILLED_MODELS:
        try:
            skip.add(apps.get_model(label)._meta.db_table)
        except LookupError:
            pass
    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)} & existing
    holding = []
    with connection.cursor() as cursor:
        for table in sorted(tables - skip):
            cursor.execute(f"SELECT 1 FROM {_quote(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                holding.append(table)
    return holding


def media_present(media_root: Path | None = None) -> int:
    """How many files MEDIA_ROOT holds (stops counting at 1,000)."""
    count = 0
    for _rel, _path in _media_files(Path(media_root or settings.MEDIA_ROOT)):
        count += 1
        if count >= 1000:
            break
    return count


def _safe_media_name(name: str) -> str:
    rel = name[len(MEDIA_PREFIX) :]
    norm = posixpath.normpath(rel)
    parts = norm.split("/")
    if (
        not rel
        or norm != rel
        or rel.startswith("/")
        or "\\" in rel
        or "\x00" in rel
        or any(p in ("", ".", "..") for p in parts)
        or parts[0].startswith(STAGING_PREFIX)
    ):
        raise BackupError(f"The archive holds an unsafe file name: {name!r}. It was not made by `manage.py backup`.")
    return rel


def _copy_member(tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path) -> tuple[str, int]:
    src = tar.extractfile(member)
    digest, size = hashlib.sha256(), 0
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "wb") as out:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _other_engine_message(archive_engine: str, vendor: str) -> str:
    return (
        f"This backup is of a {ENGINE_NAMES[archive_engine]} database and this instance uses "
        f"{ENGINE_NAMES[vendor]}: restoring across engines is not supported. Restore it into an instance "
        f"on {ENGINE_NAMES[archive_engine]} (set DATABASE_URL), or move the data with your own "
        "dumpdata/loaddata and rebuild the search indexes."
    )


def _read_archive(archive: Path, vendor: str, workdir: Path, staging: Path) -> tuple[dict, Path, dict]:
    """Unpack the archive in one pass: the database file into workdir, media into staging. Returns the
    manifest, the database file and {media name: (sha256, bytes)}."""
    manifest = None
    db_file = None
    db_digest = None
    media: dict[str, tuple[str, int]] = {}
    try:
        tar = tarfile.open(archive, mode="r|*")  # noqa: SIM115 -- closed by the `with tar` below
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{archive} is not a readable backup archive: {exc}")
    try:
        with tar:
            for member in tar:
                name = member.name
                if not member.isreg():
                    if member.isdir():
                        continue
                    raise BackupError(f"The archive holds {name!r}, which is not a regular file.")
                if name == MANIFEST:
                    if member.size > 512 * 1024 * 1024:
                        raise BackupError("The archive's manifest is implausibly large.")
                    try:
                        manifest = json.loads(tar.extractfile(member).read())
                    except ValueError as exc:
                        raise BackupError(f"The archive's manifest is not valid JSON: {exc}")
                elif name in DATABASE_MEMBERS.values():
                    engine = next(k for k, v in DATABASE_MEMBERS.items() if v == name)
                    if engine != vendor:
                        raise BackupError(_other_engine_message(engine, vendor))
                    db_file = workdir / name
                    db_digest = _copy_member(tar, member, db_file)
                elif name.startswith(MEDIA_PREFIX):
                    rel = _safe_media_name(name)
                    media[rel] = _copy_member(tar, member, staging / rel)
                else:
                    raise BackupError(f"The archive holds an unexpected file {name!r}.")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{archive} is damaged or incomplete: {exc}")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} has no Square Mile backup manifest; it was not made by `manage.py backup`.")
    if int(manifest.get("format_version", 0)) > FORMAT_VERSION:
        raise BackupError(
            f"This backup has format version {manifest['format_version']}; this version of Square Mile reads "
            f"up to {FORMAT_VERSION}. Install the newer version first."
        )
    database = manifest.get("database") or {}
    if database.get("engine") != vendor:
        raise BackupError(_other_engine_message(database.get("engine"), vendor))
    if db_file is None:
        raise BackupError("The archive holds no database file.")
    if db_digest != (database.get("sha256"), database.get("bytes")):
        raise BackupError("The database file in the archive does not match its checksum in the manifest: damaged.")
    expected = {name: (f["sha256"], f["bytes"]) for name, f in (manifest.get("media") or {}).get("files", {}).items()}
    if set(media) != set(expected):
        lost, extra = sorted(set(expected) - set(media)), sorted(set(media) - set(expected))
        raise BackupError(
            f"The media in the archive do not match the manifest (missing: {lost[:5]}, unexpected: {extra[:5]})."
        )
    bad = sorted(name for name, got in media.items() if got != expected[name])
    if bad:
        raise BackupError(f"{len(bad)} media file(s) do not match their checksum in the manifest, e.g. {bad[0]!r}.")
    return manifest, db_file, media


def _check_migrations(manifest: dict) -> list[str]:
    """Refuse a backup made by a newer version; return the migrations of this code it lacks."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    apps_here = {app for app, _name in known}
    applied = {(app, name) for app, names in (manifest.get("migrations") or {}).items() for name in names}
    # Migrations that a squashed migration replaced count as known.
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces or [])
    unknown = sorted(f"{app}.{name}" for app, name in applied if app in apps_here and (app, name) not in known)
    if unknown:
        raise BackupError(
            "This backup was made by a newer version of Square Mile: it has migrations this code does not "
            f"know ({', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''}). Install that version first."
        )
    pending = []
    for key, migration in loader.disk_migrations.items():
        if key in applied or (migration.replaces and all(tuple(r) in applied for r in migration.replaces)):
            continue
        pending.append(f"{key[0]}.{key[1]}")
    return sorted(pending)


def _check_sqlite_file(db_file: Path, manifest: dict) -> None:
    con = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        verdict = con.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"The database file in the archive is damaged: {verdict}")
        cursor = con.cursor()
        _compare_counts(_table_counts(cursor, _sqlite_tables(cursor)), manifest, "in the archive")
    finally:
        con.close()


def _compare_counts(counts: dict, manifest: dict, where: str) -> None:
    expected = manifest["database"]["tables"]
    if counts != expected:
        diff = sorted(
            f"{t}: {expected.get(t, 'absent')} in the manifest, {counts.get(t, 'absent')} {where}"
            for t in set(counts) | set(expected)
            if counts.get(t) != expected.get(t)
        )
        raise BackupError("The row counts do not match the manifest: " + "; ".join(diff[:10]))


def _restore_sqlite(connection, db_file: Path) -> None:
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        # The backup API writes the snapshot into the live database in one write transaction: other
        # processes wait on the lock and then see the restored data; no stale -wal file can survive.
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def _restore_postgres(connection, db_file: Path) -> None:
    pg_restore = _pg_program("pg_restore")
    env = _libpq_env(connection.settings_dict)
    _run([pg_restore, "--list", str(db_file)], env, "Reading the database dump (pg_restore --list)")
    with connection.cursor() as cursor:
        tables = _postgres_tables(cursor)
        if tables:
            # Tables that the dump does not know (made by a later migration) must go too.
            cursor.execute("DROP TABLE IF EXISTS " + ", ".join(_quote(t) for t in tables) + " CASCADE")
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema())"
        )
        has_objects = bool(tables) or cursor.fetchone()[0]
    connection.close()
    args = [
        pg_restore,
        "--no-owner",
        "--no-privileges",
        # Into a database that had tables (one `migrate` prepared, or --force): drop the dump's other
        # objects (functions, sequences) first. A new, empty database needs no such pass.
        *(["--clean", "--if-exists"] if has_objects else []),
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={_pg_dbname_arg(connection.settings_dict)}",
        str(db_file),
    ]
    _run(args, env, "pg_restore")
    analyze_tables(connection)  # fresh planner statistics: pg_restore does not carry them over


def _current_counts(connection) -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = _sqlite_tables(cursor) if connection.vendor == "sqlite" else _postgres_tables(cursor)
        return _table_counts(cursor, tables)


def _move_media(staging: Path, media_root: Path, names) -> int:
    replaced = 0
    for rel in sorted(names):
        dest = media_root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            replaced += 1
        os.replace(staging / rel, dest)
    return replaced


def restore(
    *, archive: Path, force: bool = False, check_only: bool = False, connection=None, media_root: Path | None = None
) -> RestoreResult:
    """Check an archive against its manifest and, unless check_only, restore it into this instance."""
    started = time.monotonic()
    connection = connection or default_connection
    vendor = _vendor(connection)
    archive = Path(archive)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist or is not a file.")
    if not check_only and not force:
        held = tables_holding_data(connection)
        files = media_present(media_root)
        if held or files:
            what = []
            if held:
                what.append(f"its database has data ({', '.join(held[:4])}{' …' if len(held) > 4 else ''})")
            if files:
                what.append(f"MEDIA_ROOT ({media_root}) holds files")
            raise BackupError(
                "This instance is not empty: "
                + " and ".join(what)
                + ". Restore into a new, empty database and media folder, or add --force to replace everything "
                "here with the backup."
            )
    if check_only:  # touch nothing of this instance, not even MEDIA_ROOT
        work = Path(tempfile.mkdtemp(prefix="squaremile-check-"))
    else:
        # Inside MEDIA_ROOT: writable, and on its file system, so each file then moves into place atomically.
        media_root.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=media_root))
    staging = work / "media"
    try:
        (work / "db").mkdir()
        manifest, db_file, media = _read_archive(archive, vendor, work / "db", staging)
        pending = _check_migrations(manifest)
        if vendor == "sqlite":
            _check_sqlite_file(db_file, manifest)
        elif check_only:
            _run([_pg_program("pg_restore"), "--list", str(db_file)], os.environ.copy(), "pg_restore --list")
        result = RestoreResult(
            manifest=manifest,
            seconds=0.0,
            tables=len(manifest["database"]["tables"]),
            rows=sum(manifest["database"]["tables"].values()),
            media_files=len(media),
            media_bytes=sum(size for _sha, size in media.values()),
            pending_migrations=pending,
            checked_only=check_only,
        )
        if check_only:
            result.seconds = time.monotonic() - started
            return result
        if vendor == "sqlite":
            _restore_sqlite(connection, db_file)
        else:
            _restore_postgres(connection, db_file)
        _compare_counts(_current_counts(connection), manifest, "after the restore")
        result.replaced_media = _move_media(staging, media_root, media)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    # Cached pages and network maps describe the data that was here before.
    cache.clear()
    result.seconds = time.monotonic() - started
    return result
