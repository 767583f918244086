"""Hostile input: any argument, option value or config file ends in a documented status.

Property-based tests generate organization ids, keys, dates, GTIN-like strings, option
values and config files; SQL injection attempts go into every argument; database text
full of markup and terminal control sequences is printed. Nothing may end in a
traceback, an unexpected error or a change to the database. SQLite gets the full
example budget; PostgreSQL a smaller one.
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from closient_cli.apikeys import checksum
from closient_cli.ids import SHORTUUID_ALPHABET
from closient_cli.render import visible
from tests.commands import (
    DATABASE_COMMANDS,
    FUZZED_COMMANDS,
    DatabaseCommand,
    Target,
    assert_inert,
    command_format_id,
    fingerprint,
    written_world,
)
from tests.conftest import Invoke, Outcome, TestDatabase

DOCUMENTED = {0, 1, 2, 3, 4, 5}
INJECTIONS = (
    "' OR '1'='1",
    "'; DROP TABLE products_product; --",
    "1); DELETE FROM organization_organization; --",
    "x' UNION SELECT key_hash, key_hash FROM accounts_apikey --",
    "\\'; UPDATE accounts_apikey SET is_active = true; --",
    ":organization_id",
    "%(organization_id)s",
    "?; DELETE FROM products_product",
    "2026-03-31' OR 1=1 --",
    "$$; DROP TABLE accounts_user; $$",
)


def examples(database: TestDatabase, full: int = 60) -> int:
    return full if database.backend == "sqlite" else max(10, full // 4)


def _settings(database: TestDatabase, full: int = 60) -> settings:
    return settings(
        max_examples=examples(database, full),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
    )


def assert_documented(outcome: Outcome) -> None:
    """A documented status, no traceback, and never closient's unexpected error."""
    assert outcome.status in DOCUMENTED, outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert "failed unexpectedly" not in outcome.stderr, outcome.stderr
    if outcome.status == 0:
        assert outcome.stdout
    else:
        assert outcome.stdout == ""
        assert len(outcome.stderr.splitlines()) == 1, outcome.stderr


# --- Strategies ---------------------------------------------------------------------

short_uuids = st.text(alphabet=SHORTUUID_ALPHABET, min_size=22, max_size=22)
gtin_like = st.from_regex(r"\A[0-9 -]{8,16}\Z")
injections = st.sampled_from(INJECTIONS)
any_text = st.text(max_size=60)
organization_ids = st.one_of(
    any_text, short_uuids, st.uuids().map(str), gtin_like, injections
)
well_formed_keys = st.tuples(
    st.sampled_from(["csb", "csu", "cpk"]),
    st.text(alphabet=string.ascii_letters + string.digits, min_size=32, max_size=32),
).map(lambda parts: f"{parts[0]}_{parts[1]}_{checksum(parts[1])}")
api_keys = st.one_of(any_text, well_formed_keys, injections, gtin_like)
dates = st.one_of(
    st.dates().map(lambda day: day.isoformat()), any_text, injections, gtin_like
)
# Never a URL that names a server: hostile text must not reach the network.
database_urls = st.one_of(
    any_text.filter(lambda text: "://" not in text),
    any_text.map(lambda text: "sqlite:///" + text.replace("://", "")),
    injections,
)


# --- Arguments ----------------------------------------------------------------------


def _run(
    closient: Invoke, command: DatabaseCommand, target: Target, *extra: str
) -> Outcome:
    return closient(*command.line(target), *extra)


@pytest.mark.parametrize("command", FUZZED_COMMANDS, ids=command_format_id)
def test_hostile_organization_ids_keys_and_dates(
    closient: Invoke, database: TestDatabase, command: DatabaseCommand
) -> None:
    world, target = written_world(database)
    before = fingerprint(database)

    @_settings(database)
    @given(
        organization=st.one_of(st.just(world.org_short), organization_ids),
        key=st.one_of(st.just(world.key), api_keys),
        as_of=dates,
    )
    def check(organization: str, key: str, as_of: str) -> None:
        outcome = _run(
            closient, command, Target(organization, target.database_url, key, as_of)
        )
        assert_documented(outcome)

    check()
    assert fingerprint(database) == before


