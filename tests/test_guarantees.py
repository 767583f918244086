"""closient cannot change the database it reads, and operators' SQL files cannot either.

The probes run through the real command: an operator SQL folder (``--sql-dir``)
replaces one counter's file with a query that reports a property of the session as
that counter's value.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.builders import stats_json
from tests.commands import (
    Target,
    copy_packaged_sql,
    fingerprint,
    sql_folder_with,
    written_world,
)
from tests.conftest import (
    Invoke,
    TestDatabase,
    new_postgres_database,
    new_sqlite_database,
)
from tests.pgserver import PostgresServer


def stats_with(
    closient: Invoke, database: TestDatabase | Target, folder: Path
) -> dict[str, int]:
    target = database if isinstance(database, Target) else written_world(database)[1]
    outcome = closient(
        "stats",
        target.organization,
        "--json",
        "--as-of",
        target.as_of,
        "--database",
        target.database_url,
        "--api-key",
        target.api_key,
        "--sql-dir",
        str(folder),
    )
    assert outcome.status == 0, outcome.stderr
    return stats_json(outcome.stdout)


@pytest.mark.postgresql
def test_postgresql_report_is_one_read_only_repeatable_read_transaction(
    closient: Invoke, pg_server: PostgresServer, tmp_path: Path
) -> None:
    database = new_postgres_database(pg_server)
    same_transaction = (
        "SELECT CAST(extract(epoch FROM now()) * 1000000 AS bigint) % 1000000000"
    )
    folder = sql_folder_with(
        tmp_path / "sql",
        {
            "counters/broken_offers": (
                "SELECT CASE WHEN current_setting('default_transaction_read_only')"
                " = 'on' AND current_setting('transaction_read_only') = 'on'"
                " AND current_setting('transaction_isolation') = 'repeatable read'"
                " THEN 1 ELSE 0 END AS broken_offers"
            ),
            "counters/active_offers": f"{same_transaction} AS active_offers",
            "counters/expiring_certifications": (
                f"{same_transaction} AS expiring_certifications"
            ),
        },
    )
    result = stats_with(closient, database, folder)
    assert result["broken_offers"] == 1
    # now() is the start of the transaction: equal in two statements means one.
    assert result["active_offers"] == result["expiring_certifications"]


def test_sqlite_connection_is_query_only_on_a_read_only_file(
    closient: Invoke, tmp_path: Path
) -> None:
    database = new_sqlite_database(tmp_path / "db")
    folder = sql_folder_with(
        tmp_path / "sql",
        {
            "counters/broken_offers": (
                "SELECT query_only AS broken_offers FROM pragma_query_only"
            ),
        },
    )
    assert stats_with(closient, database, folder)["broken_offers"] == 1


def test_sqlite_file_is_opened_read_only(tmp_path: Path) -> None:
    from sqlalchemy import exc

    from closient_cli.database import open_database, snapshot

    database = new_sqlite_database(tmp_path / "db")
    path = Path(database.url.removeprefix("sqlite:///"))
    before = path.read_bytes()
    opened = open_database(database.url, timeout=5)
    with opened.engine.connect() as connection:
        # query_only off: only the mode=ro of the file itself is left to refuse.
        connection.exec_driver_sql("PRAGMA query_only = OFF")
        with pytest.raises(exc.OperationalError, match="readonly database"):
            connection.exec_driver_sql("DELETE FROM organization_organization")
    with snapshot(opened) as connection:
        uri = connection.exec_driver_sql("PRAGMA database_list").all()
    assert path.read_bytes() == before
    assert uri[0][2] == str(path.resolve())


WRITES = {
    "delete": "DELETE FROM products_product",
    "update": "UPDATE organization_organization SET name = 'x'",
    "insert": (
        "INSERT INTO products_productcategory (id, name) "
        "VALUES ('00000000-0000-0000-0000-000000000001', 'x')"
    ),
    "create": "CREATE TABLE broken_offers_copy (broken_offers integer)",
    "drop": "DROP TABLE retailers_onlineoffer",
}


@pytest.mark.parametrize("statement", WRITES.values(), ids=WRITES.keys())
def test_a_sql_file_that_writes_is_refused_and_changes_nothing(
    closient: Invoke, database: TestDatabase, tmp_path: Path, statement: str
) -> None:
    _, target = written_world(database)
    before = fingerprint(database)
    folder = sql_folder_with(tmp_path / "sql", {"counters/broken_offers": statement})
    outcome = closient(
        "stats", *["--sql-dir", str(folder)], *_target_args(target), "--json"
    )
    assert outcome.status == 1, outcome.stderr
    assert outcome.stdout == ""
    problem = _problem(outcome.stderr)
    assert problem["error_code"] == "internal_error"
    assert f"{folder.resolve()}/counters/broken_offers.sql" in problem["detail"]
    assert "only reads" in problem["detail"]
    assert fingerprint(database) == before


CHAINED = {
    "commit-then-write": (
        "COMMIT; BEGIN; DELETE FROM products_product; COMMIT; SELECT 0 AS broken_offers"
    ),
    "select-then-write": "SELECT 0 AS broken_offers; DELETE FROM products_product",
}


def test_sqlite_cannot_attach_another_file(closient: Invoke, tmp_path: Path) -> None:
    database = new_sqlite_database(tmp_path / "db")
    _, target = written_world(database)
    elsewhere = tmp_path / "elsewhere.sqlite3"
    attach = f"ATTACH 'file:{elsewhere}?mode=rwc' AS elsewhere"
    folder = sql_folder_with(tmp_path / "sql", {"counters/broken_offers": attach})
    outcome = closient("stats", *_target_args(target), "--sql-dir", str(folder))
    assert outcome.status == 1, outcome.stderr
    assert "counters/broken_offers.sql tries to change" in outcome.stderr
    assert not elsewhere.exists()


@pytest.mark.parametrize("statement", CHAINED.values(), ids=CHAINED.keys())
def test_a_sql_file_that_chains_statements_is_refused(
    closient: Invoke, database: TestDatabase, tmp_path: Path, statement: str
) -> None:
    _, target = written_world(database)
    before = fingerprint(database)
    folder = sql_folder_with(tmp_path / "sql", {"counters/broken_offers": statement})
    outcome = closient("stats", *_target_args(target), "--sql-dir", str(folder))
    assert outcome.status == 1, outcome.stderr
    assert "counters/broken_offers.sql" in outcome.stderr
    assert len(outcome.stderr.splitlines()) == 1
    assert fingerprint(database) == before


@pytest.mark.postgresql
def test_a_writable_common_table_expression_is_refused(
    closient: Invoke, pg_server: PostgresServer, tmp_path: Path
) -> None:
    database = new_postgres_database(pg_server)
    _, target = written_world(database)
    before = fingerprint(database)
    folder = sql_folder_with(
        tmp_path / "sql",
        {
            "counters/broken_offers": (
                "WITH gone AS (DELETE FROM products_product RETURNING id) "
                "SELECT count(*) AS broken_offers FROM gone"
            )
        },
    )
    outcome = closient("stats", *_target_args(target), "--sql-dir", str(folder))
    assert outcome.status == 1
    assert "counters/broken_offers.sql tries to change" in outcome.stderr
    assert fingerprint(database) == before


def test_a_statement_that_returns_no_rows_is_refused(
    closient: Invoke, database: TestDatabase, tmp_path: Path
) -> None:
    # SET TRANSACTION READ WRITE would be allowed before a report's first query.
    statement = (
        "SET TRANSACTION READ WRITE"
        if database.backend == "postgresql"
        else "PRAGMA query_only = OFF"
    )
    _, target = written_world(database)
    folder = sql_folder_with(tmp_path / "sql", {"access/api_key": statement})
    outcome = closient("stats", *_target_args(target), "--sql-dir", str(folder))
    assert outcome.status == 1, outcome.stderr
    assert "access/api_key.sql must be one SELECT that returns rows" in outcome.stderr


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT count(*) AS broken_offers FROM retailers_onlineoffer "
        "WHERE organization_id = :organisation_id",
        "SELECT :limit AS broken_offers",
    ],
    ids=["misspelt", "unknown"],
)
def test_a_sql_file_with_a_wrong_bind_is_named(
    closient: Invoke, database: TestDatabase, tmp_path: Path, statement: str
) -> None:
    _, target = written_world(database)
    folder = sql_folder_with(tmp_path / "sql", {"counters/broken_offers": statement})
    outcome = closient("stats", *_target_args(target), "--sql-dir", str(folder))
    assert outcome.status == 1
    assert f"{folder.resolve()}/counters/broken_offers.sql uses binds" in outcome.stderr
    assert len(outcome.stderr.splitlines()) == 1


def test_sql_dir_replaces_only_the_files_it_holds(
    closient: Invoke, database: TestDatabase, tmp_path: Path
) -> None:
    _, target = written_world(database)
    packaged = closient("stats", *_target_args(target), "--json")
    assert packaged.status == 0, packaged.stderr
    folder = sql_folder_with(
        tmp_path / "sql", {"counters/broken_offers": "SELECT 41 AS broken_offers"}
    )
    edited = stats_with(closient, target, folder)
    expected = stats_json(packaged.stdout) | {"broken_offers": 41}
    assert edited == expected


def test_sql_dir_replaces_an_included_fragment(
    closient: Invoke, database: TestDatabase, tmp_path: Path
) -> None:
    # The operator's product_scores scores every product 100; product_counters.sql
    # still comes from the package and includes the operator's fragment.
    folder = copy_packaged_sql(tmp_path / "sql", ["completeness/product_scores"])
    fragment = folder / "completeness/product_scores.sql"
    text = fragment.read_text()
    header, _, body = text.partition("SELECT\n")
    fragment.write_text(
        f"{header}SELECT 100 AS percentage, all_scored.image_count FROM (SELECT\n{body}"
        ") AS all_scored"
    )
    result = stats_with(closient, database, folder)
    assert result["avg_completeness"] == 100
    assert result["complete_products"] == result["total_products"] == 2


def test_sql_dir_precedence_flag_environment_config(
    closient: Invoke, database: TestDatabase, tmp_path: Path
) -> None:
    _, target = written_world(database)
    folders = {
        where: sql_folder_with(
            tmp_path / where,
            {"counters/broken_offers": f"SELECT {value} AS broken_offers"},
        )
        for where, value in (("flag", 1), ("environment", 2), ("config", 3))
    }
    config = tmp_path / "config.toml"
    config.write_text('sql_dir = "config"\n')  # relative to the config file

    def broken_offers(*extra: str, env: dict[str, str]) -> int:
        outcome = closient("stats", *_target_args(target), "--json", *extra, env=env)
        assert outcome.status == 0, outcome.stderr
        return stats_json(outcome.stdout)["broken_offers"]

    env = {"CLOSIENT_CONFIG": str(config)}
    assert broken_offers(env=env) == 3
    env["CLOSIENT_SQL_DIR"] = str(folders["environment"])
    assert broken_offers(env=env) == 2
    assert broken_offers("--sql-dir", str(folders["flag"]), env=env) == 1


def test_a_missing_sql_dir_is_a_validation_error(
    closient: Invoke, database: TestDatabase, tmp_path: Path
) -> None:
    _, target = written_world(database)
    missing = tmp_path / "no-such-folder"
    outcome = closient("stats", *_target_args(target), "--sql-dir", str(missing))
    assert outcome.status == 2
    assert str(missing) in outcome.stderr
    assert len(outcome.stderr.splitlines()) == 1


def _target_args(target: Target) -> list[str]:
    return [
        target.organization,
        "--as-of",
        target.as_of,
        "--database",
        target.database_url,
        "--api-key",
        target.api_key,
    ]


def _problem(stderr: str) -> dict[str, str]:
    import json

    document: dict[str, str] = json.loads(stderr)
    return document


def test_every_query_of_a_report_runs_in_one_transaction(
    closient: Invoke, database: TestDatabase
) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    _, target = written_world(database)
    seen: list[tuple[str, int]] = []

    def record(event_name: str) -> Callable[..., None]:
        def listener(connection: Any, *_args: Any) -> None:
            seen.append((event_name, id(connection.connection.dbapi_connection)))

        return listener

    listeners = {
        name: record(name)
        for name in ("begin", "before_cursor_execute", "commit", "rollback")
    }
    for name, listener in listeners.items():
        event.listen(Engine, name, listener)
    try:
        outcome = closient("stats", *_target_args(target), "--json")
    finally:
        for name, listener in listeners.items():
            event.remove(Engine, name, listener)
    assert outcome.status == 0, outcome.stderr
    events = [name for name, _ in seen]
    connections = {connection for _, connection in seen}
    queries = events.count("before_cursor_execute")
    # One connection; begin, every statement (SQLite's BEGIN among them), one end.
    assert len(connections) == 1
    assert events[0] == "begin"
    assert events[-1] in {"commit", "rollback"}
    assert events[1:-1] == ["before_cursor_execute"] * queries
    assert queries >= 5  # the key, membership, organization, the counters
