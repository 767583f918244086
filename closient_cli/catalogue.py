"""Catalogues of platform rows, generated from a seed and written to a fresh database.

The demo database is made from a generated catalogue; tests use the same generator with
other seeds. Rows hold Python values (UUID, bool, date, datetime, dict); writing adapts
them to the engine's storage as sql/schema describes. Nothing here ever touches a
database closient reports on: it only fills databases it has just created.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from closient_cli.apikeys import generate_key, hash_key

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

TABLES = (
    "organization_organization",
    "accounts_user",
    "organization_membership",
    "accounts_apikey",
    "brands_brand",
    "products_productcategory",
    "products_product",
    "products_productimage",
    "retailers_instoreoffer",
    "retailers_onlineoffer",
    "certifications_certification",
    "certifications_certificationassignment",
)
OFFER_STATUSES = ("active", "discontinued", "seasonal", "out_of_stock")
URL_STATUSES = ("unchecked", "ok", "redirect", "broken", "timeout", "dns_failure")
ROLES = ("owner", "manager", "editor", "billing", "viewer")

# Texts chosen to sit on the edges of the completeness rules: blank, spaces only,
# 49 and 50 characters after trimming (with multi-byte letters), and markup.
NAMES = ("", "   ", "Oat drink", "Crème brûlée 4 pots", "[bold]Not markup[/]", "Tea")
DESCRIPTIONS = (
    "",
    "    ",
    "Short.",
    "é" * 49,
    "é" * 50,
    "  " + "ß" * 49 + "  ",
    "  " + "ö" * 50 + "  ",
    "A long description of a product that has more than fifty characters in it.",
)
COUNTRIES = ("", "  ", "FR", "DE", "US")


def new_id(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID drawn from ``rng``, so seeded catalogues are reproducible."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


@dataclass
class Catalogue:
    """Rows by table, in an order that satisfies every foreign key."""

    rows: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {table: [] for table in TABLES}
    )

    def add(self, table: str, **row: Any) -> uuid.UUID:
        self.rows[table].append(row)
        identifier: uuid.UUID = row["id"]
        return identifier

    def of(self, table: str) -> list[dict[str, Any]]:
        return self.rows[table]


@dataclass(frozen=True)
class CatalogueShape:
    """How big a generated catalogue is."""

    organizations: int = 3
    products: int = 300
    unclaimed_share: float = 0.1


def generate(rng: random.Random, as_of: date, shape: CatalogueShape) -> Catalogue:
    """A catalogue with every edge of the counters' rules, drawn from ``rng``."""
    catalogue = Catalogue()
    created = datetime(2024, 1, 1, tzinfo=UTC)
    organizations = [
        catalogue.add(
            "organization_organization",
            id=new_id(rng),
            name=f"Organization {number}",
            created=created,
        )
        for number in range(1, shape.organizations + 1)
    ]
    brands = [
        catalogue.add(
            "brands_brand", id=new_id(rng), name=f"Brand {n}", organization_id=owner
        )
        for n, owner in enumerate([*organizations, None], start=1)
    ]
    categories = [
        catalogue.add("products_productcategory", id=new_id(rng), name=name)
        for name in ("Drinks", "Snacks", "Dairy")
    ]
    certifications = [
        catalogue.add(
            "certifications_certification", id=new_id(rng), code=code, label=label
        )
        for code, label in (("ORG", "Organic"), ("FT", "Fair trade"), ("VG", "Vegan"))
    ]
    expiries = _expiry_choices(as_of)
    for number in range(shape.products):
        owner = (
            None if rng.random() < shape.unclaimed_share else rng.choice(organizations)
        )
        product = catalogue.add(
            "products_product",
            id=new_id(rng),
            gtin=f"{40000000000000 + number:014d}",
            owner_id=owner,
            brand_id=rng.choice([None, *brands]),
            category_id=rng.choice([None, *categories]),
            product_name=rng.choice(NAMES),
            description=rng.choice(DESCRIPTIONS),
            country_of_origin=rng.choice(COUNTRIES),
            image_url=rng.choice(["", f"https://img.example/{number}.jpg"]),
            nutrition=rng.choice([None, {"energy_kcal": rng.randint(0, 900)}]),
            created=created + timedelta(hours=number),
        )
        _add_children(catalogue, rng, product, organizations, certifications, expiries)
    return catalogue


def _expiry_choices(as_of: date) -> list[date | None]:
    edges = [-1, 0, 1, 59, 60, 61, 400, -400]
    return [None, *(as_of + timedelta(days=days) for days in edges)]


