"""The counters of many organizations in one run, read from one snapshot.

A run names its organizations or asks for every one the key may read. An organization
that cannot be read is recorded as a failure and the others are still reported; a
failure that concerns the whole run (the key, the database, a query past its time
limit) ends the run.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from closient_cli.errors import NotFound, OrganizationsFailed
from closient_cli.identity import readable_organizations
from closient_cli.report import (
    DEFAULT_TIMEOUT,
    Reader,
    StatsReport,
    reading,
)
from closient_cli.settings import Settings
from closient_cli.stats import DashboardStats, compute_stats

DEFAULT_RETRIES = 2

# Called with (organizations done, organizations in the run): first (0, total), then
# once after each organization.
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class FleetRequest:
    """What ``closient stats`` was asked for: some organizations, or all of them."""

    organization_ids: tuple[uuid.UUID, ...]
    all_organizations: bool
    as_of: date
    settings: Settings
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES


@dataclass(frozen=True)
class FleetReport:
    """The counters of every organization that could be read, and what could not."""

    as_of: date
    generated_at: datetime
    duration_seconds: float
    reports: tuple[StatsReport, ...]
    failures: tuple[NotFound, ...]

    @staticmethod
    def counter_names() -> tuple[str, ...]:
        return DashboardStats.names()


def run_fleet(
    request: FleetRequest, progress: ProgressCallback | None = None
) -> FleetReport:
    """Read the counters of the requested organizations from one snapshot.

    Raises the failure itself when every named organization failed (and the whole
    list of failures when there were several), so that nothing is printed or written.
    """
    started = time.monotonic()
    with reading(request.settings, request.timeout, request.retries) as reader:
        generated_at = datetime.now(UTC)
        reports, failures = _read_all(reader, request, progress or _no_progress)
    if failures and not reports:
        raise failures[0] if len(failures) == 1 else OrganizationsFailed(failures)
    return FleetReport(
        as_of=request.as_of,
        generated_at=generated_at,
        duration_seconds=time.monotonic() - started,
        reports=tuple(reports),
        failures=tuple(failures),
    )


def _read_all(
    reader: Reader, request: FleetRequest, progress: ProgressCallback
) -> tuple[list[StatsReport], list[NotFound]]:
    if request.all_organizations:
        organizations = [m.organization for m in readable_organizations(reader)]
        targets = [organization.id for organization in organizations]
        known = {organization.id: organization for organization in organizations}
    else:
        targets = list(dict.fromkeys(request.organization_ids))
        known = {}
    reports: list[StatsReport] = []
    failures: list[NotFound] = []
    progress(0, len(targets))
    for done, organization_id in enumerate(targets, start=1):
        try:
            organization = known.get(organization_id) or reader.organization(
                organization_id
            )
        except NotFound as failure:
            failures.append(failure)
        else:
            stats = compute_stats(
                reader.connection, reader.dialect, organization.id, request.as_of
            )
            reports.append(StatsReport(organization, request.as_of, stats))
        progress(done, len(targets))
    return reports, failures


def _no_progress(_done: int, _total: int) -> None:
    return None
