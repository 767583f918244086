"""``closient triage <list>`` and ``closient completeness``: the rows behind a counter.

Options are parsed here, the rows come from :mod:`closient_cli.triage`, and tables are
drawn with Rich; heavy imports happen inside the commands, as in ``cli.py``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum
from typing import IO, TYPE_CHECKING, Annotated

import typer

from closient_cli.errors import ValidationError
from closient_cli.options import (
    ApiKeyOption,
    AsOfOption,
    DatabaseOption,
    DebugOption,
    JsonOption,
    NoColorOption,
    OrganizationArgument,
    ProfileOption,
    RetriesOption,
    SqlDirOption,
    TimeoutOption,
    VerboseOption,
    configure_logging,
    parse_as_of,
)
from closient_cli.stats import COMPLETE_AT

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rich.console import Console
    from rich.text import Text

    from closient_cli.triage import Breakdown, ListPage, ListRequest, Row

app = typer.Typer(
    name="triage",
    help="List the rows behind a dashboard counter, a page at a time or as CSV.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        help="table (default), json (one page in the platform's list envelope) "
        "or csv (every row, no paging).",
        show_default=False,
    ),
]
LimitOption = Annotated[
    int,
    typer.Option(
        "--limit", metavar="N", min=1, max=100, help="Rows per page (1 to 100)."
    ),
]
PageOption = Annotated[
    int,
    typer.Option("--page", metavar="N", min=1, max=10**9, help="Page to show, from 1."),
]
BelowOption = Annotated[
    int,
    typer.Option(
        "--below",
        metavar="PERCENT",
        min=1,
        max=100,
        help="List products whose completeness is below this percentage.",
    ),
]
GtinArgument = Annotated[
    str,
    typer.Argument(
        metavar="GTIN",
        help="GTIN-8, -12, -13 or -14; spaces and hyphens are ignored.",
        show_default=False,
    ),
]

TITLES = {
    "broken-offers": "online offers with failing links",
    "expiring-certifications": "certifications expiring within 60 days",
    "missing-images": "products without images",
    "incomplete-products": "products below {below}% complete",
}
# Columns of each table: header and the least width, so that ids, GTINs and dates are
# never cut; long text folds onto more lines rather than losing characters.
_ID, _GTIN, _DATE = 22, 14, 10
COLUMNS: dict[str, tuple[tuple[str, int], ...]] = {
    "broken-offers": (
        ("Offer / URL", _ID),
        ("GTIN / product", _GTIN),
        ("Check (UTC)", 11),
        ("Status", 12),
    ),
    "expiring-certifications": (
        ("GTIN", _GTIN),
        ("Product", 0),
        ("Code", 0),
        ("Certification", 0),
        ("Expires", _DATE),
        ("Days left", 0),
    ),
    "missing-images": (("GTIN", _GTIN), ("Product", 0)),
    "incomplete-products": (
        ("GTIN", _GTIN),
        ("Product", 0),
        ("Complete", 0),
        ("Missing", 0),
        ("Half done", 0),
    ),
}
RIGHT_ALIGNED = {"Complete", "Days left"}


def _register_list(list_name: str, summary: str) -> None:
    """Add ``closient triage LIST_NAME``: one page (or all rows) of one list."""

    def list_command(
        organization: OrganizationArgument,
        output: FormatOption = None,
        json_output: JsonOption = False,
        limit: LimitOption = 50,
        page: PageOption = 1,
        as_of: AsOfOption = None,
        database: DatabaseOption = None,
        api_key: ApiKeyOption = None,
        sql_dir: SqlDirOption = None,
        profile: ProfileOption = None,
        timeout: TimeoutOption = 30.0,
        retries: RetriesOption = 2,
        no_color: NoColorOption = False,
        verbose: VerboseOption = False,
        debug: DebugOption = False,
    ) -> None:
        configure_logging(verbose=verbose, debug=debug)
        _list(
            list_name,
            ListOptions(
                organization=organization,
                output=_format(output, json_output),
                limit=limit,
                page=page,
                as_of=as_of,
                database=database,
                api_key=api_key,
                sql_dir=sql_dir,
                profile=profile,
                timeout=timeout,
                retries=retries,
                no_color=no_color,
            ),
        )

    list_command.__doc__ = summary
    list_command.__name__ = list_name.replace("-", "_")
    app.command(list_name)(list_command)


_register_list(
    "broken-offers",
    "Online offers whose last URL check failed (counter broken_offers).",
)
_register_list(
    "expiring-certifications", "Certifications expiring within 60 days, soonest first."
)
_register_list(
    "missing-images",
    "Products without any product image, by GTIN (counter missing_images).",
)


@app.command("incomplete-products")
def incomplete_products(
    organization: OrganizationArgument,
    below: BelowOption = COMPLETE_AT,
    output: FormatOption = None,
    json_output: JsonOption = False,
    limit: LimitOption = 50,
    page: PageOption = 1,
    as_of: AsOfOption = None,
    database: DatabaseOption = None,
    api_key: ApiKeyOption = None,
    sql_dir: SqlDirOption = None,
    profile: ProfileOption = None,
    timeout: TimeoutOption = 30.0,
    retries: RetriesOption = 2,
    no_color: NoColorOption = False,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """Products below a completeness percentage (default 80), lowest first."""
    configure_logging(verbose=verbose, debug=debug)
    _list(
        "incomplete-products",
        ListOptions(
            organization=organization,
            output=_format(output, json_output),
            limit=limit,
            page=page,
            as_of=as_of,
            database=database,
            api_key=api_key,
            sql_dir=sql_dir,
            profile=profile,
            timeout=timeout,
            retries=retries,
            no_color=no_color,
            below=below,
        ),
    )


def completeness(
    organization: OrganizationArgument,
    gtin: GtinArgument,
    json_output: JsonOption = False,
    as_of: AsOfOption = None,
    database: DatabaseOption = None,
    api_key: ApiKeyOption = None,
    sql_dir: SqlDirOption = None,
    profile: ProfileOption = None,
    timeout: TimeoutOption = 30.0,
    retries: RetriesOption = 2,
    no_color: NoColorOption = False,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """One product's completeness, group by group, as the counters score it."""
    from closient_cli.ids import parse_uuid
    from closient_cli.render import make_console, write_json
    from closient_cli.settings import resolve
    from closient_cli.triage import BreakdownRequest, normalize_gtin, run_breakdown

    configure_logging(verbose=verbose, debug=debug)
    request = BreakdownRequest(
        organization_id=parse_uuid(organization),
        gtin=normalize_gtin(gtin),
        as_of=parse_as_of(as_of),
        settings=resolve(
            database_flag=database,
            api_key_flag=api_key,
            sql_dir_flag=sql_dir,
            profile_flag=profile,
        ),
        timeout=timeout,
        retries=retries,
    )
    breakdown = run_breakdown(request)
    if json_output:
        write_json(breakdown.platform_document(), sys.stdout)
    else:
        _print_breakdown(make_console(sys.stdout, no_color=no_color), breakdown)


