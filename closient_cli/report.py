"""One organization's dashboard report, from settings to counters, in one snapshot."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from closient_cli.access import Organization, authorize, identify
from closient_cli.apikeys import parse_key
from closient_cli.settings import Settings, embedded_database_path
from closient_cli.stats import DashboardStats, compute_stats

DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class StatsRequest:
    """What ``closient stats`` was asked for."""

    organization_id: uuid.UUID
    as_of: date
    settings: Settings
    timeout: float = DEFAULT_TIMEOUT


@dataclass(frozen=True)
class StatsReport:
    """The counters of one organization on one report date."""

    organization: Organization
    as_of: date
    stats: DashboardStats


def run_stats(request: StatsRequest) -> StatsReport:
    """Check the key, then read access and counters from one read-only snapshot."""
    key = parse_key(request.settings.api_key.value)
    from closient_cli.database import open_database, snapshot

    database = open_database(
        request.settings.database_url.value or embedded_database_path(),
        timeout=request.timeout,
    )
    now = datetime.now(UTC)
    with snapshot(database) as connection:
        caller = identify(connection, database, key, now)
        organization = authorize(connection, database, caller, request.organization_id)
        stats = compute_stats(
            connection, database.dialect, organization.id, request.as_of
        )
    return StatsReport(organization=organization, as_of=request.as_of, stats=stats)
