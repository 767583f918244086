"""Benchmark closient stats on a generated multi-tenant catalogue.

    python -m bench.run                      # full scale: 1,000,000 products
    python -m bench.run --products 50000     # a quick run while developing

It starts a throwaway PostgreSQL server (or uses --database), generates the catalogue,
runs VACUUM ANALYZE, measures, and writes bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg

from bench import catalogue, naive, plans, startup
from bench.floor import FLOOR_STATEMENTS
from bench.inprocess import (
    closient_connection,
    floor_timings,
    run_each,
    run_statements,
    run_stats,
)
from bench.report import Results, write_results
from bench.statements import params_for, psql_timings, tool_queries
from bench.timing import Timed, repeat, repeat_process

# Server settings of the throwaway server: enough shared buffers to keep the whole
# catalogue in PostgreSQL's cache, as a production server sized for it would, and no
# autovacuum wandering in during the measurements (the load ends with VACUUM ANALYZE).
BENCH_SETTINGS = (
    "shared_buffers=1GB",
    "max_wal_size=4GB",
    "checkpoint_timeout=30min",
    "autovacuum=off",
)
DATABASE = "closient_bench"
HERE = Path(__file__).resolve().parent


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--products",
        type=int,
        default=1_000_000,
        help="products in the whole catalogue (default 1,000,000)",
    )
    parser.add_argument(
        "--big-org-products",
        type=int,
        default=None,
        help="products of the big organization (default a fifth)",
    )
    parser.add_argument(
        "--small-org-products",
        type=int,
        default=1_000,
        help="products of the small organization (default 1,000)",
    )
    parser.add_argument(
        "--orgs",
        type=int,
        default=50,
        help="other organizations sharing the rest (default 50)",
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="an existing PostgreSQL database to fill (else a "
        "throwaway server is started); reused if already filled",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=7,
        help="warm runs per measurement; medians are quoted",
    )
    parser.add_argument(
        "--naive-runs",
        type=int,
        default=1,
        help="warm runs of the naive baseline (slow)",
    )
    parser.add_argument(
        "--startup-runs", type=int, default=15, help="runs of each start-up command"
    )
    parser.add_argument("--seed", default="closient-bench")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    if args.big_org_products is None:
        args.big_org_products = args.products // 5
    if args.big_org_products + args.small_org_products >= args.products:
        parser.error("--products must exceed the big and small organizations' share")
    return args


def say(message: str) -> None:
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


@contextmanager
def server_url(given: str | None) -> Iterator[str]:
    """The URL of the database to fill: the one given, or a new throwaway server."""
    if given:
        yield given
        return
    from tests.pgserver import remove, start_server

    say("starting a throwaway PostgreSQL server")
    server = start_server(BENCH_SETTINGS)
    try:
        with psycopg.connect(_conninfo(server.url("postgres")), autocommit=True) as c:
            c.execute(f"CREATE DATABASE {DATABASE}")
        yield server.url(DATABASE)
    finally:
        remove(server)


def _conninfo(url: str) -> str:
    """A libpq URI from an SQLAlchemy URL (drops a +driver suffix)."""
    scheme, _, rest = url.partition("://")
    return f"postgresql://{rest}" if scheme.startswith("postgres") else url


@dataclass(frozen=True)
class Tenants:
    big: catalogue.Tenant
    small: catalogue.Tenant
    row_counts: dict[str, int]
    load_seconds: float | None


def prepare(url: str, scale: catalogue.Scale, as_of: date) -> Tenants:
    conninfo = _conninfo(url)
    with psycopg.connect(conninfo) as connection:
        filled = connection.execute(
            "SELECT to_regclass('products_product') IS NOT NULL"
        ).fetchone()
    if filled and filled[0]:
        say("the database already holds a catalogue: reusing it")
        reused = catalogue.describe_existing(conninfo, scale)
        return Tenants(reused.big, reused.small, reused.row_counts, None)
    say(f"generating {scale.products:,} products")
    made = catalogue.generate(conninfo, scale, as_of, say)
    return Tenants(made.big, made.small, made.row_counts, made.seconds)


def measure(
    args: argparse.Namespace, url: str, tenants: Tenants, as_of: date
) -> Results:
    big = tenants.big
    params = params_for(big.organization_id, as_of)
    conninfo = _conninfo(url)
    runs = args.runs
    with closient_connection(url) as connection:
        say("closient's SQL, in-process")
        answer = run_stats(connection, big.organization_id, as_of).as_dict()
        tool_sql = repeat(
            lambda: run_stats(connection, big.organization_id, as_of), runs
        )
        small_sql = repeat(
            lambda: run_stats(connection, tenants.small.organization_id, as_of), runs
        )
        per_statement = [run_each(connection, params) for _ in range(runs + 1)][1:]
        say("the floor")
        floor_counts = run_statements(connection, FLOOR_STATEMENTS, params)
        floor_each = floor_timings(connection, FLOOR_STATEMENTS, params, runs)
    say("the same SQL through psql")
    psql = psql_timings(startup.psql_path(), conninfo, tool_queries(), params, runs)
    say("the naive baseline")
    with psycopg.connect(conninfo) as connection:
        connection.read_only = True
        naive_answer = naive.naive_stats(connection, big.organization_id, as_of)
        naive_time = repeat(
            lambda: naive.naive_stats(connection, big.organization_id, as_of),
            args.naive_runs,
            warmup=0,
        )
    say("closient stats end to end, and its peak memory")
    environment = startup.environment(url)
    end_to_end = {
        tenant.products: repeat_process(
            startup.stats_command(tenant, as_of), runs, env=environment
        )
        for tenant in (big, tenants.small)
    }
    say("start-up")
    starts = startup.measure_startup(big, as_of, args.startup_runs, environment)
    say("plans")
    statement_plans = plans.explain_all(conninfo, tool_queries(), params)
    say("plans without each index")
    effects = plans.index_effects(conninfo, tool_queries(), params, statement_plans)
    return Results(
        args=args,
        as_of=as_of,
        machine=machine(conninfo),
        row_counts=tenants.row_counts,
        load_seconds=tenants.load_seconds,
        big=big,
        small=tenants.small,
        answer=answer,
        naive_answer=naive_answer,
        tool_sql=tool_sql,
        small_sql=small_sql,
        per_statement=_medians(per_statement),
        psql_total=Timed(tuple(sum(run.values()) for run in psql)),
        psql_per_statement=_medians(psql),
        naive=naive_time,
        floor=Timed((sum(seconds for seconds, _ in floor_each.values()),)),
        floor_each=floor_each,
        floor_counts=floor_counts,
        end_to_end=end_to_end,
        startup=starts,
        statement_plans=statement_plans,
        index_effects=effects,
    )


def _medians(runs: list[dict[str, float]]) -> dict[str, float]:
    import statistics

    return {name: statistics.median(run[name] for run in runs) for name in runs[0]}


def machine(conninfo: str) -> dict[str, str]:
    with psycopg.connect(conninfo) as connection:
        row = connection.execute(
            "SELECT version(), current_setting('shared_buffers'),"
            " current_setting('work_mem'), current_setting('jit')"
        ).fetchone()
    assert row is not None
    memory = "unknown"
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return {
        "cpus (nproc)": str(os.cpu_count()),
        "memory": memory,
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": platform.python_version(),
        "postgresql": str(row[0]).split(" on ")[0],
        "shared_buffers / work_mem / jit": f"{row[1]} / {row[2]} / {row[3]}",
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    scale = catalogue.Scale(
        products=args.products,
        big_org_products=args.big_org_products,
        small_org_products=args.small_org_products,
        other_orgs=args.orgs,
        seed=args.seed,
    )
    as_of = datetime.now(UTC).date()
    with tempfile.TemporaryDirectory(prefix="closient-bench-") as home:
        os.environ["XDG_CONFIG_HOME"] = home
        with server_url(args.database) as url:
            tenants = prepare(url, scale, as_of)
            results = measure(args, url, tenants, as_of)
    write_results(results, args.output)
    say(f"wrote {args.output}")
    sys.stdout.write(args.output.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
