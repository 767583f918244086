"""Reports read from one snapshot: the key is checked, then access and rows are read.

:func:`reading` is how every command reaches the database: it refuses a malformed key
before connecting, opens one read-only snapshot, and identifies the caller in it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from closient_cli.access import Caller, Organization, authorize, identify
from closient_cli.apikeys import parse_key
from closient_cli.queries import sql_folder
from closient_cli.settings import Settings, embedded_database_path
from closient_cli.stats import DashboardStats

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from closient_cli.database import Database

DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 0


@dataclass(frozen=True)
class Reader:
    """A caller's view of the database inside one read-only snapshot."""

    connection: Connection
    database: Database
    caller: Caller

    @property
    def dialect(self) -> str:
        return self.database.dialect

    def organization(self, organization_id: uuid.UUID) -> Organization:
        """The organization if the caller may read it, else NotFound."""
        return authorize(self.connection, self.database, self.caller, organization_id)


@contextmanager
def reading(
    settings: Settings,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
) -> Iterator[Reader]:
    """Check the key, connect, and yield a Reader over one read-only snapshot.

    On a replica that lags behind its primary, a one-line note goes to stderr.

    ``retries`` is how many more times a connection that cannot be opened is tried.

    Every query of the block loads its SQL from ``settings.sql_dir`` where that
    folder holds a file of the same name, else from the packaged files.
    """
    key = parse_key(settings.api_key.value)
    from closient_cli.database import open_database, snapshot
    from closient_cli.replica import warn_if_lagging

    with sql_folder(settings.sql_dir.value, settings.sql_dir.source):
        database = open_database(
            settings.database_url.value or embedded_database_path(), timeout=timeout
        )
        now = datetime.now(UTC)
        with snapshot(database, retries=retries) as connection:
            caller = identify(connection, database, key, now)
            warn_if_lagging(connection, database.dialect)
            yield Reader(connection, database, caller)


@dataclass(frozen=True)
class StatsReport:
    """The counters of one organization on one report date."""

    organization: Organization
    as_of: date
    stats: DashboardStats
