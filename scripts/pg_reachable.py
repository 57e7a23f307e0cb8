"""Exit 0 when the PostgreSQL server of the given URL accepts a connection (to its `postgres`
maintenance database, since the test runner creates its own test database)."""

import sys
from urllib.parse import urlparse

import psycopg

url = urlparse(sys.argv[1])
try:
    psycopg.connect(
        host=url.hostname or "127.0.0.1", port=url.port or 5432, user=url.username or None,
        password=url.password or None, dbname="postgres", connect_timeout=3,
    ).close()  # fmt: skip
except Exception as exc:
    print(f"PostgreSQL not reachable: {exc}", file=sys.stderr)
    sys.exit(1)
