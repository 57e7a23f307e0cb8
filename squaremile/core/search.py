"""One search service over every searchable record, on SQLite and PostgreSQL alike.

* SQLite: an FTS5 table (porter stemming, diacritics folded) ranked by bm25, and a second FTS5
  table with the trigram tokenizer over titles for typo-tolerant name matching. Triggers on
  `core_searchdocument` keep both in step (see migration 0002).
* PostgreSQL: a stored, generated `tsvector` column with a GIN index, ranked by `ts_rank_cd`,
  and a `pg_trgm` GIN index over titles for typo-tolerant matching.

Both backends produce candidates; names are then scored the same way (rapidfuzz) so a
misspelt name ("comunity garden") still finds "Community Garden".

Services call `index_document` / `remove_document` when they write a record; nothing else
writes to the index. `rebuild` re-creates it from the records (see `manage.py reindex`).
"""

from __future__ import annotations

import abc
import re
from dataclasses import dataclass, field

from django.db import connection
from rapidfuzz import fuzz

from squaremile.core.models import SearchDocument

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
FUZZY_CANDIDATES = 300
FUZZY_MIN_SCORE = 72
WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass
class Hit:
    kind: str
    object_id: int
    title: str
    url: str
    snippet: str
    area_id: int | None
    score: float = 0.0
    fuzzy: bool = False


@dataclass
class SearchResult:
    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    fuzzy_used: bool = False


def terms_of(query: str) -> list[str]:
    """The words of a query, lower-cased, with every operator and quote removed."""
    return [w.lower() for w in WORD_RE.findall((query or "")[:MAX_QUERY_CHARS])][:MAX_TERMS]


def index_document(*, kind: str, object_id: int, title: str, body: str = "", url: str, area_id=None) -> None:
    SearchDocument.objects.update_or_create(
        kind=kind,
        object_id=object_id,
        defaults={"title": title[:300], "body": body, "url": url[:300], "area_id": area_id},
    )


def remove_document(*, kind: str, object_id: int) -> None:
    SearchDocument.objects.filter(kind=kind, object_id=object_id).delete()


def _snippet(body: str, terms: list[str], length: int = 180) -> str:
    if not body:
        return ""
    lower = body.lower()
    pos = min((p for p in (lower.find(t) for t in terms) if p >= 0), default=0)
    start = max(0, pos - 40)
    text = body[start : start + length]
    return ("…" if start else "") + text + ("…" if start + length < len(body) else "")


class _Backend(abc.ABC):
    @abc.abstractmethod
    def fulltext(self, terms, kinds, limit, offset):
        """(rows, total): rows of COLUMNS plus a score, best first."""

    @abc.abstractmethod
    def fuzzy_candidates(self, query, terms, kinds, limit):
        """Rows of COLUMNS whose titles are close to the query."""

    @staticmethod
    def kinds_sql(kinds, alias="d"):
        if not kinds:
            return "", []
        return f" AND {alias}.kind IN ({', '.join(['%s'] * len(kinds))})", list(kinds)


class SqliteBackend(_Backend):
    COLUMNS = "d.id, d.kind, d.object_id, d.title, d.url, d.body, d.area_id"

    @staticmethod
    def match_expr(terms):
        # Every term must appear; the last one may be a prefix (people type as they search).
        quoted = [f'"{t}"' for t in terms]
        quoted[-1] += "*"
        return " ".join(quoted)

    def fulltext(self, terms, kinds, limit, offset):
        match = self.match_expr(terms)
        ksql, kparams = self.kinds_sql(kinds)
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT {self.COLUMNS}, bm25(core_search_fts, 10.0, 1.0) AS rank "
                "FROM core_search_fts JOIN core_searchdocument d ON d.id = core_search_fts.rowid "
                f"WHERE core_search_fts MATCH %s{ksql} ORDER BY rank LIMIT %s OFFSET %s",
                [match, *kparams, limit, offset],
            )
            rows = cur.fetchall()
            if offset == 0 and len(rows) < limit:
                total = len(rows)
            else:
                cur.execute(
                    "SELECT count(*) FROM core_search_fts JOIN core_searchdocument d "
                    f"ON d.id = core_search_fts.rowid WHERE core_search_fts MATCH %s{ksql}",
                    [match, *kparams],
                )
                total = cur.fetchone()[0]
        return [(*r[:7], -r[7]) for r in rows], total

    def fuzzy_candidates(self, query, terms, kinds, limit):
        grams = sorted({w[i : i + 3] for w in terms if len(w) >= 3 for i in range(len(w) - 2)})
        if not grams:
            return []
        match = " OR ".join(f'"{g}"' for g in grams)
        ksql, kparams = self.kinds_sql(kinds)
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT {self.COLUMNS} FROM core_search_trgm "
                "JOIN core_searchdocument d ON d.id = core_search_trgm.rowid "
                f"WHERE core_search_trgm MATCH %s{ksql} ORDER BY bm25(core_search_trgm) LIMIT %s",
                [match, *kparams, limit],
            )
            return cur.fetchall()


