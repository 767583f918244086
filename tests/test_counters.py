"""Each counter at the edges CONTRACT section 2 names, on both engines."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.builders import AS_OF, World, stats_json
from tests.conftest import Invoke, TestDatabase


def stats(closient: Invoke, database: TestDatabase, world: World) -> dict[str, int]:
    database.write(world.catalogue)
    outcome = closient(
        "stats",
        world.org_short,
        "--json",
        "--as-of",
        AS_OF.isoformat(),
        "--database",
        database.url,
        "--api-key",
        world.key,
    )
    assert outcome.status == 0, outcome.stderr
    assert outcome.stderr == ""
    return stats_json(outcome.stdout)


def test_organization_without_products_reports_zeros(
    closient: Invoke, database: TestDatabase
) -> None:
    world = World()
    world.product(owner=world.other, product_name="Not ours")
    assert stats(closient, database, world) == {
        "total_products": 0,
        "complete_products": 0,
        "avg_completeness": 0,
        "active_offers": 0,
        "broken_offers": 0,
        "expiring_certifications": 0,
        "missing_images": 0,
    }


def test_unclaimed_and_foreign_products_do_not_count(
    closient: Invoke, database: TestDatabase
) -> None:
    world = World()
    world.product()
    world.product(owner=None)
    world.product(owner=world.other)
    result = stats(closient, database, world)
    assert result["total_products"] == 1
    assert result["missing_images"] == 1


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, 0),
        ({"product_name": "   "}, 0),
        ({"product_name": " x "}, 14),
        ({"description": "     "}, 0),
        ({"description": "é" * 49}, 8),
        ({"description": "  " + "é" * 49 + "  "}, 8),
        ({"description": "é" * 50}, 16),
        ({"description": "  " + "ß" * 50 + "   "}, 16),
        ({"country_of_origin": "  "}, 0),
        ({"country_of_origin": "DE"}, 10),
        ({"nutrition": {}}, 6),
        ({"image_url": "https://img.example/only-url.png"}, 0),
    ],
    ids=[
        "all-blank",
        "name-spaces",
        "name-set",
        "description-spaces",
        "description-49-multibyte",
        "description-49-after-trim",
        "description-50-multibyte",
        "description-50-after-trim",
        "country-spaces",
        "country-set",
        "nutrition-empty-object",
        "image-url-is-not-an-image",
    ],
)
def test_text_and_field_groups(
    closient: Invoke, database: TestDatabase, fields: dict[str, Any], expected: int
) -> None:
    world = World()
    world.product(**fields)
    assert stats(closient, database, world)["avg_completeness"] == expected


def test_brand_and_category_score_when_set(
    closient: Invoke, database: TestDatabase
) -> None:
    world = World()
    world.product(brand_id=world.brand(), category_id=world.category())
    assert stats(closient, database, world)["avg_completeness"] == 20


@pytest.mark.parametrize(
    ("count", "points", "missing"), [(0, 0, 1), (1, 10, 0), (2, 20, 0), (3, 20, 0)]
)
def test_images(
    closient: Invoke, database: TestDatabase, count: int, points: int, missing: int
) -> None:
    world = World()
    world.images(world.product(image_url="https://img.example/x.png"), count)
    result = stats(closient, database, world)
    assert result["avg_completeness"] == points
    assert result["missing_images"] == missing


@pytest.mark.parametrize(
    ("offset", "expiring", "current"),
    [(-1, 0, 0), (0, 1, 6), (60, 1, 6), (61, 0, 6), (None, 0, 6)],
    ids=["D-1", "D", "D+60", "D+61", "no-expiry"],
)
def test_certification_expiry_edges(
    closient: Invoke,
    database: TestDatabase,
    offset: int | None,
    expiring: int,
    current: int,
) -> None:
    world = World()
    expiry = None if offset is None else AS_OF + timedelta(days=offset)
    world.certification(world.product(), expiry)
    result = stats(closient, database, world)
    assert result["expiring_certifications"] == expiring
    assert result["avg_completeness"] == current


def test_certifications_of_other_organizations_do_not_expire_here(
    closient: Invoke, database: TestDatabase
) -> None:
    world = World()
    world.certification(world.product(owner=world.other), AS_OF)
    world.certification(world.product(owner=None), AS_OF)
    assert stats(closient, database, world)["expiring_certifications"] == 0


def test_offers_count_by_owner_but_score_whoever_owns_them(
    closient: Invoke, database: TestDatabase
) -> None:
    world = World()
    ours = world.product()
    theirs = world.product(owner=world.other)
    world.in_store_offer(ours, owner=world.other)  # scores our product, not our count
    world.in_store_offer(theirs)  # our offer of their product: counts for us
    world.online_offer(theirs, status="seasonal")
    world.online_offer(theirs, status="active")
    result = stats(closient, database, world)
    assert result["active_offers"] == 2
    assert result["avg_completeness"] == 8


@pytest.mark.parametrize("status", ["discontinued", "seasonal", "out_of_stock"])
def test_inactive_offers_neither_count_nor_score(
    closient: Invoke, database: TestDatabase, status: str
) -> None:
    world = World()
    product = world.product()
    world.in_store_offer(product, status=status)
    world.online_offer(product, status=status)
    result = stats(closient, database, world)
    assert result["active_offers"] == 0
    assert result["avg_completeness"] == 0


def test_broken_offers_whatever_their_status(
    closient: Invoke, database: TestDatabase
) -> None:
    world = World()
    product = world.product()
    for url_status in ("broken", "timeout", "dns_failure"):
        world.online_offer(product, status="discontinued", url_status=url_status)
    for url_status in ("unchecked", "ok", "redirect"):
        world.online_offer(product, url_status=url_status)
    world.online_offer(product, url_status="broken", owner=world.other)
    result = stats(closient, database, world)
    assert result["broken_offers"] == 3
    assert result["active_offers"] == 3


def test_complete_products_threshold_is_80(
    closient: Invoke, database: TestDatabase
) -> None:
    world = World()
    world.complete_product()
    # 14 + 16 + 10 + 10 + 20 + 10 = 80: exactly complete.
    eighty = world.product(
        product_name="n",
        description="d" * 50,
        brand_id=world.brand(),
        category_id=world.category(),
        country_of_origin="FR",
    )
    world.images(eighty, 2)
    # 14 + 8 + 10 + 10 + 20 + 10 + 6 = 78: not complete.
    seventy_eight = world.product(
        product_name="n",
        description="short",
        brand_id=world.brand(),
        category_id=world.category(),
        country_of_origin="FR",
        nutrition={"a": 1},
    )
    world.images(seventy_eight, 2)
    result = stats(closient, database, world)
    assert result["complete_products"] == 2
    assert result["avg_completeness"] == 86  # (100 + 80 + 78) / 3 = 86


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        # (14 + 0) / 2 = 7: exact
        (["a", ""], 7),
        # 14 / 4 = 3.5 rounds half up to 4
        (["a", "", "", ""], 4),
        # 28 / 8 = 3.5 -> 4; 14 / 8 = 1.75 -> 2
        (["a", "", "", "", "", "", "", ""], 2),
        # 14 / 3 = 4.67 -> 5
        (["a", "", ""], 5),
    ],
)
def test_average_rounds_half_up(
    closient: Invoke, database: TestDatabase, names: list[str], expected: int
) -> None:
    world = World()
    for name in names:
        world.product(product_name=name)
    assert stats(closient, database, world)["avg_completeness"] == expected
