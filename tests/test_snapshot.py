"""Every counter of one report reads the same snapshot, even while others write."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from closient_cli import stats as stats_module
from closient_cli.catalogue import Catalogue, write
from closient_cli.queries import fetch_one
from tests.builders import AS_OF, World, stats_json
from tests.conftest import Invoke, TestDatabase


def test_a_write_between_two_counter_queries_is_not_seen(
    closient: Invoke, database: TestDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = World()
    world.in_store_offer(world.product())
    database.write(world.catalogue)
    if database.backend == "sqlite":
        # In rollback-journal mode a writer would wait for the reader; WAL lets it
        # commit while closient's read transaction keeps its snapshot.
        with create_engine(database.writer_url, poolclass=NullPool).connect() as setup:
            setup.exec_driver_sql("PRAGMA journal_mode=WAL")

    late = World(rng=random.Random(99))
    late.org, late.catalogue = world.org, Catalogue()
    product = late.product(gtin="99999999999999")
    late.in_store_offer(product)
    late.in_store_offer(product)

    original = fetch_one
    calls = 0

    def fetch_then_write(
        connection: Any, query: Any, params: Mapping[str, Any]
    ) -> Mapping[str, Any] | None:
        nonlocal calls
        calls += 1
        row = original(connection, query, params)
        if calls == 1:  # after the first counter query, another client commits
            engine = create_engine(database.writer_url, poolclass=NullPool)
            with engine.begin() as writer:
                write(writer, late.catalogue)
            engine.dispose()
        return row

    monkeypatch.setattr(stats_module, "fetch_one", fetch_then_write)
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
    counters = stats_json(outcome.stdout)
    assert counters["total_products"] == 1
    assert counters["active_offers"] == 1  # the two offers written later are not seen

    monkeypatch.setattr(stats_module, "fetch_one", original)
    after = closient(
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
    assert stats_json(after.stdout)["active_offers"] == 3
    with create_engine(database.writer_url, poolclass=NullPool).connect() as check:
        assert (
            check.execute(text("SELECT count(*) FROM products_product")).scalar() == 2
        )
