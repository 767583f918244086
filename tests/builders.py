"""Small, explicit catalogues for tests: one organization, a reader, and helpers."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from closient_cli.catalogue import Catalogue, add_key, add_user, new_id
from closient_cli.ids import short_id

AS_OF = date(2026, 3, 31)


@dataclass
class World:
    """A catalogue with organization ``org``, a rival ``other``, and a member's key."""

    catalogue: Catalogue = field(default_factory=Catalogue)
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    org: uuid.UUID = field(init=False)
    other: uuid.UUID = field(init=False)
    key: str = field(init=False)
    _gtins: int = 0

    def __post_init__(self) -> None:
        self.org = self.organization("Acme [bold]Foods[/]")
        self.other = self.organization("Rival Goods")
        user = add_user(
            self.catalogue, self.rng, "member@example.com", {self.org: "viewer"}
        )
        self.key = add_key(self.catalogue, self.rng, "csu", user_id=user).key

    @property
    def org_short(self) -> str:
        return short_id(self.org)

    def organization(self, name: str) -> uuid.UUID:
        return self.catalogue.add(
            "organization_organization",
            id=new_id(self.rng),
            name=name,
            created=datetime(2024, 1, 1, tzinfo=UTC),
        )

    def product(
        self, owner: uuid.UUID | str | None = "org", **fields: Any
    ) -> uuid.UUID:
        """A product, every field blank unless given; owned by ``org`` by default."""
        self._gtins += 1
        row: dict[str, Any] = {
            "id": new_id(self.rng),
            "gtin": f"{self._gtins:014d}",
            "owner_id": self.org if owner == "org" else owner,
            "brand_id": None,
            "category_id": None,
            "product_name": "",
            "description": "",
            "country_of_origin": "",
            "image_url": "",
            "nutrition": None,
            "created": datetime(2025, 1, 1, tzinfo=UTC),
        }
        row.update(fields)
        return self.catalogue.add("products_product", **row)

    def brand(self) -> uuid.UUID:
        return self.catalogue.add(
            "brands_brand", id=new_id(self.rng), name="Brand", organization_id=self.org
        )

    def category(self) -> uuid.UUID:
        return self.catalogue.add(
            "products_productcategory", id=new_id(self.rng), name="Category"
        )

    def images(self, product: uuid.UUID, count: int) -> None:
        for priority in range(count):
            self.catalogue.add(
                "products_productimage",
                id=new_id(self.rng),
                product_id=product,
                image_url=f"https://img.example/{priority}.png",
                is_primary=priority == 0,
                priority=priority,
                created=datetime(2025, 1, 1, tzinfo=UTC),
            )

    def certification(self, product: uuid.UUID, expiry: date | None) -> None:
        certification = self.catalogue.add(
            "certifications_certification", id=new_id(self.rng), code="C", label="Cert"
        )
        self.catalogue.add(
            "certifications_certificationassignment",
            id=new_id(self.rng),
            product_id=product,
            certification_id=certification,
            verification_status="verified",
            valid_from=None,
            expiry_date=expiry,
        )

    def in_store_offer(
        self, product: uuid.UUID, status: str = "active", owner: uuid.UUID | None = None
    ) -> None:
        self.catalogue.add(
            "retailers_instoreoffer",
            id=new_id(self.rng),
            product_id=product,
            organization_id=owner or self.org,
            physical_store_id=new_id(self.rng),
            sku="",
            status=status,
        )

    def online_offer(
        self,
        product: uuid.UUID,
        status: str = "active",
        url_status: str = "ok",
        owner: uuid.UUID | None = None,
    ) -> None:
        self.catalogue.add(
            "retailers_onlineoffer",
            id=new_id(self.rng),
            product_id=product,
            organization_id=owner or self.org,
            online_store_id=new_id(self.rng),
            sku="",
            url="https://shop.example/item",
            status=status,
            url_status=url_status,
            url_checked_at=None,
        )

    def complete_product(self) -> uuid.UUID:
        """A product that scores 100."""
        product = self.product(
            product_name="Full",
            description="d" * 60,
            brand_id=self.brand(),
            category_id=self.category(),
            nutrition={"kcal": 1},
            country_of_origin="FR",
        )
        self.images(product, 2)
        self.certification(product, None)
        self.in_store_offer(product)
        return product


def stats_json(outcome_stdout: str) -> dict[str, int]:
    document: dict[str, int] = json.loads(outcome_stdout)
    return document
