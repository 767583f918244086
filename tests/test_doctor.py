"""closient doctor: the recommended indexes a live database lacks, on both engines."""

from __future__ import annotations

import json

from closient_cli.catalogue import schema_statements
from closient_cli.doctor import parse_index, recommended_indexes
from tests.conftest import Invoke, TestDatabase


def _drop(database: TestDatabase, index: str) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    engine = create_engine(database.writer_url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP INDEX {index}")
    engine.dispose()


def _doctor(closient: Invoke, database: TestDatabase) -> dict[str, object]:
    outcome = closient("doctor", "--json", "--database", database.url)
    assert outcome.status == 0, outcome.stderr
    document: dict[str, object] = json.loads(outcome.stdout)
    return document


def test_a_database_built_from_the_schema_lacks_nothing(
    closient: Invoke, database: TestDatabase
) -> None:
    document = _doctor(closient, database)
    assert document["missing"] == []
    assert document["recommended"] == len(recommended_indexes(database.backend))
    text = closient("doctor", "--database", database.url)
    assert text.status == 0
    assert "indexes closient recommends are present" in text.stdout


def test_a_dropped_index_is_reported_with_the_statement_to_restore_it(
    closient: Invoke, database: TestDatabase
) -> None:
    _drop(database, "closient_onlineoffer_org_failing")
    _drop(database, "closient_product_owner")
    document = _doctor(closient, database)
    missing = document["missing"]
    assert isinstance(missing, list)
    assert [entry["name"] for entry in missing] == [
        "closient_product_owner",
        "closient_onlineoffer_org_failing",
    ]
    assert "closient_product_owner" not in str(document["present"])
    text = closient("doctor", "--database", database.url)
    assert text.status == 0
    create = (
        "CREATE INDEX CONCURRENTLY"
        if database.backend == "postgresql"
        else "CREATE INDEX"
    )
    assert (
        f"{create} closient_onlineoffer_org_failing ON retailers_onlineoffer "
        "(organization_id) WHERE url_status IN ('broken', 'timeout', 'dns_failure');"
    ) in text.stdout.splitlines()


def test_an_index_with_another_predicate_does_not_count(
    closient: Invoke, database: TestDatabase
) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    _drop(database, "closient_instoreoffer_product_active")
    engine = create_engine(database.writer_url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE INDEX lookalike ON retailers_instoreoffer (product_id) "
            "WHERE status <> 'active'"
        )
    engine.dispose()
    missing = _doctor(closient, database)["missing"]
    assert isinstance(missing, list)
    assert [entry["name"] for entry in missing] == [
        "closient_instoreoffer_product_active"
    ]


def test_every_index_of_the_schema_files_is_understood() -> None:
    for dialect in ("postgresql", "sqlite"):
        statements = [
            s
            for s in schema_statements(dialect)
            if s.upper().startswith("CREATE INDEX")
        ]
        assert statements
        assert all(parse_index(statement) is not None for statement in statements)