class PostgresBackend(_Backend):
    COLUMNS = "d.id, d.kind, d.object_id, d.title, d.url, d.body, d.area_id"

    @staticmethod
    def tsquery(terms):
        parts = [f"'{t}'" for t in terms]
        parts[-1] += ":*"
        return " & ".join(parts)

    def fulltext(self, terms, kinds, limit, offset):
        q = self.tsquery(terms)
        ksql, kparams = self.kinds_sql(kinds)
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT {self.COLUMNS}, ts_rank_cd(d.search_vector, q) AS rank "
                "FROM core_searchdocument d, to_tsquery('english', %s) q "
                f"WHERE d.search_vector @@ q{ksql} ORDER BY rank DESC, d.id LIMIT %s OFFSET %s",
                [q, *kparams, limit, offset],
            )
            rows = cur.fetchall()
            if offset == 0 and len(rows) < limit:
                total = len(rows)
            else:
                cur.execute(
                    "SELECT count(*) FROM core_searchdocument d, to_tsquery('english', %s) q "
                    f"WHERE d.search_vector @@ q{ksql}",
                    [q, *kparams],
                )
                total = cur.fetchone()[0]
        return rows, total

    def fuzzy_candidates(self, query, terms, kinds, limit):
        text = " ".join(terms)
        ksql, kparams = self.kinds_sql(kinds)
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT {self.COLUMNS} FROM core_searchdocument d "
                f"WHERE %s <%% d.title{ksql} ORDER BY word_similarity(%s, d.title) DESC LIMIT %s",
                [text, *kparams, text, limit],
            )
            return cur.fetchall()


def backend() -> _Backend:
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()


def _hit(row, terms, score, fuzzy=False) -> Hit:
    _id, kind, object_id, title, url, body, area_id = row[:7]
    return Hit(kind, object_id, title, url, _snippet(body, terms), area_id, float(score), fuzzy)


def search(query: str, *, kinds: list[str] | None = None, limit: int = 20, offset: int = 0) -> SearchResult:
    """Ranked results for `query`. Exact (stemmed) word matches come first; when they are
    fewer than a page, names that are close to the query (typos, missing letters) follow."""
    terms = terms_of(query)
    result = SearchResult(query=query)
    if not terms:
        return result
    limit = max(1, min(limit, 100))
    offset = max(0, offset)
    be = backend()
    rows, total = be.fulltext(terms, kinds, limit, offset)
    result.hits = [_hit(r, terms, r[7]) for r in rows]
    result.total = total
    if offset == 0 and len(result.hits) < limit:
        seen = {(h.kind, h.object_id) for h in result.hits}
        text = " ".join(terms)
        scored = []
        for row in be.fuzzy_candidates(query, terms, kinds, FUZZY_CANDIDATES):
            if (row[1], row[2]) in seen:
                continue
            title = row[3].lower()
            score = max(fuzz.token_set_ratio(text, title), fuzz.partial_ratio(text, title) if len(text) > 4 else 0)
            if score >= FUZZY_MIN_SCORE:
                scored.append((score, row))
        scored.sort(key=lambda s: (-s[0], s[1][3]))
        extra = [_hit(r, terms, s, fuzzy=True) for s, r in scored[: limit - len(result.hits)]]
        if extra:
            result.fuzzy_used = True
            result.hits.extend(extra)
            result.total = total + len(extra)
    return result


def ranked_ids(query: str, *, kind: str, cap: int = 500) -> list[int]:
    """Object ids of `kind` that match, best first, for lists that filter further in SQL.
    Exact matches up to `cap`, then close names when the exact matches are few."""
    terms = terms_of(query)
    if not terms:
        return []
    rows, _total = backend().fulltext(terms, [kind], cap, 0)
    ids = [r[2] for r in rows]
    if len(ids) < 50:
        ids += [h.object_id for h in search(query, kinds=[kind], limit=50).hits if h.fuzzy]
    return ids


SQLITE_SETUP = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS core_search_fts USING fts5(
        title, body, content='core_searchdocument', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS core_search_trgm USING fts5(
        title, content='core_searchdocument', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER IF NOT EXISTS core_search_ai AFTER INSERT ON core_searchdocument BEGIN
        INSERT INTO core_search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
        INSERT INTO core_search_trgm(rowid, title) VALUES (new.id, new.title);
    END""",
    """CREATE TRIGGER IF NOT EXISTS core_search_ad AFTER DELETE ON core_searchdocument BEGIN
        INSERT INTO core_search_fts(core_search_fts, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO core_search_trgm(core_search_trgm, rowid, title) VALUES ('delete', old.id, old.title);
    END""",
    """CREATE TRIGGER IF NOT EXISTS core_search_au AFTER UPDATE ON core_searchdocument BEGIN
        INSERT INTO core_search_fts(core_search_fts, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO core_search_trgm(core_search_trgm, rowid, title) VALUES ('delete', old.id, old.title);
        INSERT INTO core_search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
        INSERT INTO core_search_trgm(rowid, title) VALUES (new.id, new.title);
    END""",
]
SQLITE_TEARDOWN = [
    "DROP TRIGGER IF EXISTS core_search_ai",
    "DROP TRIGGER IF EXISTS core_search_ad",
    "DROP TRIGGER IF EXISTS core_search_au",
    "DROP TABLE IF EXISTS core_search_fts",
    "DROP TABLE IF EXISTS core_search_trgm",
]
POSTGRES_SETUP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE core_searchdocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(body, '')), 'B')) STORED""",
    "CREATE INDEX core_searchdoc_fts ON core_searchdocument USING GIN (search_vector)",
    "CREATE INDEX core_searchdoc_trgm ON core_searchdocument USING GIN (title gin_trgm_ops)",
]
POSTGRES_TEARDOWN = [
    "DROP INDEX IF EXISTS core_searchdoc_trgm",
    "DROP INDEX IF EXISTS core_searchdoc_fts",
    "ALTER TABLE core_searchdocument DROP COLUMN IF EXISTS search_vector",
]


def install_index(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_SETUP, "postgresql": POSTGRES_SETUP}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def uninstall_index(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_TEARDOWN, "postgresql": POSTGRES_TEARDOWN}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)
