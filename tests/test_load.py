"""Fifty reports at once against one server: all answer the same, none stays behind."""

from __future__ import annotations

import json
import random
import subprocess
from datetime import date

import pytest

from closient_cli.catalogue import CatalogueShape, add_key, add_user, generate
from closient_cli.ids import short_id
from tests import reference
from tests.commands import (
    DATABASE_COMMANDS,
    Target,
    session_count,
    subprocess_env,
    wait_until,
)
from tests.conftest import installed_script, new_postgres_database
from tests.pgserver import PostgresServer

PROCESSES = 50  # the test server allows 120 connections
AS_OF = date(2026, 5, 1)


@pytest.mark.postgresql
def test_fifty_concurrent_reports_agree_and_leave_no_session(
    pg_server: PostgresServer,
) -> None:
    rng = random.Random(50)
    catalogue = generate(rng, AS_OF, CatalogueShape(organizations=2, products=300))
    organization = catalogue.of("organization_organization")[0]["id"]
    user = add_user(catalogue, rng, "load@example.com", {organization: "viewer"})
    key = add_key(catalogue, rng, "csu", user_id=user).key
    database = new_postgres_database(pg_server)
    database.write(catalogue)
    target = Target(short_id(organization), database.url, key, AS_OF.isoformat())
    line = [
        installed_script(),
        *DATABASE_COMMANDS[0].line(target),
        *["--json", "--timeout", "300"],
    ]

    processes = [
        subprocess.Popen(
            line,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=subprocess_env(),
        )
        for _ in range(PROCESSES)
    ]
    try:
        results = [process.communicate(timeout=600) for process in processes]
    finally:
        for process in processes:
            process.kill()

    failures = [
        stderr for process, (_, stderr) in zip(processes, results, strict=True)
        if process.returncode != 0
    ]  # fmt: skip
    assert failures == []
    answers = {stdout for stdout, _ in results}
    assert len(answers) == 1
    assert json.loads(answers.pop()) == reference.counters(
        catalogue, organization, AS_OF
    )
    # Each process closed its session; the server notices within moments.
    wait_until(lambda: session_count(pg_server) == 0, "closient sessions to end")