def _format(output: OutputFormat | None, json_output: bool) -> OutputFormat:
    if json_output and output not in (None, OutputFormat.json):
        raise ValidationError("--json cannot be combined with --format csv or table.")
    if json_output:
        return OutputFormat.json
    return output or OutputFormat.table


@dataclass(frozen=True)
class ListOptions:
    """The options every list command takes, as given on the command line."""

    organization: str
    output: OutputFormat
    limit: int
    page: int
    as_of: str | None
    database: str | None
    api_key: str | None
    sql_dir: str | None
    profile: str | None
    timeout: float
    retries: int
    no_color: bool
    below: int = COMPLETE_AT


def _list(list_name: str, options: ListOptions) -> None:
    from closient_cli.ids import parse_uuid
    from closient_cli.settings import resolve
    from closient_cli.triage import ListRequest

    request = ListRequest(
        list_name=list_name,
        organization_id=parse_uuid(options.organization),
        as_of=parse_as_of(options.as_of),
        settings=resolve(
            database_flag=options.database,
            api_key_flag=options.api_key,
            sql_dir_flag=options.sql_dir,
            profile_flag=options.profile,
        ),
        timeout=options.timeout,
        retries=options.retries,
        page=options.page,
        page_size=options.limit,
        below=options.below,
    )
    _show(request, options.output, options.no_color)


def _show(request: ListRequest, output: OutputFormat, no_color: bool) -> None:
    from closient_cli.render import make_console, write_json
    from closient_cli.triage import every_row, run_list

    if output is OutputFormat.csv:
        with every_row(request) as rows:
            _write_csv(request.triage.columns, rows, sys.stdout)
        return
    page = run_list(request)
    if output is OutputFormat.json:
        write_json(page.envelope(), sys.stdout)
    else:
        _print_list(make_console(sys.stdout, no_color=no_color), page)


