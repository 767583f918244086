"""The baseline a first version would write: one query per counter, the completeness
worked out in Python over the fetched product rows, with per-product child lookups.

It runs on the same database, indexes and warm cache as closient, inside one
REPEATABLE READ transaction, through psycopg directly (cheaper per query than going
through SQLAlchemy, so the comparison flatters the baseline, not closient).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import psycopg

FAILING = ("broken", "timeout", "dns_failure")


def naive_stats(
    connection: psycopg.Connection[Any], organization_id: str, as_of: date
) -> dict[str, int]:
    """The seven counters, computed the slow and obvious way."""
    with connection.transaction():
        connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor = connection.cursor()
        counters = _plain_counters(cursor, organization_id, as_of)
        percentages, missing = _completeness(cursor, organization_id, as_of)
    total = len(percentages)
    complete = sum(1 for value in percentages if value >= 80)
    average = (2 * sum(percentages) + total) // (2 * total) if total else 0
    return {
        "total_products": total,
        "complete_products": complete,
        "avg_completeness": average,
        **counters,
        "missing_images": missing,
    }


def _scalar(cursor: psycopg.Cursor[Any], sql: str, params: tuple[Any, ...]) -> int:
    row = cursor.execute(sql, params).fetchone()
    return int(row[0]) if row else 0


def _plain_counters(
    cursor: psycopg.Cursor[Any], organization_id: str, as_of: date
) -> dict[str, int]:
    active = _scalar(
        cursor,
        "SELECT count(*) FROM retailers_instoreoffer"
        " WHERE organization_id = %s AND status = 'active'",
        (organization_id,),
    ) + _scalar(
        cursor,
        "SELECT count(*) FROM retailers_onlineoffer"
        " WHERE organization_id = %s AND status = 'active'",
        (organization_id,),
    )
    broken = _scalar(
        cursor,
        "SELECT count(*) FROM retailers_onlineoffer"
        " WHERE organization_id = %s AND url_status = ANY(%s)",
        (organization_id, list(FAILING)),
    )
    expiring = _scalar(
        cursor,
        "SELECT count(*) FROM certifications_certificationassignment AS a"
        " JOIN products_product AS p ON p.id = a.product_id"
        " WHERE p.owner_id = %s AND a.expiry_date BETWEEN %s AND %s",
        (organization_id, as_of, as_of + timedelta(days=60)),
    )
    return {
        "active_offers": active,
        "broken_offers": broken,
        "expiring_certifications": expiring,
    }


def _completeness(
    cursor: psycopg.Cursor[Any], organization_id: str, as_of: date
) -> tuple[list[int], int]:
    products = cursor.execute(
        "SELECT id, product_name, description, brand_id, category_id,"
        " country_of_origin, nutrition IS NOT NULL FROM products_product"
        " WHERE owner_id = %s",
        (organization_id,),
    ).fetchall()
    percentages = []
    missing = 0
    for product_id, name, description, brand, category, country, nutrition in products:
        images = _scalar(
            cursor,
            "SELECT count(*) FROM products_productimage WHERE product_id = %s",
            (product_id,),
        )
        expiries = cursor.execute(
            "SELECT expiry_date FROM certifications_certificationassignment"
            " WHERE product_id = %s",
            (product_id,),
        ).fetchall()
        offered = _scalar(
            cursor,
            "SELECT count(*) FROM retailers_instoreoffer"
            " WHERE product_id = %s AND status = 'active'",
            (product_id,),
        ) or _scalar(
            cursor,
            "SELECT count(*) FROM retailers_onlineoffer"
            " WHERE product_id = %s AND status = 'active'",
            (product_id,),
        )
        missing += images == 0
        text = description.strip(" ")
        points = 14 if name.strip(" ") else 0
        points += 16 if len(text) >= 50 else 8 if text else 0
        points += 10 if brand is not None else 0
        points += 10 if category is not None else 0
        points += 20 if images >= 2 else 10 if images == 1 else 0
        points += 6 if nutrition else 0
        points += 6 if any(e is None or e >= as_of for (e,) in expiries) else 0
        points += 8 if offered else 0
        points += 10 if country.strip(" ") else 0
        percentages.append(points)
    return percentages, missing
