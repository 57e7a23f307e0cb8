"""CPU time spent by the PostgreSQL backend that serves a Django connection, for the benchmarks.

On PostgreSQL most of a request's work happens in the server, outside the benchmark's own
`time.process_time()`. The bench server runs on the same machine, so the backend's CPU time can be
read from /proc/<pid>/schedstat (nanoseconds on a CPU) before and after a request: unlike wall
time it does not grow when other work shares the machine. SQLite runs inside the process, so its
work is already in `process_time()` and this returns None.
"""

from __future__ import annotations


def backend_cpu(connection) -> tuple[int, int] | None:
    """(backend pid, its CPU nanoseconds so far), or None (SQLite, no open connection, no /proc)."""
    if connection.vendor != "postgresql" or connection.connection is None:
        return None
    pid = connection.connection.info.backend_pid
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return pid, int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def cpu_ms_between(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """The backend's CPU milliseconds between two readings; a connection opened in between counts whole."""
    if after is None:
        return None
    if before is None or before[0] != after[0]:
        return after[1] / 1e6
    return (after[1] - before[1]) / 1e6
