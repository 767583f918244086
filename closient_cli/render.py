"""Everything closient draws: tables for people, JSON for programs, problems for both.

JSON never passes through Rich, which would wrap long lines when stdout is not a
terminal. Text from the database is shown as inert text: never read as markup, and with
terminal control characters made visible instead of obeyed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from closient_cli.errors import ClosientError
    from closient_cli.report import StatsReport

PROBLEM_TYPE_BASE = "https://closient.com/docs/errors/"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

COUNTER_LABELS = {
    "total_products": "Products",
    "complete_products": "Complete products (80% or more)",
    "avg_completeness": "Average completeness",
    "active_offers": "Active offers",
    "broken_offers": "Online offers with failing links",
    "expiring_certifications": "Certifications expiring within 60 days",
    "missing_images": "Products without images",
}


def visible(text: str) -> str:
    """``text`` with control and bidi-override characters shown as escapes."""
    return _CONTROL.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def inert(text: str, style: str = "") -> Text:
    """A Rich Text of database content: no markup, no control sequences."""
    from rich.text import Text

    return Text(visible(text), style=style)


def make_console(stream: IO[str], *, no_color: bool = False) -> Console:
    """A Rich console on ``stream``; Rich itself honours NO_COLOR and FORCE_COLOR."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # Rich would exit 1 on its own; the boundary ends a closed pipe
            # quietly with the same status for every output.
            self.quiet = True
            raise BrokenPipeError

    return _Console(file=stream, no_color=no_color or None, highlight=False)


def print_stats_table(console: Console, report: StatsReport) -> None:
    """The counters as a two-column table titled with the organization and date."""
    from rich.table import Table

    title = inert(report.organization.name, style="bold")
    title.append(f" · dashboard as of {report.as_of.isoformat()}", style="")
    table = Table(title=title, title_justify="left", show_header=True)
    table.add_column("Counter")
    table.add_column("Value", justify="right")
    for name, value in report.stats.as_dict().items():
        shown = f"{value}%" if name == "avg_completeness" else f"{value:,}"
        table.add_row(COUNTER_LABELS[name], shown)
    console.print(table)
    console.print(
        inert(f"Organization {report.organization.short_id}", style="dim"),
    )


def write_json(document: Mapping[str, Any] | list[Any], stream: IO[str]) -> None:
    """One JSON document on one line, written straight to the stream."""
    stream.write(json.dumps(document, ensure_ascii=False) + "\n")
    stream.flush()


def problem_document(error: ClosientError, detail: str) -> dict[str, Any]:
    """The RFC 9457 problem object the platform would answer with."""
    return {
        "type": PROBLEM_TYPE_BASE + error.error_code,
        "title": error.title,
        "status": error.http_status,
        "detail": detail,
        "error_code": error.error_code,
        "retryable": error.retryable,
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
    }
