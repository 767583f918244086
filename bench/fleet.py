"""How long one ``closient stats --all`` takes against one process per organization.

Run from the repository root, with the test extras installed:

    python -m bench.fleet [--organizations 20] [--products 20000] [--repeat 5]

It starts a throwaway PostgreSQL server (as the tests do), loads a generated catalogue,
runs VACUUM ANALYZE, then times both ways as real processes: one warm-up run each is
discarded and the median of the rest is printed. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import time
import uuid
from datetime import date

from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from closient_cli.catalogue import (
    CatalogueShape,
    add_key,
    add_user,
    generate,
    schema_statements,
    write,
)
from closient_cli.ids import short_id
from tests.conftest import installed_script
from tests.pgserver import PostgresServer, remove, start_server

AS_OF = date(2026, 3, 31)


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Time closient stats --all against one process per organization."
    )
    parser.add_argument("--organizations", type=int, default=20)
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    server = start_server()
    try:
        url, key, organizations = load(server, options.organizations, options.products)
        base = [installed_script(), "stats", "--as-of", AS_OF.isoformat()]
        base += ["--database", url, "--api-key", key]
        fleet = median(options.repeat, [[*base, "--all", "--format", "jsonl"]])
        one_by_one = median(
            options.repeat,
            [[*base, short_id(org), "--json"] for org in organizations],
        )
        print(
            f"{options.organizations} organizations, {options.products} products: "
            f"stats --all {fleet:.2f} s; one process per organization "
            f"{one_by_one:.2f} s (median of {options.repeat})"
        )
    finally:
        remove(server)


def load(
    server: PostgresServer, organizations: int, products: int
) -> tuple[str, str, list[uuid.UUID]]:
    rng = random.Random(1)  # noqa: S311 (sample data)
    catalogue = generate(
        rng, AS_OF, CatalogueShape(organizations=organizations, products=products)
    )
    ids = [row["id"] for row in catalogue.of("organization_organization")]
    user = add_user(catalogue, rng, "bench@example.com", dict.fromkeys(ids, "viewer"))
    key = add_key(catalogue, rng, "csu", user_id=user).key
    admin = create_engine(
        server.driver_url("postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.exec_driver_sql("CREATE DATABASE bench")
    admin.dispose()
    engine = create_engine(server.driver_url("bench"), poolclass=NullPool)
    with engine.begin() as connection:
        for statement in schema_statements("postgresql"):
            connection.exec_driver_sql(statement)
        write(connection, catalogue)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return server.url("bench"), key, list(ids)


def median(repeat: int, commands: list[list[str]]) -> float:
    """Seconds to run ``commands`` one after another: warm-up discarded, median."""
    timings = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        for command in commands:
            subprocess.run(command, check=True, capture_output=True)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings[1:])


if __name__ == "__main__":
    main()
