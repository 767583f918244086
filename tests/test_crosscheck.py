"""Random catalogues: the counters from SQL equal a plain reading of the contract."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from closient_cli.catalogue import CatalogueShape, add_key, add_user, generate
from closient_cli.ids import short_id
from tests import reference
from tests.builders import stats_json
from tests.conftest import Invoke, TestDatabase


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_counters_match_the_reference(
    closient: Invoke, database: TestDatabase, seed: int
) -> None:
    rng = random.Random(seed)
    as_of = date(2026, 1, 1) + timedelta(days=rng.randint(0, 365))
    catalogue = generate(
        rng, as_of, CatalogueShape(organizations=3, products=rng.randint(40, 160))
    )
    organizations = [row["id"] for row in catalogue.of("organization_organization")]
    user = add_user(
        catalogue, rng, "reader@example.com", dict.fromkeys(organizations, "editor")
    )
    key = add_key(catalogue, rng, "csu", user_id=user).key
    database.write(catalogue)
    for organization in organizations:
        outcome = closient(
            "stats",
            short_id(organization),
            "--json",
            "--as-of",
            as_of.isoformat(),
            "--database",
            database.url,
            "--api-key",
            key,
        )
        assert outcome.status == 0, outcome.stderr
        assert stats_json(outcome.stdout) == reference.counters(
            catalogue, organization, as_of
        )
