"""A multi-tenant catalogue generated inside PostgreSQL with generate_series.

Every value is derived from a hash of the seed and the row number, so one seed always
gives the same catalogue. Organization 0 is the big one, organization 1 the small one,
and the other products go round-robin to the remaining organizations, with one in a
hundred left unclaimed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import psycopg

from closient_cli.apikeys import generate_key, hash_key
from closient_cli.catalogue import schema_statements


@dataclass(frozen=True)
class Scale:
    """How big the generated catalogue is."""

    products: int
    big_org_products: int
    small_org_products: int
    other_orgs: int
    seed: str = "closient-bench"

    @property
    def organizations(self) -> int:
        return self.other_orgs + 2


@dataclass(frozen=True)
class Tenant:
    """An organization the benchmark reports on, and a business key that reads it."""

    organization_id: str
    products: int
    api_key: str


@dataclass(frozen=True)
class Generated:
    big: Tenant
    small: Tenant
    row_counts: dict[str, int]
    seconds: float


def _org(index_sql: str) -> str:
    return f"md5(%(seed)s || '/org/' || ({index_sql}))::uuid"


# The organization index of product n, or NULL for an unclaimed product.
_OWNER_INDEX = """
    CASE
        WHEN n <= %(big)s THEN 0
        WHEN n <= %(big)s + %(small)s THEN 1
        WHEN n %% 100 = 0 THEN NULL
        ELSE 2 + n %% %(other_orgs)s
    END
