"""The SQL files closient runs, found beside the package and run with ``:name`` binds.

Each query lives in its own ``.sql`` file under ``sql/``. Leading ``--`` lines are its
header; a header line ``-- with: completeness/product_scores`` makes the named file
available to the query as a common table expression called ``product_scores``. Where a
dialect really differs, ``name.<dialect>.sql`` beside ``name.sql`` replaces it on that
engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from closient_cli.errors import InternalError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

# A ":name" bind as SQLAlchemy's text() sees it: not part of a "::" cast.
_BIND = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")
_WITH = re.compile(r"--\s*with:\s*(\S+)\s*$")
STREAM_BATCH = 500


@dataclass(frozen=True)
class Query:
    """One SQL statement ready to run: where it came from, its text, its binds."""

    name: str
    source: str
    sql: str
    binds: frozenset[str]


def sql_root() -> Path:
    """The folder of SQL files: inside the installed package, else the source tree."""
    packaged = Path(str(resources.files("closient_cli") / "sql"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "sql"


def load(name: str, dialect: str) -> Query:
    """The query ``sql/<name>.sql`` or its dialect variant, fragments included."""
    return _load(name, dialect, sql_root())


@cache
def _load(name: str, dialect: str, root: Path) -> Query:
    source, text = _read(root, name, dialect)
    header, body = _split_header(text)
    fragments = [_WITH.match(line) for line in header]
    ctes = []
    for match in filter(None, fragments):
        fragment = _load(match.group(1), dialect, root)
        cte_name = match.group(1).rsplit("/", 1)[-1]
        ctes.append(f"{cte_name} AS (\n{fragment.sql}\n)")
    sql = f"WITH {', '.join(ctes)}\n{body}" if ctes else body
    return Query(name=name, source=source, sql=sql, binds=frozenset(_BIND.findall(sql)))


def _read(root: Path, name: str, dialect: str) -> tuple[str, str]:
    for candidate in (f"{name}.{dialect}.sql", f"{name}.sql"):
        path = root.joinpath(*candidate.split("/"))
        if path.is_file():
            try:
                return f"sql/{candidate}", path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InternalError(
                    f"The SQL file sql/{candidate} cannot be read: {exc}."
                ) from None
    raise InternalError(
        f"The SQL file sql/{name}.sql is missing from the installation."
    )


def _split_header(text: str) -> tuple[list[str], str]:
    lines = text.strip().splitlines()
    header = []
    while lines and lines[0].lstrip().startswith("--"):
        header.append(lines.pop(0).strip())
    body = "\n".join(line for line in lines if not line.lstrip().startswith("--"))
    return header, body.strip().rstrip(";")


def fetch_all(
    connection: Connection, query: Query, params: Mapping[str, Any]
) -> Sequence[Mapping[str, Any]]:
    """Run a query with exactly the binds it names; its rows as mappings."""
    from sqlalchemy import text

    result = connection.execute(text(query.sql), _bound(query, params))
    return [dict(row) for row in result.mappings()]


def stream_all(
    connection: Connection,
    query: Query,
    params: Mapping[str, Any],
    batch: int = STREAM_BATCH,
) -> Iterator[Mapping[str, Any]]:
    """Run a query and yield its rows as they arrive, ``batch`` at a time.

    On PostgreSQL this reads through a server-side cursor, so a long result is never
    held in memory whole.
    """
    from sqlalchemy import text

    result = connection.execute(
        text(query.sql),
        _bound(query, params),
        execution_options={"yield_per": batch},
    )
    try:
        for row in result.mappings():
            yield dict(row)
    finally:
        result.close()


def _bound(query: Query, params: Mapping[str, Any]) -> dict[str, Any]:
    missing = sorted(query.binds - params.keys())
    if missing:
        raise InternalError(
            f"The SQL file {query.source} uses binds that closient does not provide: "
            f"{', '.join(':' + name for name in missing)}."
        )
    return {name: params[name] for name in query.binds}


def fetch_one(
    connection: Connection, query: Query, params: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    """The first row of a query, or None."""
    rows = fetch_all(connection, query, params)
    return rows[0] if rows else None
