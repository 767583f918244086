"""Connections to the database closient reports on: read-only, one snapshot per report.

Nothing closient runs can change the database. On PostgreSQL every session has
``default_transaction_read_only`` on, each report is one ``READ ONLY`` transaction, and
every statement goes through the extended protocol, which refuses a file that chains
several statements (``COMMIT; ...``). On SQLite the file is opened with ``mode=ro``,
``query_only`` set and ``ATTACH`` disabled. SQLAlchemy and psycopg are imported here
and only here, so commands that fail before reaching a database start fast.
"""

from __future__ import annotations

import logging
import math
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import URL, create_engine, event, exc, make_url
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from closient_cli.errors import InternalError, Unavailable, ValidationError
from closient_cli.queries import QueryFailed

log = logging.getLogger(__name__)

POSTGRESQL_DRIVER = "postgresql+psycopg"
_POSTGRESQL_SCHEMES = {"postgres", "postgresql"}
_SQLITE_SCHEMES = {"sqlite", "sqlite+pysqlite"}
_SQLITE_SCHEMA_ERRORS = ("no such table", "no such column")
# Connection failures that waiting does not cure: bad credentials (SQLSTATE class 28)
# and a database or role that does not exist (3D000). libpq reports a refused
# connection without a SQLSTATE, so the server's words are checked too.
_PERMANENT_CONNECT_STATES = ("28", "3D")
_PERMANENT_CONNECT_MESSAGES = (
    "authentication failed",
    "no pg_hba.conf entry",
    "does not exist",
)
RETRY_FIRST_DELAY = 0.5
RETRY_MAX_DELAY = 8.0
# query_only and mode=ro refuse writes; no ATTACH means no other file is opened.
_SQLITE_WRITE_ERRORS = (
    "attempt to write a readonly database",
    "too many attached databases",
)
_READ_ONLY_TRANSACTION = "25006"  # read_only_sql_transaction
_POSTGRESQL_SCHEMA_ERRORS = {
    "42P01",  # undefined_table
    "42703",  # undefined_column
    "42883",  # undefined_function
    "42704",  # undefined_object
    "3F000",  # invalid_schema_name
}
_INSUFFICIENT_PRIVILEGE = "42501"
# How many SQLite virtual machine steps pass between two looks at the clock.
_SQLITE_CLOCK_STEPS = 10_000


class QueryClock:
    """The time limit of the statement running now; SQLite has no statement_timeout."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.ran_out = False
        self._ends = math.inf

    def start(self) -> None:
        self.ran_out = False
        self._ends = time.monotonic() + self.limit

    def passed(self) -> bool:
        """Whether the statement ran out of time (SQLite then interrupts it)."""
        if time.monotonic() > self._ends:
            self.ran_out = True
        return self.ran_out


@dataclass(frozen=True)
class Database:
    """An engine over the reported database and how to name it to a person."""

    engine: Engine
    dialect: str
    description: str
    timeout: float
    clock: QueryClock | None = None

    @property
    def title(self) -> str:
        """The description, capitalized to start a sentence."""
        return self.description[:1].upper() + self.description[1:]

    def timestamp(self, moment: datetime) -> object:
        """A timestamp as this engine compares it (SQLite keeps UTC text)."""
        if self.dialect == "sqlite":
            return moment.strftime("%Y-%m-%d %H:%M:%S")
        return moment


def parse_database_url(url: str) -> URL:
    """An SQLAlchemy URL; ``postgres://`` and ``postgresql://`` mean psycopg 3."""
    try:
        parsed = make_url(url)
    except (exc.ArgumentError, ValueError):
        raise ValidationError(
            "The database URL is not a valid SQLAlchemy URL "
            "(for example postgresql://user@host/dbname or sqlite:///path/to/file)."
        ) from None
    if parsed.drivername.split("+", 1)[0] in _POSTGRESQL_SCHEMES:
        # Whatever driver the URL names, closient speaks to PostgreSQL via psycopg 3.
        return parsed.set(drivername=POSTGRESQL_DRIVER)
    if parsed.drivername in _SQLITE_SCHEMES:
        return parsed
    raise ValidationError(
        f"closient reads PostgreSQL or SQLite databases, not {parsed.drivername}."
    )


