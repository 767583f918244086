"""closient stats when things go wrong: atomic --output, time limits, retries."""

from __future__ import annotations

import json
import os
import pty
import random
import subprocess
from pathlib import Path

import pytest

from closient_cli.apikeys import generate_key
from closient_cli.catalogue import schema_statements
from closient_cli.database import RETRY_MAX_DELAY, retry_delay
from closient_cli.ids import short_id
from tests.conftest import (
    Invoke,
    Outcome,
    TestDatabase,
    installed_script,
    new_postgres_database,
)
from tests.fleet_world import AS_OF, Fleet
from tests.pgserver import (
    PASSWORD,
    PostgresServer,
    free_port,
    remove,
    start_server,
)

OLD_REPORT = '{"previous": "report"}\n'
# Right shape and checksum, so it is refused only by a database that knows no such key.
WELL_FORMED_KEY = generate_key("csu", random.Random(5))


@pytest.fixture
def fleet(database: TestDatabase) -> Fleet:
    world = Fleet()
    database.write(world.catalogue)
    return world


def stats_to_file(
    closient: Invoke, url: str, key: str, target: Path, *args: str
) -> Outcome:
    return closient(
        "stats",
        "--all",
        "--format",
        "jsonl",
        "--output",
        str(target),
        "--as-of",
        AS_OF.isoformat(),
        "--database",
        url,
        "--api-key",
        key,
        "--retries",
        "0",
        *args,
    )