"""
_PRODUCT_ID = "md5(%(seed)s || '/p/' || n)::uuid"
_HASH = "abs(hashtext(%(seed)s || '/{salt}/' || n)::bigint)"

_LOAD = (
    f"""
    INSERT INTO organization_organization (id, name, created)
    SELECT {_org("k")}, 'Organization ' || k, timestamptz '2024-01-01 00:00:00+00'
    FROM generate_series(0, %(orgs)s - 1) AS k
    """,
    f"""
    INSERT INTO brands_brand (id, name, organization_id)
    SELECT md5(%(seed)s || '/brand/' || k)::uuid, 'Brand ' || k, {_org("k")}
    FROM generate_series(0, %(orgs)s - 1) AS k
    """,
    """
    INSERT INTO products_productcategory (id, name)
    SELECT md5(%(seed)s || '/category/' || k)::uuid, 'Category ' || k
    FROM generate_series(0, 19) AS k
    """,
    """
    INSERT INTO certifications_certification (id, code, label)
    SELECT md5(%(seed)s || '/certification/' || k)::uuid, 'C' || k, 'Label ' || k
    FROM generate_series(0, 9) AS k
    """,
    f"""
    INSERT INTO products_product (id, gtin, owner_id, brand_id, category_id,
        product_name, description, country_of_origin, image_url, nutrition, created)
    SELECT
        {_PRODUCT_ID},
        lpad(n::text, 14, '0'),
        CASE WHEN owner IS NOT NULL THEN md5(%(seed)s || '/org/' || owner)::uuid END,
        CASE WHEN owner IS NOT NULL AND h %% 10 < 8
            THEN md5(%(seed)s || '/brand/' || owner)::uuid END,
        CASE WHEN h / 10 %% 20 < 17
            THEN md5(%(seed)s || '/category/' || (h / 200 %% 20))::uuid END,
        (ARRAY['', '   ', 'Product ' || n, 'Product ' || n, 'Product ' || n,
            'Product ' || n, 'Product ' || n, 'Product ' || n])[1 + h / 4000 %% 8],
        (ARRAY['', '  ', 'Short description.',
            'A long description of a product that has more than fifty characters.',
            'A long description of a product that has more than fifty characters.']
            )[1 + h / 32000 %% 5],
        (ARRAY['', 'FR', 'DE', 'US', 'FR'])[1 + h / 160000 %% 5],
        CASE WHEN h / 800000 %% 2 = 0 THEN 'https://img.example/' || n || '.jpg'
            ELSE '' END,
        CASE WHEN h / 1600000 %% 2 = 0 THEN '{{"energy_kcal": 120}}'::jsonb END,
        timestamptz '2024-01-01 00:00:00+00' + n * interval '1 minute'
    FROM (
        SELECT n, {_OWNER_INDEX} AS owner, {_HASH.format(salt="product")} AS h
        FROM generate_series(1, %(products)s) AS n
    ) AS numbered
    """,
    f"""
    INSERT INTO products_productimage (id, product_id, image_url, is_primary,
        priority, created)
    SELECT
        md5(%(seed)s || '/image/' || n || '/' || j)::uuid,
        {_PRODUCT_ID},
        'https://img.example/' || n || '/' || j || '.jpg',
        j = 1,
        j,
        timestamptz '2025-01-01 00:00:00+00'
    FROM generate_series(1, %(products)s) AS n,
        generate_series(1, {_HASH.format(salt="images")} %% 5) AS j
    """,
    f"""
    INSERT INTO certifications_certificationassignment (id, product_id,
        certification_id, verification_status, valid_from, expiry_date)
    SELECT
        md5(%(seed)s || '/assignment/' || n || '/' || j)::uuid,
        {_PRODUCT_ID},
        md5(%(seed)s || '/certification/' || (h %% 10))::uuid,
        (ARRAY['unverified', 'verified', 'expired'])[1 + h / 10 %% 3],
        CAST(%(as_of)s AS date) - 365,
        CASE h / 30 %% 6
            WHEN 0 THEN NULL
            WHEN 1 THEN CAST(%(as_of)s AS date) - 1 - (h / 180 %% 300)::int
            WHEN 2 THEN CAST(%(as_of)s AS date) + (h / 180 %% 61)::int
            WHEN 3 THEN CAST(%(as_of)s AS date) + 61
            ELSE CAST(%(as_of)s AS date) + 62 + (h / 180 %% 700)::int
        END
    FROM generate_series(1, %(products)s) AS n,
        generate_series(1, {_HASH.format(salt="assignments")} %% 3) AS j,
        LATERAL (SELECT {_HASH.format(salt="assignment")} + j AS h) AS hashed
    """,
    f"""
    INSERT INTO retailers_instoreoffer (id, product_id, organization_id,
        physical_store_id, sku, status)
    SELECT
        md5(%(seed)s || '/instore/' || n || '/' || j)::uuid,
        {_PRODUCT_ID},
        CASE WHEN owner IS NOT NULL AND h %% 10 < 7
            THEN md5(%(seed)s || '/org/' || owner)::uuid
            ELSE md5(%(seed)s || '/org/' || (h / 10 %% %(orgs)s))::uuid END,
        md5(%(seed)s || '/store/' || (h %% 5000))::uuid,
        'SKU-' || n,
        (ARRAY['active', 'active', 'discontinued', 'seasonal', 'out_of_stock']
            )[1 + h / 1000 %% 5]
    FROM (
        SELECT n, {_OWNER_INDEX} AS owner FROM generate_series(1, %(products)s) AS n
    ) AS numbered,
        generate_series(1, {_HASH.format(salt="instores")} %% 3) AS j,
        LATERAL (SELECT {_HASH.format(salt="instore")} + j AS h) AS hashed
    """,
    f"""
    INSERT INTO retailers_onlineoffer (id, product_id, organization_id,
        online_store_id, sku, url, status, url_status, url_checked_at)
    SELECT
        md5(%(seed)s || '/online/' || n || '/' || j)::uuid,
        {_PRODUCT_ID},
        CASE WHEN owner IS NOT NULL AND h %% 10 < 7
            THEN md5(%(seed)s || '/org/' || owner)::uuid
            ELSE md5(%(seed)s || '/org/' || (h / 10 %% %(orgs)s))::uuid END,
        md5(%(seed)s || '/shop/' || (h %% 500))::uuid,
        '',
        'https://shop.example/p/' || n || '/' || j,
        (ARRAY['active', 'active', 'discontinued', 'seasonal', 'out_of_stock']
            )[1 + h / 1000 %% 5],
        status.url_status,
        CASE WHEN status.url_status <> 'unchecked'
            THEN timestamptz '2026-01-01 12:00:00+00' END
    FROM (
        SELECT n, {_OWNER_INDEX} AS owner FROM generate_series(1, %(products)s) AS n
    ) AS numbered,
        generate_series(1, {_HASH.format(salt="onlines")} %% 4) AS j,
        LATERAL (SELECT {_HASH.format(salt="online")} + j AS h) AS hashed,
        LATERAL (SELECT (ARRAY['ok', 'ok', 'ok', 'unchecked', 'redirect', 'broken',
            'timeout', 'dns_failure'])[1 + h / 5000 %% 8] AS url_status) AS status
    """,
)

_COUNTED = (
    "products_product",
    "products_productimage",
    "certifications_certificationassignment",
    "retailers_instoreoffer",
    "retailers_onlineoffer",
)


def split_schema() -> tuple[list[str], list[str]]:
    """The schema's CREATE TABLE statements, and its CREATE INDEX statements."""
    statements = list(schema_statements("postgresql"))
    indexes = [s for s in statements if s.upper().startswith("CREATE INDEX")]
    tables = [s for s in statements if s not in indexes]
    return tables, indexes


