"""The SQL files closient runs, found beside the package and run with ``:name`` binds.

Each query lives in its own ``.sql`` file under ``sql/``. Leading ``--`` lines are its
header; a header line ``-- with: completeness/product_scores`` makes the named file
available to the query as a common table expression called ``product_scores``. Where a
dialect really differs, ``name.<dialect>.sql`` beside ``name.sql`` replaces it on that
engine.

Operators whose schema drifted from the reference can point closient at a folder of
their own edited copies (``--sql-dir``): a file found there replaces the packaged file
of the same name, every other file comes from the package. Inside a report the folder
is chosen once, by :func:`sql_folder`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from closient_cli.errors import InternalError, ValidationError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, CursorResult
    from sqlalchemy.exc import DBAPIError

# A ":name" bind as SQLAlchemy's text() sees it: not part of a "::" cast.
_BIND = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")
_WITH = re.compile(r"--\s*with:\s*(\S+)\s*$")
STREAM_BATCH = 500
_operator_folder: ContextVar[Path | None] = ContextVar("sql_dir", default=None)


@dataclass(frozen=True)
class Query:
    """One SQL statement ready to run: where it came from, its text, its binds."""

    name: str
    source: str
    sql: str
    binds: frozenset[str]


class QueryFailed(Exception):
    """The database refused the statement of one SQL file (``error`` says why)."""

    def __init__(self, source: str, error: DBAPIError) -> None:
        super().__init__(source)
        self.source = source
        self.error = error


def sql_root() -> Path:
    """The folder of SQL files: inside the installed package, else the source tree."""
    from importlib import resources

    packaged = Path(str(resources.files("closient_cli") / "sql"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "sql"


@contextmanager
def sql_folder(folder: str | None, source: str = "--sql-dir") -> Iterator[None]:
    """Within the block, files in ``folder`` replace packaged files of the same name."""
    if not folder:
        yield
        return
    path = Path(folder).expanduser()
    if not path.is_dir():
        raise ValidationError(
            f"The SQL folder {folder} (from {source}) does not exist or is not a "
            "folder."
        )
    token = _operator_folder.set(path.resolve())
    try:
        yield
    finally:
        _operator_folder.reset(token)


def load(name: str, dialect: str) -> Query:
    """The query ``<name>.sql`` or its dialect variant, fragments included.

    Each file is looked for in the operator's folder (see :func:`sql_folder`) first,
    then among the packaged files.
    """
    return _load(name, dialect, sql_root(), _operator_folder.get())


@cache
def _load(name: str, dialect: str, root: Path, operator: Path | None) -> Query:
    source, text = _read(name, dialect, root, operator)
    header, body = _split_header(text)
    fragments = [_WITH.match(line) for line in header]
    ctes = []
    for match in filter(None, fragments):
        fragment = _load(match.group(1), dialect, root, operator)
        cte_name = match.group(1).rsplit("/", 1)[-1]
        ctes.append(f"{cte_name} AS (\n{fragment.sql}\n)")
    sql = f"WITH {', '.join(ctes)}\n{body}" if ctes else body
    return Query(name=name, source=source, sql=sql, binds=frozenset(_BIND.findall(sql)))


def _read(
    name: str, dialect: str, root: Path, operator: Path | None
) -> tuple[str, str]:
    folders = [(operator, str(operator))] if operator else []
    folders.append((root, "sql"))
    for folder, label in folders:
        for candidate in (f"{name}.{dialect}.sql", f"{name}.sql"):
            path = folder.joinpath(*candidate.split("/"))
            if path.is_file():
                source = f"{label}/{candidate}"
                try:
                    return source, path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise InternalError(
                        f"The SQL file {source} cannot be read: {exc}."
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
    with _guarded(query):
        result = _execute(connection, query, params)
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
    with _guarded(query):
        result = _execute(connection, query, params, {"yield_per": batch})
        try:
            for row in result.mappings():
                yield dict(row)
        finally:
            result.close()


def _execute(
    connection: Connection,
    query: Query,
    params: Mapping[str, Any],
    options: Mapping[str, Any] | None = None,
) -> CursorResult[Any]:
    from sqlalchemy import text

    result = connection.execute(
        text(query.sql), _bound(query, params), execution_options=options or {}
    )
    if not result.returns_rows:
        raise InternalError(
            f"The SQL file {query.source} must be one SELECT that returns rows."
        )
    return result


@contextmanager
def _guarded(query: Query) -> Iterator[None]:
    """Name the SQL file in any refusal the database gives while it runs."""
    from sqlalchemy import exc

    try:
        yield
    except exc.DBAPIError as error:
        raise QueryFailed(query.source, error) from error


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
