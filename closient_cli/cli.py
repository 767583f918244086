"""The ``closient`` commands: parse options, call the core, draw the result."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from closient_cli import __version__
from closient_cli.options import (
    ApiKeyOption,
    AsOfOption,
    DatabaseOption,
    DebugOption,
    JsonOption,
    NoColorOption,
    TimeoutOption,
    VerboseOption,
    configure_logging,
    parse_as_of,
)

app = typer.Typer(
    name="closient",
    help="Report a Closient organization's dashboard counters from the platform's "
    "database.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)

OrganizationArgument = Annotated[
    str,
    typer.Argument(
        metavar="ORG_ID",
        help="Organization id: 22-character shortuuid or canonical UUID.",
        show_default=False,
    ),
]


def _print_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"closient {__version__}\n")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Report a Closient organization's dashboard counters from its database.

    Exit statuses: 0 report printed, 1 unexpected error, 2 malformed arguments,
    3 no usable API key, 4 organization not found or not readable,
    5 database unavailable or too slow.
    """


@app.command()
def stats(
    organization: OrganizationArgument,
    json_output: JsonOption = False,
    as_of: AsOfOption = None,
    database: DatabaseOption = None,
    api_key: ApiKeyOption = None,
    timeout: TimeoutOption = 30.0,
    no_color: NoColorOption = False,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """Print the seven dashboard counters of one organization."""
    from closient_cli.ids import parse_uuid
    from closient_cli.render import make_console, print_stats_table, write_json
    from closient_cli.report import StatsRequest, run_stats
    from closient_cli.settings import resolve

    configure_logging(verbose=verbose, debug=debug)
    request = StatsRequest(
        organization_id=parse_uuid(organization),
        as_of=parse_as_of(as_of),
        settings=resolve(database_flag=database, api_key_flag=api_key),
        timeout=timeout,
    )
    report = run_stats(request)
    if json_output:
        write_json(report.stats.as_dict(), sys.stdout)
    else:
        print_stats_table(make_console(sys.stdout, no_color=no_color), report)


@app.command()
def demo(
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            metavar="URL",
            help="sqlite:/// URL of the file to create (default: the embedded one).",
            show_default=False,
        ),
    ] = None,
    no_color: NoColorOption = False,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """Create the embedded demo database and show its first organization's counters."""
    from closient_cli.demo import run_demo
    from closient_cli.render import make_console

    configure_logging(verbose=verbose, debug=debug)
    run_demo(database, make_console(sys.stdout, no_color=no_color))


@app.command()
def doctor(
    json_output: JsonOption = False,
    database: DatabaseOption = None,
    timeout: TimeoutOption = 30.0,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """List the indexes closient recommends that the database lacks.

    Prints the CREATE INDEX CONCURRENTLY statements a DBA would run; closient never
    runs them. Exits 0 whether or not indexes are missing. Needs no API key: it reads
    only the database's catalogue of indexes.
    """
    from closient_cli.database import open_database
    from closient_cli.doctor import check, render_text
    from closient_cli.render import write_json
    from closient_cli.settings import embedded_database_path, resolve

    configure_logging(verbose=verbose, debug=debug)
    settings = resolve(database_flag=database, api_key_flag=None)
    diagnosis = check(
        open_database(
            settings.database_url.value or embedded_database_path(), timeout=timeout
        )
    )
    if json_output:
        write_json(diagnosis.as_dict(), sys.stdout)
    else:
        sys.stdout.write(render_text(diagnosis))