def _add_children(
    catalogue: Catalogue,
    rng: random.Random,
    product: uuid.UUID,
    organizations: list[uuid.UUID],
    certifications: list[uuid.UUID],
    expiries: list[date | None],
) -> None:
    checked = datetime(2026, 1, 1, 12, 30, tzinfo=UTC)
    for priority in range(rng.choice([0, 0, 1, 1, 2, 3])):
        catalogue.add(
            "products_productimage",
            id=new_id(rng),
            product_id=product,
            image_url=f"https://img.example/{product}/{priority}.jpg",
            is_primary=priority == 0,
            priority=priority,
            created=checked,
        )
    for _ in range(rng.choice([0, 0, 1, 2])):
        expiry = rng.choice(expiries)
        catalogue.add(
            "certifications_certificationassignment",
            id=new_id(rng),
            product_id=product,
            certification_id=rng.choice(certifications),
            verification_status=rng.choice(("unverified", "verified", "expired")),
            valid_from=None if expiry is None else expiry - timedelta(days=365),
            expiry_date=expiry,
        )
    for _ in range(rng.choice([0, 1, 2])):
        catalogue.add(
            "retailers_instoreoffer",
            id=new_id(rng),
            product_id=product,
            organization_id=rng.choice(organizations),
            physical_store_id=new_id(rng),
            sku=f"SKU-{rng.randint(1, 99999)}",
            status=rng.choice(OFFER_STATUSES),
        )
    for _ in range(rng.choice([0, 1, 2])):
        url_status = rng.choice(URL_STATUSES)
        catalogue.add(
            "retailers_onlineoffer",
            id=new_id(rng),
            product_id=product,
            organization_id=rng.choice(organizations),
            online_store_id=new_id(rng),
            sku="",
            url=f"https://shop.example/p/{rng.randint(1, 99999)}",
            status=rng.choice(OFFER_STATUSES),
            url_status=url_status,
            url_checked_at=None if url_status == "unchecked" else checked,
        )


@dataclass(frozen=True)
class IssuedKey:
    """A key written to a catalogue; ``key`` is the secret its holder presents."""

    key: str
    row_id: uuid.UUID


def add_user(
    catalogue: Catalogue,
    rng: random.Random,
    email: str,
    memberships: Mapping[uuid.UUID, str],
    *,
    is_active: bool = True,
) -> uuid.UUID:
    """A user with active memberships (organization id → role)."""
    user = catalogue.add(
        "accounts_user", id=new_id(rng), email=email, is_active=is_active
    )
    for organization, role in memberships.items():
        catalogue.add(
            "organization_membership",
            id=new_id(rng),
            organization_id=organization,
            user_id=user,
            role=role,
            is_active=True,
        )
    return user


def add_key(
    catalogue: Catalogue,
    rng: random.Random,
    prefix: str,
    *,
    user_id: uuid.UUID | None = None,
    organization_id: uuid.UUID | None = None,
    is_active: bool = True,
    expires_at: datetime | None = None,
) -> IssuedKey:
    """A new API key row; the returned key is the only copy of the secret."""
    key = generate_key(prefix, rng)
    row_id = catalogue.add(
        "accounts_apikey",
        id=new_id(rng),
        prefix=prefix,
        key_hash=hash_key(key),
        user_id=user_id,
        organization_id=organization_id,
        name=f"{prefix} key",
        is_active=is_active,
        expires_at=expires_at,
        created=datetime(2025, 1, 1, tzinfo=UTC),
    )
    return IssuedKey(key=key, row_id=row_id)


def write(connection: Connection, catalogue: Catalogue) -> None:
    """Insert every row, adapting values to the connection's engine."""
    from sqlalchemy import text

    dialect = connection.dialect.name
    for table in TABLES:
        rows = catalogue.of(table)
        if not rows:
            continue
        columns = list(rows[0])
        placeholders = ", ".join(_placeholder(column, dialect) for column in columns)
        statement = text(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
        )
        connection.execute(statement, [_adapted(row, dialect) for row in rows])


def _placeholder(column: str, dialect: str) -> str:
    if column == "nutrition" and dialect == "postgresql":
        return f"CAST(:{column} AS jsonb)"
    return f":{column}"


def _adapted(row: Mapping[str, Any], dialect: str) -> dict[str, Any]:
    return {column: _value(value, dialect) for column, value in row.items()}


def _value(value: Any, dialect: str) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if dialect != "sqlite":
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return value


def schema_statements(dialect: str) -> Iterable[str]:
    """The statements of ``sql/schema/<dialect>.sql``, one at a time."""
    from closient_cli.queries import sql_root

    text = (sql_root() / "schema" / f"{dialect}.sql").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]
