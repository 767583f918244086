"""Every fault ends in one clear sentence, the documented exit status, no traceback.

Faults of the network and the server run against real PostgreSQL servers: the session's
for faults that leave it running, a server of this module's own for the one that stops
it in the middle of a report.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.builders import stats_json
from tests.commands import (
    BOUND,
    DATABASE_COMMANDS,
    SLOW_POSTGRESQL,
    DatabaseCommand,
    Target,
    assert_clean_failure,
    command_format_id,
    command_formats,
    session_count,
    slow_sql,
    sql_folder_with,
    subprocess_env,
    wait_until,
    written_world,
)
from tests.conftest import (
    Invoke,
    TestDatabase,
    installed_script,
    new_postgres_database,
    new_sqlite_database,
)
from tests.pgserver import PASSWORD, PostgresServer, free_port, remove, start_server


def run_script(
    args: list[str], *, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, installed_script(), *args],
        capture_output=True,
        text=True,
        timeout=BOUND * 2,
        check=False,
        env=subprocess_env(),
    )


# --- Reaching the server ------------------------------------------------------------


@pytest.mark.postgresql
@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=command_format_id)
def test_server_not_listening(
    closient: Invoke, pg_server: PostgresServer, command: DatabaseCommand
) -> None:
    world, _ = written_world(new_postgres_database(pg_server))
    port = free_port()
    url = pg_server.url("closient_reports").replace(str(pg_server.port), str(port))
    target = Target(world.org_short, url, world.key)
    outcome = closient(*command.line(target))
    assert_clean_failure(
        outcome, 5, "closient_reports", f"127.0.0.1:{port}", api_key=world.key
    )


@pytest.mark.postgresql
@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=command_format_id)
def test_wrong_database_password(
    closient: Invoke, pg_server: PostgresServer, command: DatabaseCommand
) -> None:
    database = new_postgres_database(pg_server)
    world, _ = written_world(database)
    wrong = "Wr0ng-planted-pw"
    name = database.url.rsplit("/", 1)[-1]
    target = Target(world.org_short, pg_server.url(name, password=wrong), world.key)
    outcome = closient(*command.line(target))
    assert_clean_failure(
        outcome, 5, name, f"127.0.0.1:{pg_server.port}", api_key=world.key
    )
    assert wrong not in outcome.stderr
    assert "password authentication failed" in outcome.stderr


def _can_isolate_network() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    probe = subprocess.run([unshare, "-n", "true"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(
    not _can_isolate_network(), reason="needs unshare -n (a private network)"
)
@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=command_format_id)
def test_unknown_host(tmp_path: Path, command: DatabaseCommand) -> None:
    # In a network namespace of its own the lookup fails on this machine: no query
    # for the name ever leaves it.
    world, _ = written_world(new_sqlite_database(tmp_path / "db"))
    url = f"postgresql://reader:{PASSWORD}@db.closient.invalid:5432/closient_reports"
    result = run_script(
        command.line(Target(world.org_short, url, world.key)), prefix=("unshare", "-n")
    )
    outcome_text = result.stdout + result.stderr
    assert result.returncode == 5, result.stderr
    assert result.stdout == ""
    assert "db.closient.invalid" in result.stderr
    assert "closient_reports" in result.stderr
    assert "Traceback" not in outcome_text
    assert len(result.stderr.splitlines()) == 1
    assert PASSWORD not in outcome_text
    assert world.key not in outcome_text


@pytest.fixture(scope="module")
def own_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server that tests may stop and start again."""
    from tests.conftest import _create_template

    server = start_server()
    try:
        _create_template(server)
        yield server
    finally:
        remove(server)


