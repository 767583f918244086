"""The ``closient`` commands: parse options, call the core, draw the result."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

from closient_cli import __version__, triage_cli
from closient_cli.formats import OutputFormat
from closient_cli.options import (
    ApiKeyOption,
    AsOfOption,
    DatabaseOption,
    DebugOption,
    JsonOption,
    NoColorOption,
    ProfileOption,
    RetriesOption,
    SqlDirOption,
    TimeoutOption,
    VerboseOption,
    configure_logging,
    parse_as_of,
)

if TYPE_CHECKING:
    from closient_cli.fleet import FleetReport, FleetRequest

app = typer.Typer(
    name="closient",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)

OrganizationsArgument = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="ORG_ID",
        help="Organization ids: 22-character shortuuids or canonical UUIDs.",
        show_default=False,
    ),
]
AllOption = Annotated[
    bool,
    typer.Option(
        "--all", help="Every organization the API key may read (no ORG_ID then)."
    ),
]
FormatOption = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        help="Output format (default: table; --json means --format json).",
        case_sensitive=False,
        show_default=False,
    ),
]
OutputFileOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        metavar="FILE",
        help="Write the report to FILE, replacing it in one step, instead of stdout.",
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

    \b
    Exit statuses:
      0  the report was printed
      1  unexpected error
      2  malformed arguments, options or config file
      3  no usable API key
      4  organization not found, or the key may not read it
      5  database unreachable, or a query ran past --timeout
      130  interrupted
    When some of several organizations cannot be read, the others are still
    reported and the first failure sets the status.
    """


@app.command()
def stats(
    organizations: OrganizationsArgument = None,
    all_organizations: AllOption = False,
    output_format: FormatOption = None,
    json_output: JsonOption = False,
    output: OutputFileOption = None,
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
    """Print the seven dashboard counters of one organization, several, or --all.

    When some named organizations cannot be read, the others are still reported and
    the exit status is that of the first failure.
    """
    configure_logging(verbose=verbose, debug=debug)
    chosen = _chosen_format(output_format, json_output)
    organization_ids = _organization_ids(organizations or [], all_organizations)
    report_date = parse_as_of(as_of)
    # The core is imported once the arguments are known to be good, so malformed
    # ones are refused without loading it.
    from closient_cli.errors import OrganizationsFailed
    from closient_cli.fleet import FleetRequest, run_fleet
    from closient_cli.formats import check_output_path
    from closient_cli.settings import resolve

    request = FleetRequest(
        organization_ids=organization_ids,
        all_organizations=all_organizations,
        as_of=report_date,
        settings=resolve(
            database_flag=database,
            api_key_flag=api_key,
            sql_dir_flag=sql_dir,
            profile_flag=profile,
        ),
        timeout=timeout,
        retries=retries,
    )
    if output is not None:
        check_output_path(output)
    with _progress_display(request) as progress:
        fleet = run_fleet(request, progress)
    single = not all_organizations and len(request.organization_ids) == 1
    _write_stats(fleet, chosen, output, single=single, no_color=no_color)
    if fleet.failures:
        raise OrganizationsFailed(fleet.failures)


def _chosen_format(
    output_format: OutputFormat | None, json_output: bool
) -> OutputFormat:
    from closient_cli.errors import ValidationError

    if json_output and output_format not in (None, OutputFormat.JSON):
        raise ValidationError("--json means --format json; give only one of them.")
    if json_output:
        return OutputFormat.JSON
    return output_format or OutputFormat.TABLE


def _organization_ids(ids: list[str], all_organizations: bool) -> tuple[uuid.UUID, ...]:
    from closient_cli.errors import ValidationError
    from closient_cli.ids import parse_uuid

    if all_organizations and ids:
        raise ValidationError("Give organization ids or --all, not both.")
    if not all_organizations and not ids:
        raise ValidationError("Name at least one organization id, or give --all.")
    return tuple(parse_uuid(text) for text in ids)


@contextmanager
def _progress_display(
    request: FleetRequest,
) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for runs over several organizations, only when
    stderr is a terminal."""
    several = request.all_organizations or len(request.organization_ids) > 1
    if not (several and sys.stderr.isatty()):
        yield None
        return
    from rich.progress import Progress

    from closient_cli.render import make_console

    with Progress(console=make_console(sys.stderr), transient=True) as bar:
        task = bar.add_task("Reading organizations", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def _write_stats(
    fleet: FleetReport,
    chosen: OutputFormat,
    output: Path | None,
    *,
    single: bool,
    no_color: bool,
) -> None:
    from closient_cli.formats import atomic_output

    if output is None:
        _draw_stats(fleet, chosen, sys.stdout, single=single, no_color=no_color)
        return
    with atomic_output(output) as stream:
        _draw_stats(fleet, chosen, stream, single=single, no_color=True)


def _draw_stats(
    fleet: FleetReport,
    chosen: OutputFormat,
    stream: IO[str],
    *,
    single: bool,
    no_color: bool,
) -> None:
    from closient_cli.formats import write_report
    from closient_cli.render import make_console, print_fleet_table, print_stats_table

    if chosen is not OutputFormat.TABLE:
        write_report(fleet, chosen, stream, single=single)
    elif single:
        print_stats_table(make_console(stream, no_color=no_color), fleet.reports[0])
    else:
        print_fleet_table(make_console(stream, no_color=no_color), fleet)


@app.command()
def whoami(
    json_output: JsonOption = False,
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
    """Show whom the API key belongs to and its kind (never the key itself)."""
    from closient_cli.identity import who_am_i
    from closient_cli.render import make_console, print_identity, write_json
    from closient_cli.report import reading
    from closient_cli.settings import resolve

    configure_logging(verbose=verbose, debug=debug)
    settings = resolve(
        database_flag=database,
        api_key_flag=api_key,
        sql_dir_flag=sql_dir,
        profile_flag=profile,
    )
    with reading(settings, timeout, retries) as reader:
        identity = who_am_i(reader)
    if json_output:
        write_json(identity.as_dict(), sys.stdout)
    else:
        print_identity(make_console(sys.stdout, no_color=no_color), identity)


@app.command()
def orgs(
    json_output: JsonOption = False,
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
    """List the organizations the API key may read, with the role it holds."""
    from closient_cli.identity import readable_organizations
    from closient_cli.render import make_console, print_memberships, write_json
    from closient_cli.report import reading
    from closient_cli.settings import resolve

    configure_logging(verbose=verbose, debug=debug)
    settings = resolve(
        database_flag=database,
        api_key_flag=api_key,
        sql_dir_flag=sql_dir,
        profile_flag=profile,
    )
    with reading(settings, timeout, retries) as reader:
        memberships = readable_organizations(reader)
    if json_output:
        document = [
            {
                "organization_id": m.organization.short_id,
                "organization_name": m.organization.name,
                "role": m.role,
            }
            for m in memberships
        ]
        write_json(document, sys.stdout)
    else:
        print_memberships(make_console(sys.stdout, no_color=no_color), memberships)


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
    profile: ProfileOption = None,
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
    settings = resolve(database_flag=database, api_key_flag=None, profile_flag=profile)
    diagnosis = check(
        open_database(
            settings.database_url.value or embedded_database_path(), timeout=timeout
        )
    )
    if json_output:
        write_json(diagnosis.as_dict(), sys.stdout)
    else:
        sys.stdout.write(render_text(diagnosis))


app.command("completeness")(triage_cli.completeness)
app.add_typer(triage_cli.app, name="triage")