OPTIONS: dict[str, Callable[[Path], st.SearchStrategy[list[str]]]] = {
    "timeout": lambda _: st.one_of(any_text, injections, st.floats().map(str)).map(
        lambda value: ["--timeout", value]
    ),
    "database": lambda _: database_urls.map(lambda value: ["--database", value]),
    "sql-dir": lambda tmp: st.one_of(any_text, injections).map(
        lambda value: ["--sql-dir", str(tmp / value)]
    ),
    "profile": lambda _: st.one_of(any_text, injections).map(
        lambda value: ["--profile", value]
    ),
    "unknown-option": lambda _: st.one_of(any_text, injections).map(
        lambda value: [f"--{value}", value]
    ),
}


@pytest.mark.parametrize("option", OPTIONS.values(), ids=OPTIONS.keys())
@pytest.mark.parametrize("command", FUZZED_COMMANDS, ids=command_format_id)
def test_hostile_option_values(
    closient: Invoke,
    database: TestDatabase,
    tmp_path: Path,
    command: DatabaseCommand,
    option: Callable[[Path], st.SearchStrategy[list[str]]],
) -> None:
    _, target = written_world(database)
    before = fingerprint(database)

    @_settings(database, full=40)
    @given(extra=option(tmp_path))
    def check(extra: list[str]) -> None:
        assert_documented(_run(closient, command, target, *extra))

    check()
    assert fingerprint(database) == before


@pytest.mark.parametrize("value", ["inf", "1e308", "nan", "-1", "0", "86400.5"])
def test_timeouts_out_of_range_are_refused(
    closient: Invoke, database: TestDatabase, value: str
) -> None:
    _, target = written_world(database)
    outcome = _run(closient, DATABASE_COMMANDS[0], target, "--timeout", value)
    assert_documented(outcome)
    assert outcome.status == 2
    assert "--timeout" in outcome.stderr


@pytest.mark.parametrize("payload", INJECTIONS)
@pytest.mark.parametrize("command", FUZZED_COMMANDS, ids=command_format_id)
def test_sql_injection_in_every_argument_has_no_effect(
    closient: Invoke, database: TestDatabase, command: DatabaseCommand, payload: str
) -> None:
    world, target = written_world(database)
    before = fingerprint(database)
    expected = {
        "organization": 2,  # not an id
        "api_key": 3,  # not a key
        "as_of": 2,  # not a date
    }
    for field, status in expected.items():
        values = {"organization": target.organization, "api_key": world.key}
        values |= {"as_of": target.as_of, field: payload}
        attempt = Target(
            values["organization"],
            target.database_url,
            values["api_key"],
            values["as_of"],
        )
        outcome = _run(closient, command, attempt)
        assert_documented(outcome)
        assert outcome.status == status, (field, outcome.stderr)
    for flag, status in (("--profile", 2), ("--sql-dir", 2)):
        outcome = _run(closient, command, target, flag, payload)
        assert outcome.status == status, (flag, outcome.stderr)
    assert fingerprint(database) == before
    # And the honest request still answers.
    assert _run(closient, command, target).status == 0


# --- Config files -------------------------------------------------------------------

toml_values = st.one_of(
    any_text,
    injections,
    st.integers(),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
)
config_keys = st.one_of(
    st.sampled_from(["database_url", "api_key", "sql_dir", "profiles"]), any_text
)


def _toml_line(key: str, value: object) -> str:
    rendered = json.dumps(value) if not isinstance(value, bool) else str(value).lower()
    return f"{json.dumps(key)} = {rendered}"


def _safe_value(key: str, value: object) -> object:
    if key == "database_url" and isinstance(value, str) and "://" in value:
        return "sqlite:///" + value.replace("://", "")
    return value


