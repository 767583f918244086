"""Start-up of the closient command, and the commands run as child processes."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from bench.catalogue import Tenant
from bench.timing import ProcessSeries, repeat_process, run_measured

PYTHON = sys.executable
# What closient imports to reach a database, on top of its command layer.
DATABASE_IMPORTS = (
    "import closient_cli.cli, closient_cli.report, closient_cli.database, "
    "closient_cli.render, psycopg, sqlalchemy.dialects.postgresql.psycopg"
)
HEAVY_MODULES = ("sqlalchemy", "psycopg")


def closient_script() -> str:
    beside = Path(PYTHON).parent / "closient"
    found = str(beside) if beside.exists() else shutil.which("closient")
    if found is None:
        raise SystemExit("closient is not installed here: pip install -e .")
    return found


def psql_path() -> Path:
    found = shutil.which("psql")
    if found:
        return Path(found)
    from tests.pgserver import find_bindir

    return find_bindir() / "psql"


def environment(url: str) -> dict[str, str]:
    """The environment of every child: the database URL, no user config."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CLOSIENT_", "PG"))
    }
    env["CLOSIENT_DATABASE_URL"] = url
    env["PYTHONDONTWRITEBYTECODE"] = ""
    return env


def stats_command(tenant: Tenant, as_of: date) -> list[str]:
    return [
        closient_script(),
        "stats",
        tenant.organization_id,
        "--json",
        "--as-of",
        as_of.isoformat(),
        "--api-key",
        tenant.api_key,
    ]


def startup_commands(tenant: Tenant, as_of: date) -> dict[str, list[str]]:
    script = closient_script()
    organization = tenant.organization_id
    return {
        "python -c pass": [PYTHON, "-c", "pass"],
        'python -c "import typer"': [PYTHON, "-c", "import typer"],
        'python -c "import closient\'s command layer"': [
            PYTHON,
            "-c",
            "import closient_cli.__main__, closient_cli.cli",
        ],
        "closient --version": [script, "--version"],
        "closient --help": [script, "--help"],
        "closient stats BAD-ID (exit 2)": [
            script,
            "stats",
            "not-an-organization",
            "--api-key",
            tenant.api_key,
        ],
        "closient stats ORG --api-key MALFORMED (exit 3)": [
            script,
            "stats",
            organization,
            "--api-key",
            "csb_not-a-key",
        ],
        "closient stats ORG --as-of 2026-02-30 (exit 2)": [
            script,
            "stats",
            organization,
            "--as-of",
            "2026-02-30",
            "--api-key",
            tenant.api_key,
        ],
        'python -c "import <closient\'s database libraries>"': [
            PYTHON,
            "-c",
            DATABASE_IMPORTS,
        ],
    }


def measure_startup(
    tenant: Tenant, as_of: date, runs: int, env: Mapping[str, str]
) -> dict[str, tuple[ProcessSeries, tuple[str, ...]]]:
    """Each command's timings and the heavy modules it imported (-X importtime)."""
    measured = {}
    for label, argv in startup_commands(tenant, as_of).items():
        series = repeat_process(argv, runs, env=env)
        measured[label] = (series, heavy_imports(argv, env))
    return measured


def heavy_imports(argv: list[str], env: Mapping[str, str]) -> tuple[str, ...]:
    """Which of SQLAlchemy and psycopg the command imported."""
    if argv[0] == PYTHON:
        command = [PYTHON, "-X", "importtime", *argv[1:]]
    else:
        command = [PYTHON, "-X", "importtime", argv[0], *argv[1:]]
    report = run_measured(command, env).stderr
    imported = {
        line.rsplit("|", 1)[-1].strip() for line in report.splitlines() if "|" in line
    }
    return tuple(
        module
        for module in HEAVY_MODULES
        if any(name == module or name.startswith(module + ".") for name in imported)
    )
