"""A planted API key and database password never reach stdout or stderr.

Every command of the table runs in every output format, plain, with ``--verbose`` and
with ``--debug``, through success and every failure the tool can meet, including an
unexpected error whose ``--debug`` traceback quotes the secrets themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest

from closient_cli.apikeys import generate_key
from closient_cli.ids import short_id
from tests.commands import (
    DatabaseCommand,
    Target,
    assert_no_secrets,
    command_format_id,
    command_formats,
    slow_sql,
    sql_folder_with,
    written_world,
)
from tests.conftest import Invoke, TestDatabase
from tests.pgserver import PASSWORD, free_port


@dataclass(frozen=True)
class Scenario:
    """How to turn a working target into one outcome, and the status it must give."""

    status: int
    change: Callable[[Target, TestDatabase, Path, str], tuple[Target, list[str]]]
    # What the command must take for the scenario to fail it: "organization", "date".
    needs: str = ""

    def status_for(self, command: DatabaseCommand) -> int:
        """The status ``command`` must give: 0 when it never reads what was spoiled."""
        takes = {
            "organization": command.takes_organization,
            "date": command.takes_date,
        }
        return self.status if takes.get(self.needs, True) else 0


def _unchanged(
    target: Target, _db: TestDatabase, _tmp: Path, _probe: str
) -> tuple[Target, list[str]]:
    return target, []


def _unknown_key(
    target: Target, _db: TestDatabase, _tmp: Path, _probe: str
) -> tuple[Target, list[str]]:
    return Target(target.organization, target.database_url, generate_key("csb")), []


def _other_org(
    target: Target, _db: TestDatabase, _tmp: Path, _probe: str
) -> tuple[Target, list[str]]:
    return Target(short_id("0" * 32), target.database_url, target.api_key), []


def _bad_date(
    target: Target, _db: TestDatabase, _tmp: Path, _probe: str
) -> tuple[Target, list[str]]:
    return Target(target.organization, target.database_url, target.api_key, "31/03"), []


def _no_server(
    target: Target, db: TestDatabase, _tmp: Path, _probe: str
) -> tuple[Target, list[str]]:
    from sqlalchemy import make_url

    if db.backend == "sqlite":
        url = f"{target.database_url}-missing"
    else:
        moved = make_url(target.database_url).set(port=free_port())
        url = moved.render_as_string(hide_password=False)
    return Target(target.organization, url, target.api_key), []


def _sql(
    text: str,
) -> Callable[[Target, TestDatabase, Path, str], tuple[Target, list[str]]]:
    def change(
        target: Target, db: TestDatabase, tmp: Path, probe: str
    ) -> tuple[Target, list[str]]:
        # The password is closient's secret only where closient was given it.
        password = (
            f"{unquote(PASSWORD)} {PASSWORD}" if db.backend == "postgresql" else ""
        )
        sql = (
            text.replace("{slow}", slow_sql(db.backend))
            .replace("{key}", target.api_key)
            .replace("{password}", password)
        )
        folder = sql_folder_with(tmp / "sql", {probe: sql})
        return target, ["--sql-dir", str(folder), "--timeout", "1"]

    return change


SCENARIOS = {
    "success": Scenario(0, _unchanged),
    "unknown-key": Scenario(3, _unknown_key),
    "not-found": Scenario(4, _other_org, needs="organization"),
    "bad-date": Scenario(2, _bad_date, needs="date"),
    "unreachable": Scenario(5, _no_server),
    "timeout": Scenario(5, _sql("{slow}")),
    "schema": Scenario(
        1, _sql("SELECT no_such_column AS broken_offers FROM products_product")
    ),
    "write": Scenario(1, _sql("DELETE FROM products_product")),
    # int() of this text fails: an unexpected error whose message quotes both secrets.
    "unexpected": Scenario(1, _sql("SELECT '{password} {key}' AS broken_offers")),
}


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
@pytest.mark.parametrize(("command", "form"), command_formats(), ids=command_format_id)
def test_planted_secrets_never_appear(
    closient: Invoke,
    database: TestDatabase,
    tmp_path: Path,
    scenario: Scenario,
    command: DatabaseCommand,
    form: tuple[str, ...],
) -> None:
    _, working = written_world(database)
    target, extra = scenario.change(working, database, tmp_path, command.probe)
    for detail in ((), ("--verbose",), ("--debug",)):
        outcome = closient(*command.line(target), *form, *extra, *detail)
        assert outcome.status == scenario.status_for(command), outcome.stderr
        assert_no_secrets(outcome, target.api_key)
        assert_no_secrets(outcome, working.api_key)
        if "--debug" in detail and scenario is SCENARIOS["unexpected"]:
            assert "Traceback" in outcome.stderr
            if command.probe.startswith("counters/"):
                # int() of the planted text failed: the message quoted the secrets.
                assert "***" in outcome.stderr


@pytest.mark.parametrize(("command", "form"), command_formats(), ids=command_format_id)
def test_secrets_from_the_environment_and_config_are_masked_too(
    closient: Invoke,
    database: TestDatabase,
    tmp_path: Path,
    command: DatabaseCommand,
    form: tuple[str, ...],
) -> None:
    _, target = written_world(database)
    _, extra = SCENARIOS["unexpected"].change(target, database, tmp_path, command.probe)
    line = command.line(target)
    for flag in ("--database", "--api-key"):
        del line[line.index(flag) : line.index(flag) + 2]
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.ops]\napi_key = "{target.api_key}"\n')
    config.chmod(0o600)
    env = {"CLOSIENT_DATABASE_URL": target.database_url, "CLOSIENT_CONFIG": str(config)}
    outcome = closient(*line, *form, *extra, "--debug", "--profile", "ops", env=env)
    assert outcome.status == 1
    assert "Traceback" in outcome.stderr
    assert_no_secrets(outcome, target.api_key)


@pytest.mark.parametrize("debug", [(), ("--debug",)], ids=["plain", "debug"])
def test_demo_prints_no_planted_secret(
    closient: Invoke, pg_url_or_none: str | None, tmp_path: Path, debug: tuple[str, ...]
) -> None:
    planted = generate_key("csu")
    env = {"CLOSIENT_API_KEY": planted}
    if pg_url_or_none:
        env["CLOSIENT_DATABASE_URL"] = pg_url_or_none
    outcome = closient(
        "demo", "--database", f"sqlite:///{tmp_path / 'demo.sqlite3'}", *debug, env=env
    )
    assert outcome.status == 0, outcome.stderr
    assert_no_secrets(outcome, planted)


@pytest.fixture
def pg_url_or_none(request: pytest.FixtureRequest) -> str | None:
    """The session server's URL (with the planted password) when PostgreSQL runs."""
    try:
        server = request.getfixturevalue("pg_server")
    except pytest.skip.Exception:
        return None
    return str(server.url("postgres"))