config_files = st.one_of(
    any_text,
    st.lists(st.tuples(config_keys, toml_values), max_size=4).map(
        lambda pairs: "\n".join(
            _toml_line(key, _safe_value(key, value)) for key, value in pairs
        )
    ),
    st.tuples(any_text, st.lists(st.tuples(config_keys, toml_values), max_size=3)).map(
        lambda parts: (
            f"[profiles.{json.dumps(parts[0])}]\n"
            + "\n".join(
                _toml_line(key, _safe_value(key, value)) for key, value in parts[1]
            )
        )
    ),
)


def test_hostile_config_files(
    closient: Invoke,
    database: TestDatabase,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, target = written_world(database)
    config = tmp_path / "config.toml"
    monkeypatch.setenv("CLOSIENT_CONFIG", str(config))
    line = DATABASE_COMMANDS[0].line(target)
    before = fingerprint(database)

    @_settings(database)
    @given(text=config_files, mode=st.sampled_from([0o600, 0o644]))
    def check(text: str, mode: int) -> None:
        config.write_text(text, encoding="utf-8", errors="surrogatepass")
        config.chmod(mode)
        assert_documented(closient(*line))
        assert_documented(closient(*line, "--profile", "p"))

    check()
    assert fingerprint(database) == before


# --- Database text ------------------------------------------------------------------

HOSTILE_NAMES = (
    "[bold red]Acme[/]",
    "[link=https://evil.example]click[/link]",
    "\x1b[2J\x1b[31mcleared",
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "\x1b]0;new window title\x07",
    "\u202eevil\u202c name",
    "tab\tand\rreturn\bback",
    ":warning: [/]",
)


def _rename(database: TestDatabase, organization: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    from closient_cli.ids import parse_uuid

    engine = create_engine(database.writer_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE organization_organization SET name = :name WHERE id = :id"),
            {"name": name, "id": str(parse_uuid(organization))},
        )
    engine.dispose()


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_markup_and_control_sequences_in_database_text_are_inert(
    closient: Invoke, database: TestDatabase, name: str
) -> None:
    _, target = written_world(database)
    _rename(database, target.organization, name)
    outcome = closient(*DATABASE_COMMANDS[0].line(target))
    assert outcome.status == 0, outcome.stderr
    assert_inert(outcome.stdout)
    # Rich may wrap a long title: compare without the line breaks it adds.
    assert "".join(visible(name).split()) in "".join(outcome.stdout.split())


def test_any_organization_name_prints_inert(
    closient: Invoke, database: TestDatabase
) -> None:
    _, target = written_world(database)

    @_settings(database, full=50)
    @given(
        name=st.text(
            alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40
        ).filter(lambda text: "\x00" not in text)
    )
    def check(name: str) -> None:
        _rename(database, target.organization, name)
        outcome = closient(*DATABASE_COMMANDS[0].line(target))
        assert outcome.status == 0, outcome.stderr
        assert_inert(outcome.stdout)

    check()


def test_hostile_demo_locations(closient: Invoke, tmp_path: Path) -> None:
    # Names without "/" keep every file the demo may create inside tmp_path.
    names = any_text.filter(lambda text: "/" not in text)

    @settings(max_examples=25, deadline=None, database=None)
    @given(
        location=st.one_of(
            names, injections, names.map(lambda text: f"sqlite:///{tmp_path}/{text}")
        )
    )
    @example(location=f"sqlite:///{tmp_path}/nul\x00byte.sqlite3")
    def check(location: str) -> None:
        outcome = closient("demo", "--database", location)
        # The demo reports progress on stderr before it can fail: no one-line rule.
        assert outcome.status in DOCUMENTED, outcome.stderr
        assert "Traceback" not in outcome.stderr
        assert "failed unexpectedly" not in outcome.stderr, outcome.stderr

    check()


def test_demo_file_names_with_url_characters(closient: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "what?#%41.sqlite3"
    outcome = closient("demo", "--database", f"sqlite:///{path}")
    assert outcome.status == 0, outcome.stderr
    assert path.is_file()
