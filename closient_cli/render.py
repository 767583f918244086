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
    from closient_cli.fleet import FleetReport
    from closient_cli.identity import Identity, Membership
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

# Counters that ask for attention when they are not zero, and the colour they get.
ATTENTION_STYLES = {
    "broken_offers": "bold red",
    "expiring_certifications": "yellow",
    "missing_images": "yellow",
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
    from rich.text import Text

    title = inert(report.organization.name, style="bold")
    title.append(f" · dashboard as of {report.as_of.isoformat()}", style="")
    table = Table(title=title, title_justify="left", header_style="bold cyan")
    table.add_column("Counter")
    table.add_column("Value", justify="right")
    for name, value in report.stats.as_dict().items():
        shown = f"{value}%" if name == "avg_completeness" else f"{value:,}"
        style = ATTENTION_STYLES.get(name, "") if value else ""
        table.add_row(COUNTER_LABELS[name], Text(shown, style=style))
    console.print(table)
    console.print(
        inert(f"Organization {report.organization.short_id}", style="dim"),
    )


COUNTER_HEADINGS = {
    "total_products": "Products",
    "complete_products": "≥80%",
    "avg_completeness": "Avg",
    "active_offers": "Offers",
    "broken_offers": "Broken",
    "expiring_certifications": "Expiring",
    "missing_images": "No image",
}


def print_fleet_table(console: Console, fleet: FleetReport) -> None:
    """One row per organization, one column per counter."""
    from rich import box
    from rich.table import Table

    table = Table(
        title=f"Dashboard counters as of {fleet.as_of.isoformat()}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        collapse_padding=True,
        pad_edge=False,
    )
    table.add_column("Organization", min_width=22, overflow="fold")
    for name in fleet.counter_names():
        table.add_column(COUNTER_HEADINGS[name], justify="right")
    for report in fleet.reports:
        counters = report.stats.as_dict()
        label = inert(report.organization.name)
        label.append(f"\n{report.organization.short_id}", style="dim")
        table.add_row(
            label,
            *(
                f"{value}%" if name == "avg_completeness" else f"{value:,}"
                for name, value in counters.items()
            ),
        )
    console.print(table)
    console.print(
        inert(
            "≥80%: products at least 80% complete; Avg: mean completeness; "
            "Offers: active offers; Broken: online offers with failing links; "
            "Expiring: certifications expiring within 60 days; "
            "No image: products without images.",
            style="dim",
        )
    )


def print_identity(console: Console, identity: Identity) -> None:
    """Who the key belongs to, in a sentence; never the key."""
    from rich.text import Text

    line = Text(f"A {identity.key_kind} key ({identity.key_prefix}_) of ")
    if identity.organization is not None:
        line.append_text(inert(identity.organization.name, style="bold"))
        line.append(f" (organization {identity.organization.short_id})")
    else:
        line.append_text(inert(identity.user_email or "an unknown user", style="bold"))
    console.print(line)


def print_memberships(console: Console, memberships: list[Membership]) -> None:
    """The organizations a key may read, with the role that lets it."""
    from rich.table import Table

    table = Table(title="Organizations this key may read", title_justify="left")
    table.add_column("Organization", overflow="fold")
    table.add_column("Id", no_wrap=True)
    table.add_column("Role")
    for membership in memberships:
        table.add_row(
            inert(membership.organization.name),
            membership.organization.short_id,
            membership.role or "business key",
        )
    console.print(table)


def write_json(document: Mapping[str, Any] | list[Any], stream: IO[str]) -> None:
    """One JSON document on one line, written straight to the stream.

    Non-ASCII text is escaped, so no control character from the database (C1 codes
    included) reaches a terminal that displays the JSON.
    """
    stream.write(json.dumps(document) + "\n")
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