@pytest.mark.postgresql
def test_server_restarted_in_the_middle_of_a_report(
    own_server: PostgresServer, tmp_path: Path
) -> None:
    database = new_postgres_database(own_server)
    world, target = written_world(database)
    folder = sql_folder_with(
        tmp_path / "sql", {"counters/broken_offers": SLOW_POSTGRESQL}
    )
    args = [*DATABASE_COMMANDS[0].line(target), "--sql-dir", str(folder)]
    process = subprocess.Popen(
        [installed_script(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )
    try:
        wait_until(
            lambda: session_count(own_server, "%pg_sleep%") == 1, "the slow query"
        )
        own_server.run(
            str(own_server.bindir / "pg_ctl"), "-D", str(own_server.datadir),
            "-m", "fast", "-w", "stop",
        )  # fmt: skip
        stdout, stderr = process.communicate(timeout=BOUND)
    finally:
        process.kill()
        own_server.launch()
    assert process.returncode == 5, stderr
    assert stdout == ""
    assert "Traceback" not in stderr
    assert len(stderr.splitlines()) == 1
    assert database.url.rsplit("/", 1)[-1] in stderr
    assert PASSWORD not in stderr
    assert world.key not in stderr
    # Once the server is back, the same report runs.
    again = run_script(DATABASE_COMMANDS[0].line(target))
    assert again.returncode == 0, again.stderr


# --- Time limits, schema, interruptions ---------------------------------------------


def test_a_query_past_the_timeout(
    closient: Invoke, database: TestDatabase, tmp_path: Path
) -> None:
    world, target = written_world(database)
    folder = sql_folder_with(
        tmp_path / "sql", {"counters/broken_offers": slow_sql(database.backend)}
    )
    outcome = closient(
        *DATABASE_COMMANDS[0].line(target),
        *["--sql-dir", str(folder), "--timeout", "0.5"],
    )
    assert_clean_failure(
        outcome, 5, "ran past the time limit of 0.5 s", api_key=world.key
    )


SCHEMA_DRIFT = {
    "table": ("DROP TABLE products_productimage", "products_productimage"),
    "column": (
        "ALTER TABLE retailers_onlineoffer RENAME COLUMN url_status TO link_status",
        "url_status",
    ),
}


@pytest.mark.parametrize(
    ("change", "missing"), SCHEMA_DRIFT.values(), ids=SCHEMA_DRIFT.keys()
)
@pytest.mark.parametrize("form", [(), ("--json",)], ids=command_format_id)
def test_an_outdated_schema_says_what_is_missing(
    closient: Invoke,
    database: TestDatabase,
    change: str,
    missing: str,
    form: tuple[str, ...],
) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    world, target = written_world(database)
    engine = create_engine(database.writer_url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql(change)
    engine.dispose()
    outcome = closient(*DATABASE_COMMANDS[0].line(target), *form)
    assert_clean_failure(outcome, 1, missing, api_key=world.key)
    assert "lacks the schema closient expects" in outcome.stderr


def _sqlite_file_open(process: subprocess.Popen[str], path: Path) -> bool:
    folder = Path(f"/proc/{process.pid}/fd")
    try:
        links = [os.readlink(fd) for fd in folder.iterdir()]
    except OSError:
        return False
    return str(path.resolve()) in links


def test_ctrl_c_during_a_slow_query(
    database: TestDatabase, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    world, target = written_world(database)
    folder = sql_folder_with(
        tmp_path / "sql", {"counters/broken_offers": slow_sql(database.backend)}
    )
    process = subprocess.Popen(
        [
            installed_script(),
            *DATABASE_COMMANDS[0].line(target),
            *["--sql-dir", str(folder), "--timeout", "120"],
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )
    try:
        if database.backend == "postgresql":
            server: PostgresServer = request.getfixturevalue("pg_server")
            wait_until(
                lambda: session_count(server, "%pg_sleep%") == 1, "the slow query"
            )
        else:
            path = Path(database.url.removeprefix("sqlite:///"))
            wait_until(lambda: _sqlite_file_open(process, path), "the SQLite file")
            time.sleep(0.3)  # the slow counter runs after a few fast queries
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=BOUND)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert stdout == ""
    assert stderr == "Interrupted.\n"
    if database.backend == "postgresql":
        wait_until(lambda: session_count(server) == 0, "the session to end")
    assert world.key not in stderr


@pytest.mark.parametrize(("command", "form"), command_formats(), ids=command_format_id)
def test_a_closed_pipe_ends_quietly(
    database: TestDatabase, command: DatabaseCommand, form: tuple[str, ...]
) -> None:
    _, target = written_world(database)
    reader, writer = os.pipe()
    os.close(reader)  # like `| head -1` that already went away
    try:
        process = subprocess.run(
            [installed_script(), *command.line(target), *form],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=BOUND * 2,
            check=False,
            env=subprocess_env(),
        )
    finally:
        os.close(writer)
    assert process.returncode == 141
    assert process.stderr == ""


def test_head_reads_the_first_line(database: TestDatabase) -> None:
    _, target = written_world(database)
    command = " ".join(
        f"'{part}'" for part in [installed_script(), *DATABASE_COMMANDS[0].line(target)]
    )
    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command} | head -1"],
        capture_output=True,
        text=True,
        timeout=BOUND * 2,
        check=False,
        env=subprocess_env(),
    )
    assert result.returncode in {0, 141}
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr == ""


# --- The config file ----------------------------------------------------------------


def _config(tmp_path: Path, text: str, mode: int = 0o600) -> dict[str, str]:
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(mode)
    return {"CLOSIENT_CONFIG": str(path)}


def test_malformed_config(closient: Invoke, tmp_path: Path) -> None:
    env = _config(tmp_path, 'database_url = "sqlite:///x\n[profiles.\n')
    outcome = closient("stats", "a" * 22, env=env)
    assert_clean_failure(outcome, 2, "config.toml is not valid TOML")


def test_unknown_profile_names_it_and_the_known_ones(
    closient: Invoke, tmp_path: Path
) -> None:
    env = _config(
        tmp_path,
        '[profiles.staging]\nsql_dir = "s"\n[profiles.production]\nsql_dir = "p"\n',
    )
    outcome = closient("stats", "a" * 22, "--profile", "prod", env=env)
    assert_clean_failure(
        outcome, 2, "profile prod", "known: production, staging", api_key=None
    )
    from_env = closient("stats", "a" * 22, env={**env, "CLOSIENT_PROFILE": "qa"})
    assert_clean_failure(from_env, 2, "profile qa")


def test_unknown_profile_without_a_config_file(closient: Invoke) -> None:
    outcome = closient("stats", "a" * 22, "--profile", "prod")
    assert_clean_failure(outcome, 2, "profile prod", "none are defined")


@pytest.mark.parametrize(
    "text",
    [
        'api_key = "csu_x"\n',
        f'database_url = "postgresql://u:{quote(PASSWORD, safe="")}@h/d"\n',
        '[profiles.ci]\napi_key = "csu_x"\n',
    ],
    ids=["key", "password", "key-in-profile"],
)
def test_a_config_with_a_secret_that_others_may_read(
    closient: Invoke, tmp_path: Path, text: str
) -> None:
    env = _config(tmp_path, text, mode=0o644)
    outcome = closient("stats", "a" * 22, env=env)
    assert_clean_failure(outcome, 2, "other users may read it", "chmod 600")
    assert PASSWORD not in outcome.stderr


def test_a_config_without_secrets_may_be_shared(
    closient: Invoke, tmp_path: Path
) -> None:
    world, target = written_world(new_sqlite_database(tmp_path / "db"))
    env = _config(tmp_path, f'database_url = "{target.database_url}"\n', mode=0o644)
    outcome = closient(
        "stats", world.org_short, "--json", "--api-key", world.key, env=env
    )
    assert outcome.status == 0, outcome.stderr
    assert stats_json(outcome.stdout)["total_products"] == 2


# --- closient demo ------------------------------------------------------------------


@pytest.mark.parametrize("where", ["under-a-file", "in-proc"])
def test_demo_where_it_cannot_write(
    closient: Invoke, tmp_path: Path, where: str
) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("")
    path = blocker / "demo.sqlite3" if where == "under-a-file" else "/proc/demo.sqlite3"
    outcome = closient("demo", "--database", f"sqlite:///{path}")
    assert_clean_failure(outcome, 2, f"cannot write {path}")


def test_demo_into_a_closed_pipe(tmp_path: Path) -> None:
    reader, writer = os.pipe()
    os.close(reader)
    try:
        process = subprocess.run(
            [installed_script(), "demo", "--database", f"sqlite:///{tmp_path}/d.db"],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=BOUND * 2,
            check=False,
            env=subprocess_env(),
        )
    finally:
        os.close(writer)
    assert process.returncode == 141
    assert process.stderr == f"Created the demo database at {tmp_path}/d.db.\n"
