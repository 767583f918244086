"""Shared fixtures: an isolated environment, both engines, and closient itself."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Protocol

import pytest

from closient_cli.catalogue import Catalogue, schema_statements, write
from tests.pgserver import PostgresServer, ServerMissing, remove, start_server

TEMPLATE = "closient_template"
_database_numbers = count(1)


def postgres_required() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("CLOSIENT_REQUIRE_POSTGRES"))


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user config, data, CLOSIENT_* or PG* variable leaks into a test."""
    for name in list(os.environ):
        if name.startswith(("CLOSIENT_", "PG")) or name in {"NO_COLOR", "FORCE_COLOR"}:
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("COLUMNS", "120")
    return home


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session, with a template database of the schema."""
    try:
        server = start_server()
    except ServerMissing as missing:
        if postgres_required():
            pytest.fail(f"PostgreSQL is required here but missing: {missing}")
        pytest.skip(f"PostgreSQL server binaries not found: {missing}")
    try:
        _create_template(server)
        yield server
    finally:
        remove(server)


def _create_template(server: PostgresServer) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    admin = create_engine(
        server.driver_url("postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {TEMPLATE}")
    admin.dispose()
    engine = create_engine(server.driver_url(TEMPLATE), poolclass=NullPool)
    with engine.begin() as connection:
        for statement in schema_statements("postgresql"):
            connection.exec_driver_sql(statement)
    engine.dispose()


@dataclass
class TestDatabase:
    """A fresh database built from sql/schema, and how closient and tests reach it."""

    __test__ = False

    backend: str
    url: str
    writer_url: str

    def write(self, catalogue: Catalogue) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        engine = create_engine(self.writer_url, poolclass=NullPool)
        with engine.begin() as connection:
            write(connection, catalogue)
        engine.dispose()


def new_postgres_database(server: PostgresServer) -> TestDatabase:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    name = f"closient_test_{os.getpid()}_{next(_database_numbers)}"
    admin = create_engine(
        server.driver_url("postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    admin.dispose()
    return TestDatabase("postgresql", server.url(name), server.driver_url(name))


def new_sqlite_database(folder: Path) -> TestDatabase:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"closient-{next(_database_numbers)}.sqlite3"
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    with engine.begin() as connection:
        for statement in schema_statements("sqlite"):
            connection.exec_driver_sql(statement)
    engine.dispose()
    return TestDatabase("sqlite", f"sqlite:///{path}", f"sqlite:///{path}")


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
]


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> TestDatabase:
    """A fresh empty database on each engine in turn."""
    if request.param == "postgresql":
        server: PostgresServer = request.getfixturevalue("pg_server")
        return new_postgres_database(server)
    return new_sqlite_database(tmp_path / "db")


@dataclass(frozen=True)
class Outcome:
    """What one closient command did."""

    status: int
    stdout: str
    stderr: str


class Invoke(Protocol):
    def __call__(self, *args: str, env: Mapping[str, str] | None = None) -> Outcome: ...


@pytest.fixture
def closient(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Invoke:
    """Run closient in this process, as the console script does; returns an Outcome."""
    from closient_cli.__main__ import run

    def invoke(*args: str, env: Mapping[str, str] | None = None) -> Outcome:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        status = run(list(args))
        captured = capsys.readouterr()
        return Outcome(status, captured.out, captured.err)

    return invoke


def installed_script() -> str:
    """The installed ``closient`` console script, beside this Python or on PATH."""
    beside = Path(sys.executable).parent / "closient"
    found = str(beside) if beside.exists() else shutil.which("closient")
    if found is None:
        pytest.fail("the closient console script is not installed (pip install .)")
    return found
