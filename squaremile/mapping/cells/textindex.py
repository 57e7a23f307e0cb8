# ruff: noqa: S608, S611 -- the SQL here names only fixed tables; the search words are parameters
"""The text index behind the map's `q` filter (see migration 0005).

SQLite: FTS5 over mapping_entry (external content) with triggers; `q` becomes
`id IN (SELECT rowid FROM mapping_entry_fts WHERE mapping_entry_fts MATCH ...)`, each word a prefix
("garden" finds "gardens", "gardening"). PostgreSQL: trigram GIN indexes under `icontains`.
"""

from __future__ import annotations

from django.db import connection as default_connection
from django.db.models import F, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.lookups import In

FTS = "mapping_entry_fts"
TRIGGERS = ("mapping_entry_fts_ai", "mapping_entry_fts_ad", "mapping_entry_fts_au")

_SQLITE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(title, description, content='mapping_entry', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS mapping_entry_fts_ai AFTER INSERT ON mapping_entry BEGIN "
    f"INSERT INTO {FTS}(rowid, title, description) VALUES (new.id, new.title, new.description); END",
    f"CREATE TRIGGER IF NOT EXISTS mapping_entry_fts_ad AFTER DELETE ON mapping_entry BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, title, description) VALUES ('delete', old.id, old.title, old.description); END",
    f"CREATE TRIGGER IF NOT EXISTS mapping_entry_fts_au AFTER UPDATE OF title, description ON mapping_entry BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, title, description) VALUES ('delete', old.id, old.title, old.description); "
    f"INSERT INTO {FTS}(rowid, title, description) VALUES (new.id, new.title, new.description); END",
]
_POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS entry_title_trgm ON mapping_entry USING gin ((UPPER((title)::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS entry_description_trgm ON mapping_entry USING gin ((UPPER(description)) gin_trgm_ops)",
]


def install(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in _SQLITE:
                cursor.execute(sql)
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
        elif connection.vendor == "postgresql":
            for sql in _POSTGRES:
                cursor.execute(sql)


def uninstall(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS}")
        elif connection.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS entry_title_trgm")
            cursor.execute("DROP INDEX IF EXISTS entry_description_trgm")


def is_installed(connection=None) -> bool:
    connection = connection or default_connection
    if connection.vendor != "sqlite":
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM sqlite_master WHERE (type = 'trigger' AND name IN (%s, %s, %s)) "
            "OR (type = 'table' AND name = %s)",
            [*TRIGGERS, FTS],
        )
        return cursor.fetchone()[0] == 4


def ensure(connection=None) -> bool:
    """Put the index back if a table rebuild took its triggers away; True when it had to."""
    connection = connection or default_connection
    if is_installed(connection):
        return False
    install(connection)
    return True


def text_q(terms: list[str], *, narrow_view: bool = False) -> Q:
    """Entries whose title or description holds every term.

    On SQLite the matching ids come from the FTS index. For a wide view the database looks each of
    them up; for a narrow view (`narrow_view`) it is quicker to walk the view's entries in the
    covering cell index and keep those among the matches (`id + 0` stops the planner from
    driving the query by id)."""
    if not terms:
        return Q()
    if default_connection.vendor == "sqlite":
        match = " AND ".join('"' + t.replace('"', "") + '"*' for t in terms)
        matches = RawSQL(f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s", [match])
        if narrow_view:
            return Q(In(F("id") + Value(0), matches))
        return Q(id__in=matches)
    cond = Q()
    for term in terms:
        cond &= Q(title__icontains=term) | Q(description__icontains=term)
    return cond
