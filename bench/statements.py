"""closient's own statements as text, and the same statements run through psql."""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from closient_cli.queries import load
from closient_cli.stats import COUNTER_QUERIES, REPORT_WORK_MEM, report_params

_BIND = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")
_PSQL_TIME = re.compile(r"^Time: ([0-9.]+) ms", re.MULTILINE)


def tool_queries() -> dict[str, str]:
    """The SQL of each counter statement, as closient runs it on PostgreSQL."""
    return {name: load(name, "postgresql").sql for name in COUNTER_QUERIES}


def params_for(organization_id: str, as_of: date) -> dict[str, str | int | None]:
    return report_params(uuid.UUID(organization_id), as_of)


def as_psycopg(sql: str) -> str:
    """``:name`` binds as psycopg's ``%(name)s`` (and literal % doubled)."""
    return _BIND.sub(r"%(\1)s", sql.replace("%", "%%"))


def _psql_literal(value: str | int | None) -> str:
    """A psql variable value that interpolates as an SQL literal."""
    return "NULL" if value is None else f"'''{value}'''"


def psql_script(
    statements: Mapping[str, str], params: Mapping[str, str | int | None], runs: int
) -> str:
    """A psql script running the statements ``runs`` times with \\timing on."""
    lines = [f"\\set {name} {_psql_literal(value)}" for name, value in params.items()]
    lines += ["SET jit = off;", "\\timing on"]
    for _ in range(runs):
        lines.append("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;")
        lines.append(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}';")
        lines += [" ".join(sql.split()) + ";" for sql in statements.values()]
        lines.append("COMMIT;")
    return "\n".join(lines) + "\n"


def psql_timings(
    psql: Path,
    conninfo: str,
    statements: Mapping[str, str],
    params: Mapping[str, str | int | None],
    runs: int,
) -> list[dict[str, float]]:
    """Per run, the server-side time psql reports for each statement (seconds).

    The first run is a warm-up and is dropped.
    """
    script = psql_script(statements, params, runs + 1)
    finished = subprocess.run(
        [str(psql), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", conninfo],
        input=script,
        capture_output=True,
        text=True,
        check=True,
    )
    times = [float(ms) / 1000 for ms in _PSQL_TIME.findall(finished.stdout)]
    per_run = len(statements) + 3  # BEGIN, SET LOCAL, the statements, COMMIT
    names = list(statements)
    results = []
    for run in range(1, runs + 1):
        chunk = times[run * per_run : (run + 1) * per_run]
        results.append(dict(zip(names, chunk[2:-1], strict=True)))
    return results
