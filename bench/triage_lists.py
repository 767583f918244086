"""How fast the triage lists answer on an organization with 200,000 products.

Run from the repository root (it starts its own throwaway PostgreSQL server, as the
tests do, and removes it afterwards):

    python -m bench.triage_lists [--products 200000] [--runs 7] [--indexes]

It fills one organization with generated rows (plus a second, smaller one), runs
VACUUM ANALYZE, then times the first page (50 rows) of every list, a deep page, and
one product's completeness breakdown: one discarded warm-up, then the median of
--runs runs, each in its own read-only snapshot as the command does. It prints the
plans of the page queries (EXPLAIN ANALYZE, BUFFERS). --indexes first creates the
indexes the README suggests for the lists, to compare.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from closient_cli.catalogue import (
    Catalogue,
    add_key,
    add_user,
    new_id,
    schema_statements,
    write,
)
from closient_cli.queries import load
from closient_cli.settings import Setting, Settings
from closient_cli.triage import (
    LISTS,
    BreakdownRequest,
    ListRequest,
    run_breakdown,
    run_list,
)
from tests.pgserver import PostgresServer, remove, start_server

AS_OF = date(2026, 3, 31)
SUGGESTED_INDEXES = (
    "CREATE INDEX closient_onlineoffer_org_failing_checked ON retailers_onlineoffer "
    "(organization_id, url_checked_at DESC NULLS LAST, id) "
    "WHERE url_status IN ('broken', 'timeout', 'dns_failure')",
    "CREATE INDEX closient_product_owner_gtin ON products_product (owner_id, gtin)",
)

# Rows derived from the product number n: images n % 4 (a quarter have none), an
# online offer each (15 % failing), an in-store offer for every other product, a
# certification for every third one, expiring within 400 days either side.
FILL = (
    """
    INSERT INTO products_product (id, gtin, owner_id, brand_id, category_id,
        product_name, description, country_of_origin, image_url, nutrition, created)
    SELECT md5('p' || n)::uuid, lpad(n::text, 14, '0'),
        CASE WHEN n % 11 = 0 THEN CAST(:other AS uuid) ELSE CAST(:org AS uuid) END,
        NULL, NULL,
        CASE WHEN n % 7 = 0 THEN '' ELSE 'Product ' || n END,
        repeat('d', n % 80), CASE WHEN n % 5 = 0 THEN '' ELSE 'FR' END, '',
        CASE WHEN n % 2 = 0 THEN '{}'::jsonb END, now()
    FROM generate_series(1, :products) AS n
    """,
    """
    INSERT INTO products_productimage (id, product_id, image_url, is_primary,
        priority, created)
    SELECT md5('i' || n || '-' || k)::uuid, md5('p' || n)::uuid,
        'https://img.example/' || n || '/' || k, k = 1, k, now()
    FROM generate_series(1, :products) AS n, generate_series(1, 3) AS k
    WHERE k <= n % 4
    """,
    """
    INSERT INTO retailers_onlineoffer (id, product_id, organization_id,
        online_store_id, sku, url, status, url_status, url_checked_at)
    SELECT md5('o' || n)::uuid, md5('p' || n)::uuid,
        CASE WHEN n % 11 = 0 THEN CAST(:other AS uuid) ELSE CAST(:org AS uuid) END,
        md5('s')::uuid, '', 'https://shop.example/p/' || n,
        (ARRAY['active', 'discontinued', 'seasonal', 'out_of_stock'])[1 + n % 4],
        CASE n % 20 WHEN 0 THEN 'broken' WHEN 1 THEN 'timeout'
            WHEN 2 THEN 'dns_failure' ELSE 'ok' END,
        timestamptz '2026-03-01 00:00+00' - (n % 5000) * interval '1 minute'
    FROM generate_series(1, :products) AS n
    """,
    """
    INSERT INTO retailers_instoreoffer (id, product_id, organization_id,
        physical_store_id, sku, status)
    SELECT md5('s' || n)::uuid, md5('p' || n)::uuid,
        CASE WHEN n % 11 = 0 THEN CAST(:other AS uuid) ELSE CAST(:org AS uuid) END,
        md5('store')::uuid, '', 'active'
    FROM generate_series(1, :products) AS n
    WHERE n % 2 = 0
    """,
    """
    INSERT INTO certifications_certification (id, code, label)
    VALUES (md5('cert')::uuid, 'ORG', 'Organic')
    """,
    """
    INSERT INTO certifications_certificationassignment (id, product_id,
        certification_id, verification_status, valid_from, expiry_date)
    SELECT md5('a' || n)::uuid, md5('p' || n)::uuid, md5('cert')::uuid, 'verified',
        NULL, CAST(:as_of AS date) + (n % 801 - 400)
    FROM generate_series(1, :products) AS n
    WHERE n % 3 = 0
    """,
)


def build(server: PostgresServer, products: int) -> tuple[str, uuid.UUID, str]:
    """A filled, vacuumed database; its URL, the organization and a member's key."""
    admin = create_engine(
        server.driver_url("postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.exec_driver_sql("CREATE DATABASE triage_bench")
    engine = create_engine(server.driver_url("triage_bench"), poolclass=NullPool)
    rng = random.Random(1)  # noqa: S311 - reproducible rows, not secrets
    catalogue = Catalogue()
    org, other = (
        catalogue.add(
            "organization_organization",
            id=new_id(rng),
            name=name,
            created=AS_OF,
        )
        for name in ("Bench Foods", "Other Foods")
    )
    user = add_user(catalogue, rng, "bench@example.com", {org: "viewer"})
    key = add_key(catalogue, rng, "csu", user_id=user).key
    binds = {"org": str(org), "other": str(other), "products": products}
    with engine.begin() as connection:
        for statement in schema_statements("postgresql"):
            connection.exec_driver_sql(statement)
        write(connection, catalogue)
        for statement in FILL:
            query = text(statement)
            names = {
                name for name in ("org", "other", "products") if f":{name}" in statement
            }
            params = {name: binds[name] for name in names}
            if ":as_of" in statement:
                params["as_of"] = AS_OF.isoformat()
            connection.execute(query, params)
    vacuum(engine)
    engine.dispose()
    admin.dispose()
    return server.url("triage_bench"), org, key


def vacuum(engine: Engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()  # warm-up, discarded
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def explain(url: str, name: str, params: dict[str, object]) -> str:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    query = load(name, "postgresql")
    bound = {key: value for key, value in params.items() if key in query.binds}
    with engine.connect() as connection:
        connection.exec_driver_sql("SET jit = off")
        rows = connection.execute(
            text("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + query.sql), bound
        )
        plan = "\n".join(row[0] for row in rows)
    engine.dispose()
    return plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--indexes", action="store_true")
    parser.add_argument("--plans", action="store_true", help="print query plans")
    options = parser.parse_args()
    server = start_server()
    try:
        url, org, key = build(server, options.products)
        if options.indexes:
            engine = create_engine(
                server.driver_url("triage_bench"), poolclass=NullPool
            )
            with engine.begin() as connection:
                for statement in SUGGESTED_INDEXES:
                    connection.exec_driver_sql(statement)
            vacuum(engine)
            engine.dispose()
        report(url, org, key, options)
    finally:
        remove(server)


def report(url: str, org: uuid.UUID, key: str, options: argparse.Namespace) -> None:
    settings = Settings(
        database_url=Setting(url, "benchmark"),
        api_key=Setting(key, "benchmark"),
        config_path=Path(os.devnull),
    )
    owned = round(options.products * 10 / 11)
    print(f"{owned:,} products in the organization; median of {options.runs} runs")
    for name in LISTS:
        first = ListRequest(name, org, AS_OF, settings)
        deep = ListRequest(name, org, AS_OF, settings, page=200)
        total = run_list(first).pagination.total_count
        print(
            f"{name:<24} total {total:>7,}  first page "
            f"{median_ms(partial(run_list, first), options.runs):7.1f} ms  "
            f"page 200 {median_ms(partial(run_list, deep), options.runs):7.1f} ms"
        )
    breakdown = BreakdownRequest(org, "00000000000001", AS_OF, settings)
    print(
        f"{'completeness (one GTIN)':<24} "
        f"{median_ms(lambda: run_breakdown(breakdown), options.runs):7.1f} ms"
    )
    if options.plans:
        params = {
            "organization_id": str(org),
            "as_of": AS_OF.isoformat(),
            "expiry_horizon": date(2026, 5, 30).isoformat(),
            "complete_at": 80,
            "limit": 50,
            "offset": 0,
            "gtin": "00000000000001",
        }
        for triage in LISTS.values():
            for query in (triage.count_query, triage.rows_query):
                print(f"\n== {query}\n{explain(url, query, params)}")
        print(
            f"\n== triage/product_breakdown\n"
            f"{explain(url, 'triage/product_breakdown', params)}"
        )


if __name__ == "__main__":
    main()
