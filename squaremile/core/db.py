"""Small database helpers shared by commands that load data in bulk."""

from __future__ import annotations


def analyze_tables(connection) -> None:
    """Refresh the planner's statistics for the tables of the current schema.

    On PostgreSQL a bare ``ANALYZE`` also visits the cluster-wide system catalogs (pg_database and
    friends); a concurrent CREATE or DROP DATABASE holds their locks, and ``lock_timeout`` then
    cancels the whole statement. Naming our own tables avoids that. SQLite has no such catalogs.
    """
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("ANALYZE")
            return
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY c.relname"
        )
        tables = [row[0] for row in cursor.fetchall()]
        if tables:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
