"""The installed console script, run as a real process."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema

from tests.builders import AS_OF, World
from tests.conftest import TestDatabase, installed_script

SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "dashboard-stats-out.schema.json").read_text()
)
COLOUR = re.compile(r"\x1b\[[0-9;]*(3[0-9]|9[0-7]|38;)")


def run(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [installed_script(), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def stats_args(world: World, database: TestDatabase, *extra: str) -> list[str]:
    return [
        "stats",
        world.org_short,
        "--as-of",
        AS_OF.isoformat(),
        "--database",
        database.url,
        "--api-key",
        world.key,
        *extra,
    ]


def test_json_validates_against_the_contract_schema(database: TestDatabase) -> None:
    world = World()
    world.complete_product()
    database.write(world.catalogue)
    result = run(*stats_args(world, database, "--json"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1
    document: dict[str, Any] = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    assert list(document) == list(SCHEMA["properties"])


def test_exit_statuses_of_a_real_process(database: TestDatabase) -> None:
    world = World()
    database.write(world.catalogue)
    assert run(*stats_args(world, database)).returncode == 0
    assert run("stats", "nope").returncode == 2
    assert run("stats", world.org_short, "--api-key", "csu_x").returncode == 3
    unknown_org = "2" * 22
    assert (
        run(
            *stats_args(world, database)[:1],
            unknown_org,
            *stats_args(world, database)[2:],
        ).returncode
        == 4
    )
    down = run(
        "stats",
        world.org_short,
        "--api-key",
        world.key,
        "--database",
        "postgresql://u@127.0.0.1:1/x",
    )
    assert down.returncode == 5
    assert down.stdout == ""
    assert "Traceback" not in down.stderr


def test_table_without_a_terminal_has_no_escape_codes(database: TestDatabase) -> None:
    world = World()
    database.write(world.catalogue)
    result = run(*stats_args(world, database))
    assert result.returncode == 0
    assert "\x1b" not in result.stdout
    assert "Acme [bold]Foods[/]" in result.stdout  # markup in a name is shown as text
    assert "Products without images" in result.stdout


def test_no_color_removes_colour_even_when_forced(database: TestDatabase) -> None:
    world = World()
    database.write(world.catalogue)
    forced = run(*stats_args(world, database), env={"FORCE_COLOR": "1"})
    assert COLOUR.search(forced.stdout), "the table should be coloured on a terminal"
    plain = run(*stats_args(world, database), env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert plain.returncode == 0
    assert not COLOUR.search(plain.stdout)
    flag = run(*stats_args(world, database, "--no-color"), env={"FORCE_COLOR": "1"})
    assert not COLOUR.search(flag.stdout)


def test_version_and_help() -> None:
    from closient_cli import __version__

    version = run("--version")
    assert (version.returncode, version.stdout) == (0, f"closient {__version__}\n")
    helped = run("stats", "--help")
    assert helped.returncode == 0
    assert "--as-of" in helped.stdout
    assert "--api-key" in helped.stdout


def test_module_entry_point_matches_the_script() -> None:
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "closient_cli", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("closient ")


def test_no_command_shows_the_help_on_stderr() -> None:
    for args in ([], ["triage"]):
        result = run(*args)
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.startswith("Usage: closient")
        assert "\\u000a" not in result.stderr
        assert "Commands:" in result.stderr