def describe(url: URL) -> str:
    """A name for the database that never includes its password."""
    if url.drivername.startswith("sqlite"):
        return f"the SQLite database {url.database or ':memory:'}"
    where = url.host or "the default host"
    if url.port:
        where = f"{where}:{url.port}"
    return f"the PostgreSQL database {url.database or '(default)'} on {where}"


def open_database(url: str | Path, *, timeout: float) -> Database:
    """An engine for ``url`` (a URL string, or the path of a SQLite file)."""
    parsed = (
        URL.create("sqlite", database=str(url))
        if isinstance(url, Path)
        else parse_database_url(url)
    )
    if parsed.drivername.startswith("sqlite"):
        return _open_sqlite(parsed, timeout)
    return _open_postgresql(parsed, timeout)


def _open_sqlite(url: URL, timeout: float) -> Database:
    path = url.database
    if not path or path == ":memory:":
        raise ValidationError("A SQLite database URL must name a file.")
    if not Path(path).is_file():
        raise Unavailable(
            f"The SQLite database {path} does not exist "
            "(run closient demo to create the embedded one)."
        )
    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
    clock = QueryClock(timeout)

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(
            uri,
            uri=True,
            timeout=timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        connection.execute("PRAGMA query_only = ON")
        connection.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        connection.set_progress_handler(clock.passed, _SQLITE_CLOCK_STEPS)
        return connection

    engine = create_engine("sqlite+pysqlite://", creator=connect, poolclass=NullPool)

    @event.listens_for(engine, "before_cursor_execute")
    def _start_clock(*_args: Any) -> None:
        clock.start()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # pysqlite leaves SELECTs outside any transaction; one explicit read
        # transaction gives every query of a report the same snapshot.
        connection.exec_driver_sql("BEGIN")

    return Database(engine, "sqlite", describe(url), timeout, clock)


def _open_postgresql(url: URL, timeout: float) -> Database:
    connect_args: dict[str, Any] = {
        "connect_timeout": max(1, math.ceil(timeout)),
        "application_name": "closient",
    }
    engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
    statement_timeout_ms = max(1, round(timeout * 1000))

    @event.listens_for(engine, "connect")
    def _configure_session(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET default_transaction_read_only = on")
            cursor.execute(f"SET statement_timeout = {statement_timeout_ms}")
            cursor.execute("SET jit = off")
        dbapi_connection.autocommit = False

    @event.listens_for(engine, "do_execute")
    def _one_statement(
        cursor: Any, statement: str, parameters: Any, _context: Any
    ) -> bool:
        # Binary results make psycopg use the extended protocol even without binds,
        # and the extended protocol runs exactly one statement.
        cursor.execute(statement, parameters, binary=True)
        return True

    @event.listens_for(engine, "do_execute_no_params")
    def _one_statement_no_params(cursor: Any, statement: str, _context: Any) -> bool:
        cursor.execute(statement, binary=True)
        return True

    return Database(engine, "postgresql", describe(url), timeout)


@contextmanager
def snapshot(database: Database, *, retries: int = 0) -> Iterator[Connection]:
    """One read-only transaction whose queries all see the same snapshot.

    A connection that cannot be opened is tried again up to ``retries`` more times;
    nothing after the connection is open is ever retried.
    """
    with translated_errors(database), _connect(database, retries) as connection:
        if database.dialect == "postgresql":
            connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with connection.begin():
            yield connection


def _connect(database: Database, retries: int) -> Connection:
    attempt = 0
    while True:
        try:
            return database.engine.connect()
        except exc.OperationalError as error:
            if attempt >= retries or not _is_transient(error):
                raise
            attempt += 1
            delay = retry_delay(attempt)
            log.info(
                "Cannot connect to %s (%s); retry %d of %d in %.1f s.",
                database.description,
                _first_line(error.orig),
                attempt,
                retries,
                delay,
            )
            time.sleep(delay)


def retry_delay(attempt: int) -> float:
    """Seconds to wait before retry number ``attempt`` (1, 2, ...): exponential,
    capped, and jittered so that many cron jobs do not retry in step."""
    ceiling = min(RETRY_MAX_DELAY, RETRY_FIRST_DELAY * 2.0 ** (attempt - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311


def _is_transient(error: exc.OperationalError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    message = str(error.orig)
    return not (
        sqlstate.startswith(_PERMANENT_CONNECT_STATES)
        or any(marker in message for marker in _PERMANENT_CONNECT_MESSAGES)
    )


@contextmanager
def translated_errors(database: Database) -> Iterator[None]:
    """Turn driver failures into closient errors that name the database, not secrets."""
    try:
        yield
    except QueryFailed as failed:
        raise _translate(database, failed.error, failed.source) from None
    except exc.DBAPIError as error:
        raise _translate(database, error, None) from None


def _translate(
    database: Database, error: exc.DBAPIError, source: str | None
) -> BaseException:
    reason = _first_line(error.orig)
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    log.debug("database error %s: %s", sqlstate or type(error.orig).__name__, reason)
    where = f" (SQL file {source})" if source else ""
    if _timed_out(database, sqlstate, reason):
        return Unavailable(
            f"A query on {database.description}{where} ran past the time limit of "
            f"{database.timeout:g} s."
        )
    if database.dialect == "sqlite" and reason == "interrupted":
        # Ctrl-C while SQLite runs: the KeyboardInterrupt is raised inside the
        # progress handler, which sqlite3 swallows before interrupting the statement.
        return KeyboardInterrupt()
    if _is_write_refused(database, sqlstate, reason):
        what = f"The SQL file {source}" if source else "A statement"
        return InternalError(
            f"{what} tries to change {database.description}, which closient only "
            f"reads; the database refused it and nothing was changed ({reason})."
        )
    if _is_schema_fault(database, sqlstate, reason):
        return InternalError(
            f"{database.title} lacks the schema closient expects{where}: {reason}."
        )
    if sqlstate == _INSUFFICIENT_PRIVILEGE:
        return InternalError(
            f"The database user may not read {database.description}{where}: {reason}."
        )
    if source and (
        sqlstate.startswith("42") or isinstance(error, exc.ProgrammingError)
    ):
        return InternalError(
            f"The SQL file {source} does not run on {database.description}: {reason}."
        )
    if isinstance(error, exc.OperationalError | exc.InterfaceError):
        return Unavailable(f"Cannot read {database.description}{where}: {reason}.")
    return InternalError(f"{database.title} answered with an error{where}: {reason}.")


def _timed_out(database: Database, sqlstate: str, reason: str) -> bool:
    if database.clock is not None and reason == "interrupted":
        return database.clock.ran_out
    return sqlstate == "57014"  # query_canceled: statement_timeout ran out


def _is_write_refused(database: Database, sqlstate: str, reason: str) -> bool:
    if database.dialect == "sqlite":
        return any(marker in reason for marker in _SQLITE_WRITE_ERRORS)
    return sqlstate == _READ_ONLY_TRANSACTION


def _is_schema_fault(database: Database, sqlstate: str, reason: str) -> bool:
    # PostgreSQL names undefined tables and columns by SQLSTATE; SQLite by message.
    if database.dialect == "sqlite":
        return any(marker in reason for marker in _SQLITE_SCHEMA_ERRORS)
    return sqlstate in _POSTGRESQL_SCHEMA_ERRORS


def _first_line(error: BaseException | None) -> str:
    text = str(error or "").strip()
    line = next((part for part in text.splitlines() if part.strip()), "no details")
    return line.strip().rstrip(".")
