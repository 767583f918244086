"""A catalogue of several organizations and the keys that read them, for fleet tests."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date

from closient_cli.catalogue import (
    Catalogue,
    CatalogueShape,
    add_key,
    add_user,
    generate,
    new_id,
)
from closient_cli.ids import short_id
from tests import reference

AS_OF = date(2026, 3, 31)
MEMBER_EMAIL = "fleet.member@example.com"


@dataclass
class Fleet:
    """Three organizations: a member reads the first two (its membership of the third
    is inactive); a business key reads the second only."""

    catalogue: Catalogue = field(init=False)
    organizations: list[uuid.UUID] = field(init=False)
    user_key: str = field(init=False)
    business_key: str = field(init=False)
    stranger_key: str = field(init=False)
    seed: int = 11

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        self.catalogue = generate(
            rng, AS_OF, CatalogueShape(organizations=3, products=90)
        )
        self.organizations = [
            row["id"] for row in self.catalogue.of("organization_organization")
        ]
        first, second, third = self.organizations
        names = ('Acme, "Fine" [bold]Foods[/]', "Über Goods\tLtd", "Third Co")
        for row, name in zip(
            self.catalogue.of("organization_organization"), names, strict=True
        ):
            row["name"] = name
        user = add_user(
            self.catalogue, rng, MEMBER_EMAIL, {first: "viewer", second: "owner"}
        )
        self.catalogue.add(
            "organization_membership",
            id=new_id(rng),
            organization_id=third,
            user_id=user,
            role="editor",
            is_active=False,
        )
        self.user_key = add_key(self.catalogue, rng, "csu", user_id=user).key
        self.business_key = add_key(
            self.catalogue, rng, "csb", organization_id=second
        ).key
        stranger = add_user(self.catalogue, rng, "nobody@example.com", {})
        self.stranger_key = add_key(self.catalogue, rng, "csu", user_id=stranger).key

    @property
    def readable(self) -> list[uuid.UUID]:
        """What the member's key may read."""
        return self.organizations[:2]

    @property
    def unreadable(self) -> uuid.UUID:
        return self.organizations[2]

    def name(self, organization: uuid.UUID) -> str:
        for row in self.catalogue.of("organization_organization"):
            if row["id"] == organization:
                return str(row["name"])
        raise KeyError(organization)

    def expected(self, organization: uuid.UUID) -> dict[str, int]:
        """The counters as the contract defines them, computed in plain Python."""
        return reference.counters(self.catalogue, organization, AS_OF)

    def expected_by_short_id(self, organizations: list[uuid.UUID]) -> dict[str, object]:
        return {short_id(org): self.expected(org) for org in organizations}
