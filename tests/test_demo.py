"""closient demo: a deterministic catalogue, reported through the normal path."""

from __future__ import annotations

import hashlib
import shlex
from pathlib import Path

from closient_cli.settings import embedded_database_path
from tests.builders import stats_json
from tests.conftest import Invoke


def printed_command(stdout: str) -> list[str]:
    line = next(
        line for line in stdout.splitlines() if line.startswith("closient stats")
    )
    return shlex.split(line)


def test_demo_prints_stats_and_the_command_that_reproduces_them(
    closient: Invoke,
) -> None:
    first = closient("demo")
    assert first.status == 0, first.stderr
    assert "Created the demo database" in first.stderr
    command = printed_command(first.stdout)
    assert command[:2] == ["closient", "stats"]
    again = closient(*command[1:], "--json")
    assert again.status == 0, again.stderr
    counters = stats_json(again.stdout)
    assert all(value > 0 for value in counters.values()), counters
    for value in counters.values():
        assert f"{value:,}" in first.stdout
    table = closient(*command[1:])
    assert table.stdout in first.stdout


def test_demo_is_deterministic_and_says_when_it_replaces(closient: Invoke) -> None:
    first = closient("demo")
    digest = hashlib.sha256(embedded_database_path().read_bytes()).hexdigest()
    second = closient("demo")
    assert second.status == 0
    assert "Replaced the earlier demo database" in second.stderr
    assert printed_command(first.stdout) == printed_command(second.stdout)
    assert hashlib.sha256(embedded_database_path().read_bytes()).hexdigest() == digest


def test_stats_never_writes_to_the_database(closient: Invoke) -> None:
    closient("demo")
    path = embedded_database_path()
    before = (path.stat().st_mtime_ns, path.read_bytes())
    command = printed_command(closient("demo").stdout)
    before = (path.stat().st_mtime_ns, path.read_bytes())
    assert closient(*command[1:]).status == 0
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before
    leftovers = [p.name for p in path.parent.iterdir() if p != path]
    assert leftovers == []


def test_demo_into_an_explicit_sqlite_file(closient: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "nested" / "demo.sqlite3"
    outcome = closient("demo", "--database", f"sqlite:///{target}")
    assert outcome.status == 0, outcome.stderr
    assert target.is_file()
    command = printed_command(outcome.stdout)
    assert f"sqlite:///{target}" in command
    assert closient(*command[1:]).status == 0


def test_demo_refuses_postgresql(closient: Invoke) -> None:
    outcome = closient("demo", "--database", "postgresql://u@127.0.0.1:1/x")
    assert outcome.status == 2
    assert "SQLite" in outcome.stderr
