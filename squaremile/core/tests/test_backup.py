"""Backup and restore (`manage.py backup`, `manage.py restore`, squaremile/core/backup.py).

A site with the small demo, map entries with photos, export files and network survey answers with
ties is backed up and restored into an empty instance of the same engine (a fresh SQLite file, or a
freshly created PostgreSQL database), and every table's rows, every media file's bytes and every
survey answer are found identical. Archives that are damaged, of the other engine or from a newer
version are refused before anything changes, and so is an instance that holds data (unless --force).

The backup must see committed data (PostgreSQL's snapshot is taken on a connection of its own), so
these tests run outside the usual test transaction.
"""

import io
import json
import os
import subprocess
import sys
import tarfile
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, connections
from PIL import Image

from squaremile.accounts.models import User
from squaremile.accounts.tests.factories import UserFactory
from squaremile.attachments.models import Attachment
from squaremile.core import backup
from squaremile.core.models import Job, JobStatus
from squaremile.mapping.entries import services as map_services
from squaremile.mapping.models import Category
from squaremile.network.demo import ORGANISER_EMAIL, SLUG
from squaremile.network.models import Response, Survey, Tie
from squaremile.questions.models import Kind as QuestionKind
from squaremile.questions.models import Question

pytestmark = pytest.mark.django_db(transaction=True)

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


# ---- helpers -----------------------------------------------------------------------------------
def _image(i: int, fmt: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64 + i, 48), ((i * 53) % 256, 120, 200)).save(out, fmt)
    ext = "jpg" if fmt == "JPEG" else "png"
    return SimpleUploadedFile(f"photo{i}.{ext}", out.getvalue(), f"image/{ext.replace('jpg', 'jpeg')}")


def build_site() -> dict:
    """The small demo plus what it lacks: photos on the map, custom survey answers, an export file."""
    if not Category.objects.exists():  # a transactional test before this one flushed what migrations seed
        import importlib

        from django.apps import apps as django_apps

        importlib.import_module("squaremile.mapping.migrations.0003_seed_categories").seed(django_apps, None)
    call_command("seed_demo", "--size", "small", "--seed", "3", stdout=StringIO())
    organiser = User.objects.get(email=ORGANISER_EMAIL)
    category = Category.objects.filter(is_active=True).order_by("pk").first()
    for i in range(3):
        map_services.entry_create(
            by=organiser,
            title=f"Village hall {i}",
            category=category,
            lat=53.80 + i / 100,
            lng=-1.55,
            photos=[_image(i, "JPEG"), _image(i, "PNG")],
            photo_alt=f"The hall from the road ({i})",
        )
    survey = Survey.objects.get(slug=SLUG)
    question = Question.objects.create(owner=survey, label="What would help you most?", kind=QuestionKind.TEXT)
    for i, response in enumerate(Response.objects.filter(round__survey=survey).order_by("pk")[:25]):
        response.answers = {str(question.pk): f"More volunteers on Tuesdays — №{i} ✓ «quoted» 😀"}
        response.save(update_fields=["answers"])
    job = Job.objects.create(kind="map_export", status=JobStatus.DONE, owner=organiser)
    job.result_file.save("entries.csv", ContentFile("id,title\n1,Café\n".encode() * 200), save=True)
    default_storage.save("orphans/left-behind.txt", ContentFile(b"a file nothing refers to"))
    # A photo whose file went missing before the backup: the manifest must say so.
    gone = Attachment.objects.filter(entry__title__startswith="Village hall").order_by("pk").last()
    Path(gone.file.path).unlink()
    return {"missing": gone.file.name}


def table_rows(conn) -> dict[str, list]:
    """Every row of every table, in a stable order (all columns, left to right)."""
    rows = {}
    with conn.cursor() as cursor:
        tables = backup._sqlite_tables(cursor) if conn.vendor == "sqlite" else backup._postgres_tables(cursor)
        for table in sorted(tables):
            cursor.execute(f'SELECT * FROM "{table}" LIMIT 0')
            order = ", ".join(str(i) for i in range(1, len(cursor.description) + 1))
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY {order}')
            rows[table] = cursor.fetchall()
    return rows


