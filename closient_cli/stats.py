"""The seven dashboard counters of one organization, computed from its rows."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from typing import TYPE_CHECKING

from closient_cli.queries import fetch_one, load

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

EXPIRY_WINDOW = timedelta(days=60)
# Memory for the per-product hash tables of one report on PostgreSQL: enough that an
# organization with a few hundred thousand products never spills them to disk.
REPORT_WORK_MEM = "64MB"
COMPLETE_AT = 80
# Binds as :all_rows, a LIMIT that keeps every row (SQLite has no LIMIT NULL).
ALL_ROWS = 2**62
COUNTER_QUERIES = (
    "counters/product_counters",
    "counters/active_offers",
    "counters/broken_offers",
    "counters/expiring_certifications",
    "counters/missing_images",
)


@dataclass(frozen=True)
class DashboardStats:
    """The counters of the dashboard home, in the order of DashboardStatsOut."""

    total_products: int
    complete_products: int
    avg_completeness: int
    active_offers: int
    broken_offers: int
    expiring_certifications: int
    missing_images: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(field.name for field in fields(cls))


def report_params(
    organization_id: uuid.UUID, as_of: date
) -> dict[str, str | int | None]:
    """The binds every counter and list query of one report shares."""
    return {
        "organization_id": str(organization_id),
        "as_of": as_of.isoformat(),
        "expiry_horizon": (as_of + EXPIRY_WINDOW).isoformat(),
        "complete_at": COMPLETE_AT,
        "all_rows": ALL_ROWS,
        "gtin": None,  # every product of the organization, not one
    }


def rounded_mean(total: int, count: int) -> int:
    """``total / count`` rounded half up, in exact integer arithmetic; 0 when empty."""
    if count == 0:
        return 0
    return (2 * total + count) // (2 * count)


def compute_stats(
    connection: Connection, dialect: str, organization_id: uuid.UUID, as_of: date
) -> DashboardStats:
    """Run every counter query on one connection (the caller holds the snapshot)."""
    params = report_params(organization_id, as_of)
    if dialect == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
    values: dict[str, int] = {}
    for name in COUNTER_QUERIES:
        row = fetch_one(connection, load(name, dialect), params) or {}
        values.update({column: int(value or 0) for column, value in row.items()})
    total = values["total_products"]
    return DashboardStats(
        total_products=total,
        complete_products=values["complete_products"],
        avg_completeness=rounded_mean(values["percentage_sum"], total),
        active_offers=values["active_offers"],
        broken_offers=values["broken_offers"],
        expiring_certifications=values["expiring_certifications"],
        missing_images=values["missing_images"],
    )