def generate(
    conninfo: str, scale: Scale, as_of: date, say: Callable[[str], None]
) -> Generated:
    """Create the schema, load the catalogue, index it and VACUUM ANALYZE."""
    started = time.perf_counter()
    tables, indexes = split_schema()
    params = {
        "seed": scale.seed,
        "big": scale.big_org_products,
        "small": scale.small_org_products,
        "other_orgs": scale.other_orgs,
        "orgs": scale.organizations,
        "products": scale.products,
        "as_of": as_of.isoformat(),
    }
    with psycopg.connect(conninfo, autocommit=True) as connection:
        for statement in tables:
            connection.execute(statement)
        with connection.transaction():
            # Foreign keys hold by construction; skipping their per-row triggers
            # makes the load several times faster.
            connection.execute("SET LOCAL session_replication_role = replica")
            for statement in _LOAD:
                table = statement.split("INTO", 1)[1].split()[0]
                say(f"loading {table}")
                connection.execute(statement, params)
        connection.execute("SET maintenance_work_mem = '512MB'")
        for statement in indexes:
            say(f"indexing: {' '.join(statement.split()[:3])}")
            connection.execute(statement)
        _vacuum(connection, say)
        keys = _add_keys(connection, scale)
        counts = {
            table: _count(connection, f"SELECT count(*) FROM {table}")
            for table in _COUNTED
        }
    big = Tenant(_org_id(scale, 0), scale.big_org_products, keys[0])
    small = Tenant(_org_id(scale, 1), scale.small_org_products, keys[1])
    return Generated(big, small, counts, time.perf_counter() - started)


def _vacuum(
    connection: psycopg.Connection[tuple[int]], say: Callable[[str], None]
) -> None:
    """VACUUM ANALYZE until every page is all-visible, so counts can be index-only.

    A VACUUM that runs beside another session's snapshot (autovacuum's, say) leaves
    pages unmarked; the next one marks them.
    """
    for _ in range(3):
        say("VACUUM ANALYZE")
        connection.execute("VACUUM ANALYZE")
        row = connection.execute(
            "SELECT coalesce(sum(relpages - relallvisible), 0) FROM pg_class"
            " WHERE relkind = 'r' AND relname = ANY(%s)",
            (list(_COUNTED),),
        ).fetchone()
        if row is None or row[0] == 0:
            return


def _org_id(scale: Scale, index: int) -> str:
    import hashlib
    import uuid

    digest = hashlib.md5(f"{scale.seed}/org/{index}".encode(), usedforsecurity=False)
    return str(uuid.UUID(digest.hexdigest()))


def _count(connection: psycopg.Connection[tuple[int]], sql: str) -> int:
    row = connection.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _add_keys(connection: psycopg.Connection[tuple[int]], scale: Scale) -> list[str]:
    """A business key for the big and the small organization."""
    rng = random.Random(scale.seed)  # noqa: S311 (reproducible test keys)
    keys = []
    for index in (0, 1):
        key = generate_key("csb", rng)
        connection.execute(
            "INSERT INTO accounts_apikey (id, prefix, key_hash, user_id,"
            " organization_id, name, is_active, expires_at, created)"
            " VALUES (md5(%s)::uuid, 'csb', %s, NULL, %s, 'bench', true, NULL,"
            " now())",
            (f"{scale.seed}/key/{index}", hash_key(key), _org_id(scale, index)),
        )
        keys.append(key)
    connection.execute("VACUUM ANALYZE accounts_apikey")
    return keys


def describe_existing(conninfo: str, scale: Scale) -> Generated:
    """The tenants of a catalogue generated earlier with the same seed."""
    rng = random.Random(scale.seed)  # noqa: S311 (reproducible test keys)
    keys = [generate_key("csb", rng) for _ in (0, 1)]
    tenants = []
    with psycopg.connect(conninfo, autocommit=True) as connection:
        for index in (0, 1):
            organization = _org_id(scale, index)
            found = connection.execute(
                "SELECT count(*) FROM accounts_apikey WHERE key_hash = %s",
                (hash_key(keys[index]),),
            ).fetchone()
            if not found or not found[0]:
                raise SystemExit(
                    "The database holds tables but not this seed's catalogue; "
                    "give an empty database or the seed it was generated with."
                )
            products = _count(
                connection,
                "SELECT count(*) FROM products_product"
                f" WHERE owner_id = '{organization}'",
            )
            tenants.append(Tenant(organization, products, keys[index]))
        counts = {
            table: _count(connection, f"SELECT count(*) FROM {table}")
            for table in _COUNTED
        }
    return Generated(tenants[0], tenants[1], counts, 0.0)
