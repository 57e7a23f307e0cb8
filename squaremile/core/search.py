"""One search service over every searchable record, on SQLite and PostgreSQL alike.

* SQLite: an FTS5 table (porter stemming, diacritics folded) ranked by bm25, and a second FTS5
  table with the trigram tokenizer over titles for typo-tolerant name matching. Triggers on
  `core_searchdocument` keep both in step (see migration 0002).
* PostgreSQL: a stored, generated `tsvector` column with a GIN index, ranked by `ts_rank_cd`,
  and a `pg_trgm` GIN index over titles for typo-tolerant matching.

Both backends produce candidates; names are then scored the same way (rapidfuzz) so a
misspelt name ("comunity garden") still finds "Community Garden".

Services call `index_document` / `remove_document` when they write a record; nothing else
writes to the index. `manage.py reindex` re-creates it from the records.
"""

from __future__ import annotations

import abc
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import connection
from rapidfuzz import fuzz

from squaremile.core.models import SearchDocument

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
MAX_OFFSET = 10_000  # deeper pages are not served: nobody reads them, and huge offsets overflow SQL integers
FUZZY_CANDIDATES = 300
FUZZY_TRIGRAMS = 8  # the rarest trigrams of a query that SQLite looks candidates up by
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


def fold(text: str) -> str:
    """Lower-cased, with accents taken off ("Café" -> "cafe"), for comparing names."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def index_document(*, kind: str, object_id: int, title: str, body: str = "", url: str, area_id=None) -> None:
    # one upsert (INSERT ... ON CONFLICT DO UPDATE), not a look-up, savepoints and a write
    index_documents([{"kind": kind, "object_id": object_id, "title": title, "body": body, "url": url,
                      "area_id": area_id}])  # fmt: skip


def index_documents(docs) -> None:
    """Many records at once (a feed's new items, a bulk import): each item a dict of
    `index_document`'s keywords. One upsert per batch instead of a look-up and a write per record;
    the full-text index follows as for single writes (triggers / generated column)."""
    rows = [
        SearchDocument(
            kind=d["kind"],
            object_id=d["object_id"],
            title=d["title"][:300],
            body=d.get("body", ""),
            url=d["url"][:300],
            area_id=d.get("area_id"),
        )  # fmt: skip
        for d in docs
    ]
    if rows:
        SearchDocument.objects.bulk_create(
            rows, batch_size=500, update_conflicts=True, unique_fields=["kind", "object_id"],
            update_fields=["title", "body", "url", "area", "updated_at"],
        )  # fmt: skip


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

    @abc.abstractmethod
    def ranked_object_ids(self, terms, kinds, limit):
        """Object ids of the first `limit` rows of `fulltext`, in the same order, without the
        columns and without the count (for lists that filter further in SQL)."""

    @staticmethod
    def kinds_sql(kinds, alias="d"):
        if not kinds:
            return "", []
        return f" AND {alias}.kind IN ({', '.join(['%s'] * len(kinds))})", list(kinds)


class SqliteBackend(_Backend):
    # Every query joins with CROSS JOIN, which SQLite never reorders: the FTS table must drive the
    # join. Left to itself the planner may walk `d` by the (kind, object_id) index and run the
    # MATCH once per row, which on 100,000 documents takes minutes instead of milliseconds.
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
                "FROM core_search_fts CROSS JOIN core_searchdocument d ON d.id = core_search_fts.rowid "
                f"WHERE core_search_fts MATCH %s{ksql} ORDER BY rank LIMIT %s OFFSET %s",
                [match, *kparams, limit, offset],
            )
            rows = cur.fetchall()
            if offset == 0 and len(rows) < limit:
                total = len(rows)
            else:
                cur.execute(
                    "SELECT count(*) FROM core_search_fts CROSS JOIN core_searchdocument d "
                    f"ON d.id = core_search_fts.rowid WHERE core_search_fts MATCH %s{ksql}",
                    [match, *kparams],
                )
                total = cur.fetchone()[0]
        return [(*r[:7], -r[7]) for r in rows], total

    def ranked_object_ids(self, terms, kinds, limit):
        ksql, kparams = self.kinds_sql(kinds)
        with connection.cursor() as cur:
            cur.execute(
                "SELECT d.object_id, bm25(core_search_fts, 10.0, 1.0) AS rank "
                "FROM core_search_fts CROSS JOIN core_searchdocument d ON d.id = core_search_fts.rowid "
                f"WHERE core_search_fts MATCH %s{ksql} ORDER BY rank LIMIT %s",
                [self.match_expr(terms), *kparams, limit],
            )
            return [r[0] for r in cur.fetchall()]

    def fuzzy_candidates(self, query, terms, kinds, limit):
        grams = sorted({w[i : i + 3] for w in terms if len(w) >= 3 for i in range(len(w) - 2)})
        if not grams:
            return []
        ksql, kparams = self.kinds_sql(kinds)
        with connection.cursor() as cur:
            # Only the rarest trigrams that occur at all: common ones ("the", "ing") would match and
            # rank most of the index. The vocabulary table knows how many titles hold each one.
            cur.execute(
                f"SELECT term, doc FROM core_search_trgm_vocab WHERE term IN ({', '.join(['%s'] * len(grams))})",
                grams,
            )
            counts = dict(cur.fetchall())
            rare = sorted((g for g in grams if g in counts), key=lambda g: (counts[g], g))[:FUZZY_TRIGRAMS]
            if not rare:
                return []
            cur.execute(
                f"SELECT {self.COLUMNS} FROM core_search_trgm "
                "CROSS JOIN core_searchdocument d ON d.id = core_search_trgm.rowid "
                f"WHERE core_search_trgm MATCH %s{ksql} ORDER BY bm25(core_search_trgm) LIMIT %s",
                [" OR ".join(f'"{g}"' for g in rare), *kparams, limit],
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
                "FROM core_searchdocument d, to_tsquery('english', sqm_unaccent(%s)) q "
                f"WHERE d.search_vector @@ q{ksql} ORDER BY rank DESC, d.id LIMIT %s OFFSET %s",
                [q, *kparams, limit, offset],
            )
            rows = cur.fetchall()
            if offset == 0 and len(rows) < limit:
                total = len(rows)
            else:
                cur.execute(
                    "SELECT count(*) FROM core_searchdocument d, to_tsquery('english', sqm_unaccent(%s)) q "
                    f"WHERE d.search_vector @@ q{ksql}",
                    [q, *kparams],
                )
                total = cur.fetchone()[0]
        return rows, total

    def ranked_object_ids(self, terms, kinds, limit):
        ksql, kparams = self.kinds_sql(kinds)
        with connection.cursor() as cur:
            cur.execute(
                "SELECT d.object_id, ts_rank_cd(d.search_vector, q) AS rank "
                "FROM core_searchdocument d, to_tsquery('english', sqm_unaccent(%s)) q "
                f"WHERE d.search_vector @@ q{ksql} ORDER BY rank DESC, d.id LIMIT %s",
                [self.tsquery(terms), *kparams, limit],
            )
            return [r[0] for r in cur.fetchall()]

    def fuzzy_candidates(self, query, terms, kinds, limit):
        text = " ".join(terms)
        ksql, kparams = self.kinds_sql(kinds)
        with connection.cursor() as cur:
            # The titles nearest by trigram word similarity, straight from the GiST index
            # (a nearest-neighbour scan: it stops after `limit` rows, however large the index).
            # Candidates are only a shortlist: rapidfuzz decides, as on SQLite.
            cur.execute(
                f"SELECT {self.COLUMNS} FROM core_searchdocument d WHERE TRUE{ksql} ORDER BY %s <<-> d.title LIMIT %s",
                [*kparams, text, limit],
            )
            return cur.fetchall()


def backend() -> _Backend:
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()


def _hit(row, terms, score, fuzzy=False) -> Hit:
    _id, kind, object_id, title, url, body, area_id = row[:7]
    return Hit(kind, object_id, title, url, _snippet(body, terms), area_id, float(score), fuzzy)


def search(query: str, *, kinds: list[str] | None = None, limit: int = 20, offset: int = 0) -> SearchResult:
    """Ranked results for `query`: exact (stemmed) word matches, the last word as a prefix; when
    nothing matches exactly, the names closest to the query (typos, missing letters)."""
    terms = terms_of(query)
    result = SearchResult(query=query)
    if not terms or offset > MAX_OFFSET:
        return result
    limit = max(1, min(limit, 100))
    offset = max(0, offset)
    be = backend()
    rows, total = be.fulltext(terms, kinds, limit, offset)
    result.hits = [_hit(r, terms, r[7]) for r in rows]
    result.total = total
    if offset == 0 and not result.hits:
        # Nothing matched word for word: look for names close to what was typed (typos, a
        # missing letter). Doing this only then keeps the common case to one indexed query.
        seen = set()
        text = fold(" ".join(terms))
        scored = []
        for row in be.fuzzy_candidates(query, terms, kinds, FUZZY_CANDIDATES):
            if (row[1], row[2]) in seen:
                continue
            title = fold(row[3])
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
    Exact matches up to `cap`; close names only when nothing matches exactly."""
    terms = terms_of(query)
    if not terms:
        return []
    ids = backend().ranked_object_ids(terms, [kind], cap)
    if not ids:
        ids = [h.object_id for h in search(query, kinds=[kind], limit=50).hits if h.fuzzy]
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


# Added by migration core/0003: the trigram vocabulary (SQLite) and a GiST trigram index for
# nearest-neighbour name lookups, replacing the GIN one (PostgreSQL).
SQLITE_SETUP_V2 = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS core_search_trgm_vocab USING fts5vocab('core_search_trgm', 'row')"
]
SQLITE_TEARDOWN_V2 = ["DROP TABLE IF EXISTS core_search_trgm_vocab"]
POSTGRES_SETUP_V2 = [
    "DROP INDEX IF EXISTS core_searchdoc_trgm",
    "CREATE INDEX core_searchdoc_trgm_gist ON core_searchdocument USING GIST (title gist_trgm_ops)",
    # Accents fold away in the full-text index too ("cafe" finds "Café"), as FTS5 does on SQLite.
    # unaccent() is not immutable, so a generated column needs this immutable wrapper.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """CREATE OR REPLACE FUNCTION sqm_unaccent(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ SELECT unaccent('unaccent', $1) $$""",
    "DROP INDEX IF EXISTS core_searchdoc_fts",
    "ALTER TABLE core_searchdocument DROP COLUMN IF EXISTS search_vector",
    """ALTER TABLE core_searchdocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', sqm_unaccent(coalesce(title, ''))), 'A') ||
        setweight(to_tsvector('english', sqm_unaccent(coalesce(body, ''))), 'B')) STORED""",
    "CREATE INDEX core_searchdoc_fts ON core_searchdocument USING GIN (search_vector)",
]
POSTGRES_TEARDOWN_V2 = [
    "DROP INDEX IF EXISTS core_searchdoc_trgm_gist",
    "CREATE INDEX core_searchdoc_trgm ON core_searchdocument USING GIN (title gin_trgm_ops)",
    "DROP INDEX IF EXISTS core_searchdoc_fts",
    "ALTER TABLE core_searchdocument DROP COLUMN IF EXISTS search_vector",
    *POSTGRES_SETUP[1:3],
    "DROP FUNCTION IF EXISTS sqm_unaccent(text)",
]


# Added by migration core/0005: sqm_unaccent names the unaccent function and dictionary with their
# schema. pg_dump/pg_restore run with an empty search_path, so an unqualified `unaccent` inside the
# function breaks the restore of the generated column (and so `manage.py restore`).
_UNACCENT_FUNCTION = """CREATE OR REPLACE FUNCTION sqm_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ SELECT {call}('{dictionary}'::regdictionary, $1) $$"""


def install_unaccent_qualified(schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        )
        schema = cursor.fetchone()[0]
    quoted = '"' + schema.replace('"', '""') + '"'
    schema_editor.execute(
        _UNACCENT_FUNCTION.format(call=f"{quoted}.unaccent", dictionary=f"{quoted}.unaccent".replace("'", "''"))
    )


def uninstall_unaccent_qualified(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_UNACCENT_FUNCTION.format(call="unaccent", dictionary="unaccent"))


def install_index_v2(schema_editor) -> None:
    statements = {"sqlite": SQLITE_SETUP_V2, "postgresql": POSTGRES_SETUP_V2}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def uninstall_index_v2(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_TEARDOWN_V2, "postgresql": POSTGRES_TEARDOWN_V2}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


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