def _write_csv(columns: Iterable[str], rows: Iterable[Row], stream: IO[str]) -> None:
    """A header, then every row as CSV, each line written as its row arrives."""
    import csv

    from closient_cli.triage import record

    writer = csv.DictWriter(stream, fieldnames=list(columns))
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                name: ";".join(value) if isinstance(value, list) else value
                for name, value in record(row).items()
            }
        )
    stream.flush()


def _print_list(console: Console, page: ListPage) -> None:
    from rich.table import Table

    from closient_cli.render import inert

    heading = inert(page.organization.name, style="bold")
    what = TITLES[page.list_name].format(below=page.below)
    heading.append(f" · {what} as of {page.as_of.isoformat()}", style="")
    console.print(heading)
    if page.rows:
        table = Table()
        for header, width in COLUMNS[page.list_name]:
            table.add_column(
                header,
                justify="right" if header in RIGHT_ALIGNED else "left",
                min_width=width or None,
                overflow="fold",
            )
        for row in page.rows:
            table.add_row(*_cells(row))
        console.print(table)
    console.print(inert(_showing(page), style="dim"))


def _cells(row: Row) -> list[Text]:
    from closient_cli.render import inert
    from closient_cli.triage import (
        BrokenOffer,
        ExpiringCertification,
        IncompleteProduct,
    )

    if isinstance(row, BrokenOffer):
        checked = row.url_checked_at
        when = checked.strftime("%Y-%m-%d %H:%M").split() if checked else ["never"]
        return [
            _lines(row.offer_id, row.url),
            _lines(row.gtin, row.product_name),
            _lines(row.url_status, *when),
            inert(row.status),
        ]
    if isinstance(row, ExpiringCertification):
        texts = [
            row.gtin,
            row.product_name,
            row.certification_code,
            row.certification_label,
            row.expiry_date.isoformat(),
            str(row.days_left),
        ]
    elif isinstance(row, IncompleteProduct):
        texts = [
            row.gtin,
            row.product_name,
            f"{row.percentage}%",
            ", ".join(row.missing),
            ", ".join(row.partial),
        ]
    else:
        texts = [row.gtin, row.product_name]
    return [inert(text) for text in texts]


def _lines(*texts: str) -> Text:
    """Several database values in one cell, one per line, each inert."""
    from rich.text import Text

    from closient_cli.render import inert

    return Text("\n").join(inert(text) for text in texts)


def _showing(page: ListPage) -> str:
    pagination = page.pagination
    total = f"{pagination.total_count:,}"
    if not page.rows:
        if pagination.total_count == 0:
            return "Nothing to show: the list is empty (showing 0 of 0)."
        return (
            f"Page {pagination.page:,} is past the end: showing 0 of {total}; "
            f"the last page is {pagination.total_pages:,}."
        )
    first = pagination.offset + 1
    last = pagination.offset + len(page.rows)
    shown = f"showing {first:,}-{last:,} of {total}"
    if pagination.has_next:
        shown += f"; next: --page {pagination.page + 1}"
    return f"{shown} · organization {page.organization.short_id}"


def _print_breakdown(console: Console, breakdown: Breakdown) -> None:
    from rich.table import Table

    from closient_cli.render import inert

    title = inert(breakdown.product_name or "(no name)", style="bold")
    title.append(
        f" · GTIN {breakdown.gtin} · completeness as of {breakdown.as_of.isoformat()}",
        style="",
    )
    table = Table(title=title, title_justify="left", show_footer=True)
    table.add_column("Group", footer="Total")
    table.add_column("Score", justify="right")
    table.add_column("Weight", justify="right")
    table.add_column("Points", justify="right", footer=f"{breakdown.percentage}%")
    table.add_column("To raise it")
    for group in breakdown.groups:
        table.add_row(
            group.group,
            f"{group.score:g}",
            f"{group.weight:.2f}",
            str(group.points),
            group.advice or "complete",
        )
    console.print(table)
    organization = breakdown.organization
    console.print(
        inert(
            f"Product {breakdown.product_id} of {organization.name} "
            f"({organization.short_id})",
            style="dim",
        )
    )