def survey_answers(conn) -> dict:
    """The survey's answers as stored: responses with their custom answers, ties, skills."""
    queries = {
        "responses": "SELECT id, round_id, node_id, display_name, email, consent, answers, willingness, needs_text "
        "FROM network_response ORDER BY id",
        "ties": "SELECT id, round_id, source_id, target_id, response_id, strength, sharing, typed_name "
        "FROM network_tie ORDER BY id",
        "skills": "SELECT id, response_id, skill_id, level FROM network_responseskill ORDER BY id",
    }
    with conn.cursor() as cursor:
        result = {}
        for key, sql in queries.items():
            cursor.execute(sql)
            result[key] = cursor.fetchall()
        return result


def sequences(conn) -> list:
    """Where each id sequence stands (the next row must not reuse a restored id)."""
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute("SELECT name, seq FROM sqlite_sequence ORDER BY name")
        else:
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1"
            )
        return cursor.fetchall()


def media_files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(Path(root).rglob("*")) if p.is_file()
    }  # fmt: skip


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile(backup.MANIFEST).read())


def rewrite(archive: Path, dest: Path, change) -> Path:
    """A copy of an archive with each member's bytes passed through change(name, data)."""
    with tarfile.open(archive) as src, tarfile.open(dest, "w:gz") as out:
        for member in src:
            data = change(member.name, src.extractfile(member).read())
            if data is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return dest


def make_backup(path: Path) -> Path:
    call_command("backup", "--output", str(path), stdout=StringIO(), stderr=StringIO())
    return path


@contextmanager
def other_database(name: str):
    """A connection of our own to another database (not registered as an alias: the test runner
    allows only its own there), for reading what a restore wrote."""
    conf = dict(connection.settings_dict)
    conf["NAME"] = name
    other = type(connections["default"])(conf, alias="restored")
    try:
        yield other
    finally:
        other.close()


