"""closient's statements and the floor, timed in-process on one open connection."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date

from sqlalchemy import text
from sqlalchemy.engine import Connection

from closient_cli.database import open_database
from closient_cli.queries import fetch_one, load
from closient_cli.stats import (
    COUNTER_QUERIES,
    REPORT_WORK_MEM,
    DashboardStats,
    compute_stats,
)


@contextmanager
def closient_connection(url: str) -> Iterator[Connection]:
    """A connection set up exactly as closient sets up its own (jit off, read-only)."""
    database = open_database(url, timeout=600)
    with database.engine.connect() as connection:
        # closient runs each statement once per process, so the server plans it with
        # the organization's id in hand; keep psycopg from preparing the repeated
        # benchmark runs, which would switch them to a generic plan.
        driver_connection = connection.connection.driver_connection
        driver_connection.prepare_threshold = None  # type: ignore[union-attr]
        connection.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
        yield connection
    database.engine.dispose()


def run_stats(
    connection: Connection, organization_id: str, as_of: date
) -> DashboardStats:
    """compute_stats, the function closient stats calls, in one snapshot."""
    with connection.begin():
        return compute_stats(
            connection, "postgresql", uuid.UUID(organization_id), as_of
        )


def run_each(
    connection: Connection, params: Mapping[str, str | int | None]
) -> dict[str, float]:
    """Seconds of each counter statement, all in one snapshot."""
    timings = {}
    with connection.begin():
        connection.exec_driver_sql(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
        for name in COUNTER_QUERIES:
            started = time.perf_counter()
            fetch_one(connection, load(name, "postgresql"), params)
            timings[name] = time.perf_counter() - started
    return timings


def run_statements(
    connection: Connection,
    statements: Mapping[str, str],
    params: Mapping[str, str | int | None],
) -> dict[str, int]:
    """Run plain statements (the floor) in one snapshot; their single values."""
    values = {}
    with connection.begin():
        for name, sql in statements.items():
            values[name] = int(connection.execute(text(sql), params).scalar_one())
    return values


# The floor is the fastest way PostgreSQL has to count each set of rows, so each count
# is timed under the planner's own choice and with the alternatives it weighed.
PLANNER_CHOICES = {
    "planner's choice": (),
    "no parallel workers": ("max_parallel_workers_per_gather = 0",),
    "merge or nested-loop joins over indexes": (
        "max_parallel_workers_per_gather = 0",
        "enable_hashjoin = off",
        "enable_seqscan = off",
        "enable_bitmapscan = off",
    ),
}


def floor_timings(
    connection: Connection,
    statements: Mapping[str, str],
    params: Mapping[str, str | int | None],
    runs: int,
) -> dict[str, tuple[float, str]]:
    """Per statement, the median seconds of its fastest planner setting, and which."""
    import statistics

    best: dict[str, tuple[float, str]] = {}
    for name, sql in statements.items():
        for choice, settings in PLANNER_CHOICES.items():
            samples = []
            for run in range(runs + 1):
                with connection.begin():
                    for setting in settings:
                        connection.exec_driver_sql(f"SET LOCAL {setting}")
                    started = time.perf_counter()
                    connection.execute(text(sql), params).scalar_one()
                    if run:
                        samples.append(time.perf_counter() - started)
            median = statistics.median(samples)
            if name not in best or median < best[name][0]:
                best[name] = (median, choice)
    return best