def test_output_file_holds_the_report_and_nothing_goes_to_stdout(
    closient: Invoke, database: TestDatabase, fleet: Fleet, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "stats.jsonl"
    target.parent.mkdir()
    target.write_text(OLD_REPORT)
    outcome = stats_to_file(closient, database.url, fleet.user_key, target)
    assert (outcome.status, outcome.stdout, outcome.stderr) == (0, "", "")
    records = [json.loads(line) for line in target.read_text().splitlines()]
    assert [record["organization_id"] for record in records] == [
        short_id(org) for org in sorted(fleet.readable, key=fleet.name)
    ]
    assert os.listdir(target.parent) == ["stats.jsonl"]


def test_new_output_file_is_readable_as_the_umask_allows(
    closient: Invoke, database: TestDatabase, fleet: Fleet, tmp_path: Path
) -> None:
    target = tmp_path / "stats.jsonl"
    previous = os.umask(0o022)
    try:
        outcome = stats_to_file(closient, database.url, fleet.user_key, target)
    finally:
        os.umask(previous)
    assert outcome.status == 0, outcome.stderr
    assert target.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("failure", ["bad-key", "unreachable"])
def test_a_failed_run_leaves_the_previous_file_alone(
    closient: Invoke, database: TestDatabase, fleet: Fleet, tmp_path: Path, failure: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "stats.jsonl"
    target.write_text(OLD_REPORT)
    if failure == "bad-key":
        url, key, status = database.url, fleet.stranger_key[:-1] + "0", 3
    elif database.backend == "sqlite":
        url, key, status = f"sqlite:///{tmp_path / 'gone.sqlite3'}", fleet.user_key, 5
    else:
        url = f"postgresql://closient@127.0.0.1:{free_port()}/closient"
        key, status = fleet.user_key, 5
    outcome = stats_to_file(closient, url, key, target)
    assert outcome.status == status
    assert outcome.stdout == ""
    assert len(outcome.stderr.splitlines()) == 1
    assert target.read_text() == OLD_REPORT
    assert os.listdir(folder) == ["stats.jsonl"]


@pytest.mark.parametrize("problem", ["missing-folder", "folder"])
def test_unusable_output_is_refused_before_the_database(
    closient: Invoke, tmp_path: Path, problem: str
) -> None:
    target = tmp_path / "nowhere" / "stats.prom"
    if problem == "folder":
        target = tmp_path
    # A database that cannot be reached: reaching it would fail with status 5.
    unreachable = f"postgresql://closient@127.0.0.1:{free_port()}/closient"
    outcome = stats_to_file(closient, unreachable, WELL_FORMED_KEY, target)
    assert outcome.status == 2
    assert "--output" in outcome.stderr
    assert len(outcome.stderr.splitlines()) == 1
    assert not (tmp_path / "nowhere").exists()


def test_retry_delays_grow_with_jitter_up_to_a_bound() -> None:
    delays = [retry_delay(attempt) for attempt in range(1, 11) for _ in range(20)]
    assert all(0 < delay <= RETRY_MAX_DELAY for delay in delays)
    first = {retry_delay(1) for _ in range(20)}
    assert len(first) > 1
    assert max(first) <= min(retry_delay(5) for _ in range(20))


def test_progress_bar_appears_only_when_stderr_is_a_terminal(
    database: TestDatabase, fleet: Fleet
) -> None:
    leader, follower = pty.openpty()
    command = [
        installed_script(),
        "stats",
        "--all",
        "--format",
        "jsonl",
        "--as-of",
        AS_OF.isoformat(),
        "--database",
        database.url,
        "--api-key",
        fleet.user_key,
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=follower,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    os.close(follower)
    terminal = _read_until_closed(leader)
    stdout, _ = process.communicate(timeout=60)
    assert process.returncode == 0, terminal
    assert "Reading organizations" in terminal.decode()
    assert len([json.loads(line) for line in stdout.splitlines()]) == 2


def _read_until_closed(descriptor: int) -> bytes:
    chunks = []
    try:
        while chunk := os.read(descriptor, 4096):
            chunks.append(chunk)
    except OSError:  # Linux reports EIO once the other end is closed
        pass
    finally:
        os.close(descriptor)
    return b"".join(chunks)


@pytest.mark.postgresql
def test_a_query_past_the_time_limit_exits_5_and_writes_nothing(
    closient: Invoke, pg_server: PostgresServer, tmp_path: Path
) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    database = new_postgres_database(pg_server)
    fleet = Fleet()
    database.write(fleet.catalogue)
    target = tmp_path / "stats.jsonl"
    target.write_text(OLD_REPORT)
    engine = create_engine(database.writer_url, poolclass=NullPool)
    # Another session holds the products table, so counting its rows waits for the
    # lock until statement_timeout cancels the query.
    with engine.begin() as locker:
        locker.exec_driver_sql("LOCK TABLE products_product IN ACCESS EXCLUSIVE MODE")
        outcome = stats_to_file(
            closient, database.url, fleet.user_key, target, "--timeout", "1"
        )
    engine.dispose()
    assert outcome.status == 5
    assert "time limit of 1 s" in outcome.stderr
    assert target.read_text() == OLD_REPORT
    assert os.listdir(tmp_path) == ["stats.jsonl"]


@pytest.mark.postgresql
def test_bad_database_credentials_are_not_retried(
    pg_server: PostgresServer, tmp_path: Path
) -> None:
    wrong = pg_server.url("postgres", password="not-the-password")
    result = subprocess.run(
        [
            installed_script(),
            "stats",
            "2222222222222222222222",
            "--database",
            wrong,
            "--api-key",
            WELL_FORMED_KEY,
            "--retries",
            "3",
            "-v",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 5
    assert "password authentication failed" in result.stderr
    assert "retry" not in result.stderr
    assert "not-the-password" not in result.stderr


@pytest.mark.postgresql
def test_a_server_that_starts_late_is_reached_by_retrying() -> None:
    server = start_server()
    process: subprocess.Popen[str] | None = None
    try:
        fleet = Fleet()
        _create_database(server, "late", fleet)
        server.stop(mode="fast")
        organization = fleet.readable[0]
        process = subprocess.Popen(
            [
                installed_script(),
                "stats",
                short_id(organization),
                "--json",
                "--as-of",
                AS_OF.isoformat(),
                "--database",
                server.url("late"),
                "--api-key",
                fleet.user_key,
                "--retries",
                "8",
                "-v",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stderr is not None
        first_log = process.stderr.readline()
        assert "retry 1 of 8" in first_log
        server.launch()
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        assert json.loads(stdout) == fleet.expected(organization)
        assert PASSWORD not in first_log + stderr
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        remove(server)


def _create_database(server: PostgresServer, name: str, fleet: Fleet) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    admin = create_engine(
        server.driver_url("postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    database = TestDatabase("postgresql", server.url(name), server.driver_url(name))
    engine = create_engine(database.writer_url, poolclass=NullPool)
    with engine.begin() as connection:
        for statement in schema_statements("postgresql"):
            connection.exec_driver_sql(statement)
    engine.dispose()
    database.write(fleet.catalogue)