@pytest.fixture
def empty_instance(tmp_path):
    """Where an empty instance keeps its data: (DATABASE_URL, database name) of a database with nothing in it."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", str(path)
        return
    conf = connection.settings_dict
    name = f"{conf['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    auth = quote(conf["USER"] or "", safe="") + (f":{quote(conf['PASSWORD'], safe='')}" if conf["PASSWORD"] else "")
    url = f"postgres://{auth}@{conf['HOST'] or 'localhost'}:{conf['PORT'] or 5432}/{name}"
    try:
        yield url, name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args, database_url: str, media_root: Path, var_dir: Path) -> subprocess.CompletedProcess:
    """Run manage.py as another instance would: its own database, media and var folders."""
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "EMAIL_URL")}
    env.update(
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media_root),
        SQUAREMILE_VAR_DIR=str(var_dir),
        SQUAREMILE_TESTING="1",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return subprocess.run(
        [sys.executable, MANAGE, *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


# ---- the round trip -----------------------------------------------------------------------------
def test_a_backup_restores_into_an_empty_instance_with_every_record_file_and_answer_identical(
    tmp_path, empty_instance, settings
):
    facts = build_site()
    assert Response.objects.exclude(answers={}).count() == 25 and Tie.objects.count() > 100
    assert Attachment.objects.filter(entry__title__startswith="Village hall").count() == 6

    out = StringIO()
    err = StringIO()
    call_command("backup", "--output", str(tmp_path / "site.tar.gz"), stdout=out, stderr=err)
    archive = tmp_path / "site.tar.gz"
    assert "Backed up" in out.getvalue()
    assert "were not found under MEDIA_ROOT" in err.getvalue()
    assert archive.stat().st_mode & 0o777 == 0o600  # password hashes and confidential answers inside
    manifest = read_manifest(archive)
    assert manifest["format_version"] == backup.FORMAT_VERSION
    assert manifest["database"]["engine"] == connection.vendor
    assert manifest["database"]["tables"]["network_response"] == Response.objects.count()
    from django.db.migrations.loader import MigrationLoader

    core_leaf = [name for app, name in MigrationLoader(None).graph.leaf_nodes() if app == "core"]
    assert manifest["migrations"]["core"][-1] == core_leaf[0]
    assert manifest["media"]["missing"] == [facts["missing"]]
    assert set(manifest["media"]["files"]) == set(media_files(settings.MEDIA_ROOT))

    database_url, name = empty_instance
    restored_media = tmp_path / "restored-media"
    run = manage("restore", str(archive), database_url=database_url, media_root=restored_media, var_dir=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Restored the" in run.stdout and "match the manifest" in run.stdout
    assert "already missing when the backup was made" in run.stderr

    with other_database(name) as restored:
        assert table_rows(restored) == table_rows(connection)
        answers = survey_answers(restored)
        assert answers == survey_answers(connection)
        assert len(answers["responses"]) > 100 and len(answers["ties"]) > 100 and answers["skills"]
        assert sum(1 for r in answers["responses"] if "Tuesdays" in str(r[6])) == 25
        assert sequences(restored) == sequences(connection) and sequences(connection)
        with restored.cursor() as cursor:  # a change after the restore leaves the restored copy
            cursor.execute(
                "UPDATE accounts_user SET email = 'changed@example.org' WHERE id = (SELECT MIN(id) FROM accounts_user)"
            )
    assert media_files(restored_media) == media_files(settings.MEDIA_ROOT)

    # The restored instance is up to date, and it is no longer empty.
    check = manage("migrate", "--check", database_url=database_url, media_root=restored_media, var_dir=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    again = manage("restore", str(archive), database_url=database_url, media_root=restored_media, var_dir=tmp_path)
    assert again.returncode != 0
    assert "not empty" in again.stderr and "--force" in again.stderr
    forced = manage(
        "restore", "--force", str(archive), database_url=database_url, media_root=restored_media, var_dir=tmp_path
    )
    assert forced.returncode == 0, forced.stderr
    with other_database(name) as restored:
        assert table_rows(restored) == table_rows(connection)  # the change above is undone


# ---- refusals -----------------------------------------------------------------------------------
@pytest.fixture
def small_archive(tmp_path, settings) -> Path:
    UserFactory(email="kept@example.org")
    default_storage.save("entries/1/photo.jpg", ContentFile(b"not really a photo"))
    return make_backup(tmp_path / "small.tar.gz")


def test_restore_refuses_an_instance_that_holds_data(small_archive):
    with pytest.raises(CommandError, match=r"not empty: its database has data \(.*accounts_user.*--force"):
        call_command("restore", str(small_archive), stdout=StringIO())
    assert User.objects.filter(email="kept@example.org").exists()


def test_restore_refuses_media_alone(small_archive, settings):
    User.objects.all().delete()
    with pytest.raises(CommandError, match=r"MEDIA_ROOT \(.*\) holds files"):
        call_command("restore", str(small_archive), stdout=StringIO())


def test_restore_refuses_a_backup_of_the_other_engine(small_archive, tmp_path):
    ours = backup.DATABASE_MEMBERS[connection.vendor]
    theirs = next(v for k, v in backup.DATABASE_MEMBERS.items() if k != connection.vendor)
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(small_archive) as src, tarfile.open(foreign, "w:gz") as out:
        for member in src:
            data = src.extractfile(member).read()
            if member.name == ours:
                member.name = theirs
            out.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="restoring across engines is not supported"):
        call_command("restore", "--force", str(foreign), stdout=StringIO())
    assert User.objects.filter(email="kept@example.org").exists()


def _flip_media(name, data):
    return data + b"!" if name.startswith("media/") else data


def _future_migration(name, data):
    if name != backup.MANIFEST:
        return data
    manifest = json.loads(data)
    manifest["migrations"]["core"].append("9999_from_the_future")
    return json.dumps(manifest).encode()


def _drop_manifest(name, data):
    return None if name == backup.MANIFEST else data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_flip_media, "do not match their checksum"),
        (_future_migration, "made by a newer version of Square Mile.*core.9999_from_the_future"),
        (_drop_manifest, "no Square Mile backup manifest"),
    ],
)
def test_restore_checks_the_archive_before_changing_anything(small_archive, tmp_path, settings, change, message):
    before = media_files(settings.MEDIA_ROOT)
    bad = rewrite(small_archive, tmp_path / "bad.tar.gz", change)
    with pytest.raises(CommandError, match=message):
        call_command("restore", "--force", str(bad), stdout=StringIO())
    with pytest.raises(CommandError, match=message):
        call_command("restore", "--check", str(bad), stdout=StringIO())
    assert User.objects.filter(email="kept@example.org").exists()
    assert media_files(settings.MEDIA_ROOT) == before  # and no staging folder left behind


def test_a_truncated_or_foreign_file_is_refused_clearly(small_archive, tmp_path):
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(small_archive.read_bytes()[: small_archive.stat().st_size // 2])
    with pytest.raises(CommandError, match="damaged or incomplete"):
        call_command("restore", "--check", str(truncated), stdout=StringIO())
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(CommandError, match="not a readable backup archive"):
        call_command("restore", "--check", str(text), stdout=StringIO())
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", "--check", str(tmp_path / "nothing.tar.gz"), stdout=StringIO())


def test_unsafe_names_in_an_archive_are_refused(small_archive, tmp_path, settings):
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(small_archive) as src, tarfile.open(evil, "w:gz") as out:
        for member in src:
            out.addfile(member, src.extractfile(member))
        info = tarfile.TarInfo("media/../../escaped.txt")
        info.size = 3
        out.addfile(info, io.BytesIO(b"bad"))
    with pytest.raises(CommandError, match="unsafe file name"):
        call_command("restore", "--force", str(evil), stdout=StringIO())
    assert not (Path(settings.MEDIA_ROOT).parent / "escaped.txt").exists()


def test_check_reads_a_sound_archive_and_changes_nothing(small_archive):
    out = StringIO()
    call_command("restore", "--check", str(small_archive), stdout=out)
    assert "is sound" in out.getvalue() and "1 media files" in out.getvalue()
    assert User.objects.filter(email="kept@example.org").exists()


def test_backup_never_overwrites_nor_writes_where_the_site_serves_files(small_archive, tmp_path, settings):
    with pytest.raises(CommandError, match="exists already"):
        make_backup(small_archive)
    with pytest.raises(CommandError, match="inside MEDIA_ROOT"):
        make_backup(Path(settings.MEDIA_ROOT) / "backups" / "site.tar.gz")
    folder = tmp_path / "nightly"
    call_command("backup", "--output", f"{folder}/", stdout=StringIO())
    (made,) = folder.iterdir()
    assert made.name.startswith("squaremile-") and made.name.endswith(".tar.gz")
    assert not list(tmp_path.rglob(".*partial"))


def test_a_database_that_only_migrate_has_touched_counts_as_empty(tmp_path):
    """An operator may run `migrate` before restoring: the rows migrations write are nobody's data.
    (Checked on a fresh SQLite file: the rule names models, not engines, so the run on SQLite suffices.)"""
    if connection.vendor != "sqlite":
        pytest.skip("engine-independent; runs with the SQLite suite")
    import dj_database_url
    from django.db.backends.sqlite3.base import DatabaseWrapper

    url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    run = manage("migrate", "--no-input", database_url=url, media_root=tmp_path / "media", var_dir=tmp_path)
    assert run.returncode == 0, run.stderr
    conf = dj_database_url.parse(url) | {
        "OPTIONS": {}, "TIME_ZONE": None, "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False, "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
    }  # fmt: skip
    migrated = DatabaseWrapper(conf, alias="migrated")
    try:
        with migrated.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM directory_skill")
            assert cursor.fetchone()[0] > 50  # written by a migration
        assert backup.tables_holding_data(migrated) == []
        with migrated.cursor() as cursor:
            cursor.execute("INSERT INTO auth_group (name) VALUES ('Wardens')")
        assert backup.tables_holding_data(migrated) == ["auth_group"]
    finally:
        migrated.close()


# ---- consistency while the site writes ----------------------------------------------------------
def _dump_counts(dump: Path) -> dict[str, int]:
    """Rows per table in a pg_dump custom-format file, read without a database."""
    sql = subprocess.run(
        ["pg_restore", "--data-only", "--file=-", str(dump)], capture_output=True, text=True, check=True
    ).stdout
    counts, table = {}, None
    for line in sql.splitlines():
        if table is None and line.startswith("COPY "):
            table = line.split()[1].split(".")[-1].strip('"')
            counts[table] = 0
        elif table is not None:
            if line == "\\.":
                table = None
            else:
                counts[table] += 1
    return counts


def _file_counts(path: Path) -> dict[str, int]:
    import sqlite3

    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in ("bk_left", "bk_right")}
    finally:
        con.close()


def test_a_backup_taken_while_the_site_writes_is_one_snapshot(tmp_path):
    """A writer adds one row to each of two tables per transaction, without pause, during the backup:
    the archived database and the manifest's counts must come from one moment (equal counts, equal
    to each other)."""
    import sqlite3
    import threading

    import dj_database_url
    from django.db.backends.sqlite3.base import DatabaseWrapper

    if connection.vendor == "sqlite":
        # A file, as in production (the test database lives in memory).
        path = tmp_path / "live.sqlite3"
        conf = dj_database_url.parse(f"sqlite:///{path}") | {
            "OPTIONS": {}, "TIME_ZONE": None, "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False, "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
        }  # fmt: skip
        site = DatabaseWrapper(conf, alias="live")

        def connect():
            con = sqlite3.connect(path, timeout=20, isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")
            return con
    else:
        import psycopg

        site = connection
        params = connections["default"].get_connection_params()

        def connect():
            return psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}, autocommit=True)

    setup = connect()
    setup.execute("CREATE TABLE bk_left (id INTEGER PRIMARY KEY, at TEXT)")
    setup.execute("CREATE TABLE bk_right (id INTEGER PRIMARY KEY, at TEXT)")
    stop, written = threading.Event(), [0]

    def write():
        con = connect()
        try:
            while not stop.is_set():
                con.execute("BEGIN")
                for table in ("bk_left", "bk_right"):
                    con.execute(f"INSERT INTO {table} (id, at) VALUES ({written[0]}, 'now')")
                con.execute("COMMIT")
                written[0] += 1
        finally:
            con.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while written[0] < 50:
            stop.wait(0.01)
        result = backup.backup(output=tmp_path / "live.tar.gz", connection=site, media_root=tmp_path / "none")
        during = written[0]
        stop.wait(0.2)
    finally:
        stop.set()
        writer.join()
        setup.execute("DROP TABLE bk_left")
        setup.execute("DROP TABLE bk_right")
        setup.close()
        if site is not connection:
            site.close()
    tables = result.manifest["database"]["tables"]
    assert 50 <= tables["bk_left"] == tables["bk_right"] <= during < written[0]
    with tarfile.open(result.path) as tar:
        member = backup.DATABASE_MEMBERS[connection.vendor]
        tar.extract(member, tmp_path, filter="data")
    archived = tmp_path / member
    counts = _file_counts(archived) if connection.vendor == "sqlite" else _dump_counts(archived)
    assert counts["bk_left"] == counts["bk_right"] == tables["bk_left"]


def test_symlinks_under_media_root_are_reported_not_followed(tmp_path, settings):
    media = Path(settings.MEDIA_ROOT)
    default_storage.save("entries/1/real.jpg", ContentFile(b"bytes"))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not for the archive")
    (media / "link.txt").symlink_to(outside / "secret.txt")
    (media / "linked-dir").symlink_to(outside)
    err = StringIO()
    call_command("backup", "--output", str(tmp_path / "b.tar.gz"), stdout=StringIO(), stderr=err)
    assert "Skipped 2 entries" in err.getvalue()
    manifest = read_manifest(tmp_path / "b.tar.gz")
    assert list(manifest["media"]["files"]) == ["entries/1/real.jpg"]
    assert sorted(manifest["media"]["skipped"]) == ["link.txt", "linked-dir/"]
