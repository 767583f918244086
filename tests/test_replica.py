"""closient stats on a streaming hot standby: same answer once caught up, lag shown."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest

from closient_cli import replica
from closient_cli.catalogue import (
    CatalogueShape,
    add_key,
    add_user,
    generate,
    schema_statements,
    write,
)
from closient_cli.ids import short_id
from tests.builders import stats_json
from tests.conftest import Invoke
from tests.pgserver import (
    PostgresServer,
    ServerMissing,
    remove,
    start_server,
    start_standby,
)

pytestmark = pytest.mark.postgresql

AS_OF = date(2026, 6, 1)
DATABASE = "closient_replicated"


@dataclass
class Pair:
    primary: PostgresServer
    standby: PostgresServer


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    try:
        primary = start_server(("wal_level=replica", "max_wal_senders=4"))
    except ServerMissing as missing:
        pytest.skip(f"PostgreSQL server binaries not found: {missing}")
    try:
        standby = start_standby(primary)
        try:
            yield Pair(primary, standby)
        finally:
            remove(standby)
    finally:
        remove(primary)


def _execute(url: str, *statements: str, autocommit: bool = False) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    options = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    engine = create_engine(url, poolclass=NullPool, **options)
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    engine.dispose()


def _scalar(url: str, sql: str) -> object:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        value = connection.execute(text(sql)).scalar_one()
    engine.dispose()
    return value


def _wait_for_replay(pair: Pair, timeout: float = 30.0) -> None:
    """Until the standby has replayed everything the primary had written."""
    target = _scalar(pair.primary.driver_url("postgres"), "SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        caught_up = _scalar(
            pair.standby.driver_url("postgres"),
            f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn",
        )
        if caught_up:
            return
        time.sleep(0.1)
    pytest.fail("the standby did not catch up with the primary")


@pytest.fixture(scope="module")
def replicated(pair: Pair) -> tuple[list[str], str]:
    """A catalogue written on the primary; its organizations and a reader's key."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    _execute(
        pair.primary.driver_url("postgres"),
        f"CREATE DATABASE {DATABASE}",
        autocommit=True,
    )
    rng = random.Random(11)
    catalogue = generate(rng, AS_OF, CatalogueShape(organizations=2, products=120))
    organizations = [row["id"] for row in catalogue.of("organization_organization")]
    user = add_user(
        catalogue, rng, "reader@example.com", dict.fromkeys(organizations, "viewer")
    )
    key = add_key(catalogue, rng, "csu", user_id=user).key
    engine = create_engine(pair.primary.driver_url(DATABASE), poolclass=NullPool)
    with engine.begin() as connection:
        for statement in schema_statements("postgresql"):
            connection.exec_driver_sql(statement)
        write(connection, catalogue)
    engine.dispose()
    _wait_for_replay(pair)
    return [short_id(o) for o in organizations], key


def _stats(closient: Invoke, server: PostgresServer, organization: str, key: str):  # type: ignore[no-untyped-def]
    return closient(
        "stats",
        organization,
        "--json",
        "--as-of",
        AS_OF.isoformat(),
        "--database",
        server.url(DATABASE),
        "--api-key",
        key,
    )


def test_the_standby_is_a_hot_standby(pair: Pair) -> None:
    assert _scalar(pair.standby.driver_url("postgres"), "SELECT pg_is_in_recovery()")
    assert not _scalar(
        pair.primary.driver_url("postgres"), "SELECT pg_is_in_recovery()"
    )


def test_stats_on_the_standby_agree_with_the_primary(
    closient: Invoke, pair: Pair, replicated: tuple[list[str], str]
) -> None:
    organizations, key = replicated
    for organization in organizations:
        on_primary = _stats(closient, pair.primary, organization, key)
        on_standby = _stats(closient, pair.standby, organization, key)
        assert on_primary.status == 0, on_primary.stderr
        assert on_standby.status == 0, on_standby.stderr
        assert stats_json(on_standby.stdout) == stats_json(on_primary.stdout)
        assert stats_json(on_primary.stdout)["total_products"] > 0


def test_a_lagging_standby_is_named_on_stderr_only(
    closient: Invoke,
    pair: Pair,
    replicated: tuple[list[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    organizations, key = replicated
    # Any replay lag at all counts as lagging here; the standby's lag is real.
    monkeypatch.setattr(replica, "LAG_THRESHOLD_SECONDS", -1.0)
    on_standby = _stats(closient, pair.standby, organizations[0], key)
    assert on_standby.status == 0, on_standby.stderr
    assert on_standby.stderr.startswith("Note: reading a replica that is ")
    assert on_standby.stderr.endswith(" s behind the primary.\n")
    assert len(on_standby.stderr.splitlines()) == 1
    assert set(stats_json(on_standby.stdout)) >= {"total_products"}
    on_primary = _stats(closient, pair.primary, organizations[0], key)
    assert on_primary.stderr == ""


def test_no_note_within_the_threshold() -> None:
    assert replica.lag_note(None) is None
    assert replica.lag_note(replica.LAG_THRESHOLD_SECONDS) is None
    assert replica.lag_note(replica.LAG_THRESHOLD_SECONDS + 57.4) == (
        f"Note: reading a replica that is "
        f"{replica.LAG_THRESHOLD_SECONDS + 57.4:.0f} s behind the primary."
    )
