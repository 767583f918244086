"""The contract's counters computed in plain Python from a catalogue's rows.

Written from CONTRACT section 2 alone, without the SQL, so that the two can be
compared on random catalogues.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from closient_cli.catalogue import Catalogue

WEIGHTS = {
    "name": Decimal("0.14"),
    "description": Decimal("0.16"),
    "brand": Decimal("0.10"),
    "category": Decimal("0.10"),
    "images": Decimal("0.20"),
    "nutrition": Decimal("0.06"),
    "certifications": Decimal("0.06"),
    "offers": Decimal("0.08"),
    "country": Decimal("0.10"),
}


def is_blank(text: str) -> bool:
    return text.strip(" ") == ""


def scores(
    catalogue: Catalogue, product: dict[str, Any], as_of: date
) -> dict[str, Any]:
    """Each group's score (0, 0.5 or 1) for one product."""
    images = sum(
        1
        for image in catalogue.of("products_productimage")
        if image["product_id"] == product["id"]
    )
    description = product["description"].strip(" ")
    offers = catalogue.of("retailers_instoreoffer") + catalogue.of(
        "retailers_onlineoffer"
    )
    return {
        "name": Decimal(0 if is_blank(product["product_name"]) else 1),
        "description": Decimal(
            1 if len(description) >= 50 else "0.5" if description else 0
        ),
        "brand": Decimal(product["brand_id"] is not None),
        "category": Decimal(product["category_id"] is not None),
        "images": Decimal(1 if images >= 2 else "0.5" if images == 1 else 0),
        "nutrition": Decimal(product["nutrition"] is not None),
        "certifications": Decimal(
            any(
                assignment["product_id"] == product["id"]
                and (
                    assignment["expiry_date"] is None
                    or assignment["expiry_date"] >= as_of
                )
                for assignment in catalogue.of("certifications_certificationassignment")
            )
        ),
        "offers": Decimal(
            any(
                offer["product_id"] == product["id"] and offer["status"] == "active"
                for offer in offers
            )
        ),
        "country": Decimal(0 if is_blank(product["country_of_origin"]) else 1),
    }


def percentage(catalogue: Catalogue, product: dict[str, Any], as_of: date) -> int:
    points = sum(
        score * WEIGHTS[group]
        for group, score in scores(catalogue, product, as_of).items()
    )
    value = points * 100
    assert value == value.to_integral_value()
    return int(value)


def counters(
    catalogue: Catalogue, organization: uuid.UUID, as_of: date
) -> dict[str, int]:
    products = [
        product
        for product in catalogue.of("products_product")
        if product["owner_id"] == organization
    ]
    percentages = [percentage(catalogue, product, as_of) for product in products]
    image_counts = Counter(
        image["product_id"] for image in catalogue.of("products_productimage")
    )
    product_ids = {product["id"] for product in products}
    average = (
        Decimal(sum(percentages)) / len(percentages) if percentages else Decimal(0)
    )
    horizon = as_of + timedelta(days=60)
    return {
        "total_products": len(products),
        "complete_products": sum(1 for value in percentages if value >= 80),
        "avg_completeness": int(average.quantize(Decimal(1), rounding=ROUND_HALF_UP)),
        "active_offers": sum(
            1
            for table in ("retailers_instoreoffer", "retailers_onlineoffer")
            for offer in catalogue.of(table)
            if offer["organization_id"] == organization and offer["status"] == "active"
        ),
        "broken_offers": sum(
            1
            for offer in catalogue.of("retailers_onlineoffer")
            if offer["organization_id"] == organization
            and offer["url_status"] in {"broken", "timeout", "dns_failure"}
        ),
        "expiring_certifications": sum(
            1
            for assignment in catalogue.of("certifications_certificationassignment")
            if assignment["product_id"] in product_ids
            and assignment["expiry_date"] is not None
            and as_of <= assignment["expiry_date"] <= horizon
        ),
        "missing_images": sum(
            1 for product in products if image_counts[product["id"]] == 0
        ),
    }
