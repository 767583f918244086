"""A note to the user when the database being read is a replica that lags behind.

On a PostgreSQL hot standby, ``pg_last_xact_replay_timestamp()`` is the commit time of
the last transaction replayed; how far ``now()`` is past it is how stale the report may
be (when the primary is idle too, it overstates the lag, which errs on the side of
telling). The note goes to stderr, never to stdout, so ``--json`` output is unchanged.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, TextIO

from closient_cli.queries import fetch_one, load

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

log = logging.getLogger(__name__)

# Replicas are normally well under a second behind; past this, say so.
LAG_THRESHOLD_SECONDS = 5.0


def replica_lag(connection: Connection, dialect: str) -> float | None:
    """Seconds the replica is behind, or None when this is not a replica."""
    if dialect != "postgresql":
        return None
    row = fetch_one(connection, load("replica/lag", dialect), {})
    if not row or not row["in_recovery"] or row["lag_seconds"] is None:
        return None
    return max(0.0, float(row["lag_seconds"]))


def lag_note(lag: float | None, threshold: float | None = None) -> str | None:
    """The one-line note for a lag past the threshold, else None."""
    limit = LAG_THRESHOLD_SECONDS if threshold is None else threshold
    if lag is None or lag <= limit:
        return None
    return f"Note: reading a replica that is {lag:.0f} s behind the primary."


def warn_if_lagging(
    connection: Connection, dialect: str, stream: TextIO | None = None
) -> float | None:
    """Write the note to stderr when the replica lags; the lag, or None."""
    lag = replica_lag(connection, dialect)
    log.debug("replica lag: %s", "not a replica" if lag is None else f"{lag:.3f} s")
    note = lag_note(lag)
    if note is not None:
        target = stream or sys.stderr
        target.write(note + "\n")
        target.flush()
    return lag
