"""The command lines the guarantee tests run, and the checks every failure must pass.

Each command that reads the database is one row of ``DATABASE_COMMANDS``: a name and a
function that builds its arguments for a ``Target`` (an organization, a database, a
key, a report date). The secret, fault and hostile-input tests are parametrized over
this table, so a new command is covered by adding its row.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from closient_cli.queries import sql_root
from tests.builders import AS_OF, World
from tests.conftest import Outcome, TestDatabase
from tests.pgserver import PASSWORD, PostgresServer


@dataclass(frozen=True)
class Target:
    """What a command line is about and how it reaches the database."""

    organization: str
    database_url: str
    api_key: str
    as_of: str = AS_OF.isoformat()


@dataclass(frozen=True)
class DatabaseCommand:
    """One command that reads the database, and how to call it for a target."""

    name: str
    arguments: Callable[[Target], list[str]]
    formats: tuple[tuple[str, ...], ...] = ((), ("--json",))
    # The SQL file the command always runs, which the tests replace to make faults.
    probe: str = "access/api_key"
    takes_organization: bool = True
    takes_date: bool = True

    def line(self, target: Target, *extra: str) -> list[str]:
        """The full command line: arguments, database, key, then ``extra``."""
        return [
            *self.arguments(target),
            "--database",
            target.database_url,
            "--api-key",
            target.api_key,
            *extra,
        ]


LIST_FORMATS = ((), ("--format", "csv"))


def _triage_line(name: str) -> Callable[[Target], list[str]]:
    def line(target: Target) -> list[str]:
        return ["triage", name, target.organization, "--as-of", target.as_of]

    return line


DATABASE_COMMANDS = (
    DatabaseCommand(
        "stats",
        lambda target: ["stats", target.organization, "--as-of", target.as_of],
        formats=(
            (),
            ("--json",),
            ("--format", "jsonl"),
            ("--format", "csv"),
            ("--format", "prometheus"),
        ),
        probe="counters/broken_offers",
    ),
    DatabaseCommand(
        "stats-all",
        lambda target: ["stats", "--all", "--as-of", target.as_of],
        formats=((), ("--format", "jsonl")),
        probe="counters/broken_offers",
        takes_organization=False,
    ),
    DatabaseCommand(
        "completeness",
        # The first product of tests.commands.written_world.
        lambda target: [
            "completeness",
            target.organization,
            "00000000000001",
            "--as-of",
            target.as_of,
        ],
        probe="triage/product_breakdown",
    ),
    *(
        DatabaseCommand(
            f"triage-{name}",
            _triage_line(name),
            formats=LIST_FORMATS,
            probe=f"triage/{name.replace('-', '_')}",
        )
        for name in (
            "broken-offers",
            "expiring-certifications",
            "missing-images",
            "incomplete-products",
        )
    ),
    DatabaseCommand(
        "whoami",
        lambda target: ["whoami"],
        formats=((),),
        takes_organization=False,
        takes_date=False,
    ),
    DatabaseCommand(
        "orgs",
        lambda target: ["orgs"],
        formats=(("--json",),),
        takes_organization=False,
        takes_date=False,
    ),
)


# The commands the property-based tests fuzz: one of each kind of argument list.
FUZZED_COMMANDS = tuple(
    command
    for command in DATABASE_COMMANDS
    if command.name in {"stats", "completeness", "triage-incomplete-products"}
)


def command_formats() -> list[tuple[DatabaseCommand, tuple[str, ...]]]:
    """Every command in every output format it has (pytest parameters)."""
    return [
        (command, form) for command in DATABASE_COMMANDS for form in command.formats
    ]


def command_format_id(value: object) -> str:
    if isinstance(value, DatabaseCommand):
        return value.name
    if isinstance(value, tuple):
        return "-".join(part.lstrip("-") for part in value) or "table"
    return str(value)


def planted_secrets(api_key: str) -> list[str]:
    """The planted key and password in every spelling they could leak in."""
    forms = {api_key, PASSWORD, unquote(PASSWORD), quote(PASSWORD, safe="")}
    return sorted(forms)


def assert_no_secrets(outcome: Outcome, api_key: str) -> None:
    for secret in planted_secrets(api_key):
        assert secret not in outcome.stdout, f"{secret!r} leaked to stdout"
        assert secret not in outcome.stderr, f"{secret!r} leaked to stderr"


def assert_clean_failure(
    outcome: Outcome, status: int, *mentions: str, api_key: str | None = None
) -> None:
    """One sentence on stderr, nothing on stdout, the status, no traceback."""
    assert outcome.status == status, outcome.stderr
    assert outcome.stdout == ""
    assert "Traceback" not in outcome.stderr
    assert "Exception ignored" not in outcome.stderr
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1, outcome.stderr
    for mention in mentions:
        assert mention in outcome.stderr
    if api_key is not None:
        assert_no_secrets(outcome, api_key)


_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def assert_inert(text: str) -> None:
    """No terminal control sequence or bidi override survives into ``text``."""
    found = _CONTROL.search(text)
    assert found is None, f"control character {found.group()!r} in output"


def sql_folder_with(folder: Path, files: dict[str, str]) -> Path:
    """A folder of operator SQL files: ``files`` maps names like counters/x to SQL."""
    for name, sql in files.items():
        path = folder / f"{name}.sql"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql, encoding="utf-8")
    return folder


def copy_packaged_sql(folder: Path, names: Sequence[str]) -> Path:
    """Copies of packaged SQL files, as an operator starts editing them."""
    for name in names:
        target = folder / f"{name}.sql"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sql_root() / f"{name}.sql", target)
    return folder


def written_world(database: TestDatabase) -> tuple[World, Target]:
    """A small catalogue written to ``database``, and the member's target."""
    world = World()
    world.complete_product()
    product = world.product(product_name="Half")
    world.online_offer(product, url_status="broken")
    database.write(world.catalogue)
    return world, Target(world.org_short, database.url, world.key)


def fingerprint(database: TestDatabase) -> dict[str, list[str]]:
    """Every table of ``database`` and its rows, to show that nothing changed."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    listing = (
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        if database.backend == "sqlite"
        else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    )
    engine = create_engine(database.writer_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            tables = sorted(connection.execute(text(listing)).scalars())
            return {
                table: sorted(
                    repr(tuple(row))
                    for row in connection.execute(text(f'SELECT * FROM "{table}"'))
                )
                for table in tables
            }
    finally:
        engine.dispose()


SLOW_POSTGRESQL = "SELECT 0 AS broken_offers FROM pg_sleep(60)"
# Counts to a billion: minutes of work, cut short by --timeout or a signal.
SLOW_SQLITE = (
    "WITH RECURSIVE steps(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM steps "
    "WHERE n < 1000000000) SELECT count(*) - count(*) AS broken_offers FROM steps"
)
BOUND = 30.0  # seconds any wait for a process or a server may take at most


def slow_sql(backend: str) -> str:
    return SLOW_POSTGRESQL if backend == "postgresql" else SLOW_SQLITE


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` for at most BOUND seconds."""
    deadline = time.monotonic() + BOUND
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


def subprocess_env() -> dict[str, str]:
    return dict(os.environ)


def session_count(server: PostgresServer, query_like: str = "%") -> int:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(server.driver_url("postgres"), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            count: int = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE application_name = 'closient' AND query LIKE :like"
                ),
                {"like": query_like},
            ).scalar_one()
            return count
    finally:
        engine.dispose()
