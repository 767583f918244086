"""Machine-readable reports: JSON, JSON Lines, CSV and the Prometheus text format.

Everything here writes plain text to a stream with the standard library; nothing
passes through Rich. :func:`atomic_output` writes a file so that a reader sees either
the old file or the whole new one, never a part.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from closient_cli.errors import InternalError, ValidationError

if TYPE_CHECKING:
    from closient_cli.fleet import FleetReport
    from closient_cli.report import StatsReport

METRIC_PREFIX = "closient_"
COUNTER_HELP = {
    "total_products": "Products of the organization.",
    "complete_products": "Products whose completeness is 80 percent or more.",
    "avg_completeness": "Mean completeness of the products, in percent.",
    "active_offers": "Active in-store and online offers of the organization.",
    "broken_offers": "Online offers whose link is broken, timed out or has no DNS.",
    "expiring_certifications": "Certification assignments expiring within 60 days.",
    "missing_images": "Products without any product image.",
}
RECORD_HEADER = ("organization_id", "organization_name", "as_of", "generated_at")


class OutputFormat(StrEnum):
    """What ``closient stats --format`` can print."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    PROMETHEUS = "prometheus"


def rfc3339(moment: datetime) -> str:
    """A UTC moment as RFC 3339 with a ``Z``, to the second."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def organization_record(report: StatsReport, generated_at: datetime) -> dict[str, Any]:
    """One organization's counters with what identifies them, keys in a fixed order."""
    record: dict[str, Any] = {
        "organization_id": report.organization.short_id,
        "organization_name": report.organization.name,
        "as_of": report.as_of.isoformat(),
        "generated_at": rfc3339(generated_at),
    }
    record.update(report.stats.as_dict())
    return record


def records(fleet: FleetReport) -> list[dict[str, Any]]:
    return [organization_record(report, fleet.generated_at) for report in fleet.reports]


def write_report(
    fleet: FleetReport, output_format: OutputFormat, stream: IO[str], *, single: bool
) -> None:
    """``fleet`` in a machine-readable format; ``single`` keeps the contract's
    seven-key JSON object for a report about one named organization."""
    if output_format is OutputFormat.JSON and single:
        _write_line(json.dumps(fleet.reports[0].stats.as_dict()), stream)
    elif output_format is OutputFormat.JSON:
        _write_line(json.dumps(records(fleet)), stream)
    elif output_format is OutputFormat.JSONL:
        for record in records(fleet):
            _write_line(json.dumps(record), stream)
    elif output_format is OutputFormat.CSV:
        write_csv(fleet, stream)
    elif output_format is OutputFormat.PROMETHEUS:
        stream.write(prometheus_text(fleet))
    else:
        raise ValueError(f"{output_format} is not a machine-readable format")
    stream.flush()


def write_csv(fleet: FleetReport, stream: IO[str]) -> None:
    """A header line, then one row per organization."""
    names = fleet.counter_names()
    writer = csv.DictWriter(
        stream, fieldnames=[*RECORD_HEADER, *names], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(records(fleet))


def prometheus_text(fleet: FleetReport) -> str:
    """The Prometheus text exposition format: a gauge family per counter, labelled by
    organization, then the run's own gauges; ends with a newline."""
    lines: list[str] = []
    for name in fleet.counter_names():
        _family(lines, name, COUNTER_HELP[name])
        for report in fleet.reports:
            label = _label_value(report.organization.short_id)
            value = report.stats.as_dict()[name]
            lines.append(f'{METRIC_PREFIX}{name}{{organization_id="{label}"}} {value}')
    _family(
        lines,
        "stats_organizations_failed",
        "Organizations named on the command line that could not be read.",
    )
    lines.append(f"{METRIC_PREFIX}stats_organizations_failed {len(fleet.failures)}")
    _family(
        lines, "stats_duration_seconds", "Seconds the run took to read the counters."
    )
    lines.append(f"{METRIC_PREFIX}stats_duration_seconds {fleet.duration_seconds:.6f}")
    _family(
        lines,
        "stats_last_success_timestamp_seconds",
        "Unix time at which the counters in this file were read.",
    )
    timestamp = fleet.generated_at.timestamp()
    lines.append(f"{METRIC_PREFIX}stats_last_success_timestamp_seconds {timestamp:.3f}")
    return "\n".join(lines) + "\n"


def _family(lines: list[str], name: str, help_text: str) -> None:
    lines.append(f"# HELP {METRIC_PREFIX}{name} {_help_value(help_text)}")
    lines.append(f"# TYPE {METRIC_PREFIX}{name} gauge")


def _help_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _label_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _write_line(text: str, stream: IO[str]) -> None:
    stream.write(text + "\n")


def check_output_path(path: Path) -> None:
    """Refuse, before any database work, an ``--output`` that cannot be written."""
    folder = path.parent
    if path.is_dir():
        raise ValidationError(f"--output {path} is a folder; name a file in it.")
    if not folder.is_dir():
        raise ValidationError(f"The folder of --output {path} does not exist.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValidationError(f"The folder of --output {path} is not writable.")


@contextmanager
def atomic_output(path: Path) -> Iterator[IO[str]]:
    """A text stream whose content replaces ``path`` in one step when the block ends.

    The text goes to a temporary file in the same folder, which ``os.replace`` then
    renames over ``path``. If the block raises, the temporary file is removed and
    ``path`` is left as it was.
    """
    try:
        import tempfile

        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below)
            "w",
            encoding="utf-8",
            newline="",
            dir=path.parent,
            prefix=f".{path.name}.",
            suffix=".tmp",
            delete=False,
        )
    except OSError as error:
        raise _write_failure(path, error) from None
    temporary = Path(handle.name)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _file_mode(path))
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _write_failure(path, error) from None
        raise


def _file_mode(path: Path) -> int:
    """Keep an existing file's permissions; else what the umask allows a new file
    (a temporary file starts private, which would hide it from other readers)."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _write_failure(path: Path, error: OSError) -> InternalError:
    return InternalError(f"Cannot write --output {path}: {error.strerror or error}.")
