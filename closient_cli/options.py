"""Options shared by several commands, and the parsing of their values."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, date, datetime
from typing import Annotated

import typer

from closient_cli.errors import ValidationError
from closient_cli.redact import RedactingFilter

OrganizationArgument = Annotated[
    str,
    typer.Argument(
        metavar="ORG_ID",
        help="Organization id: 22-character shortuuid or canonical UUID.",
        show_default=False,
    ),
]


DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        metavar="URL",
        help="SQLAlchemy URL of the database to read "
        "(else CLOSIENT_DATABASE_URL, the config file, the embedded SQLite file).",
        show_default=False,
    ),
]
ApiKeyOption = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        metavar="KEY",
        help="Closient API key (else CLOSIENT_API_KEY, then the config file).",
        show_default=False,
    ),
]
SqlDirOption = Annotated[
    str | None,
    typer.Option(
        "--sql-dir",
        metavar="DIR",
        help="Folder of edited SQL files that replace the packaged ones of the same "
        "name (else CLOSIENT_SQL_DIR, then sql_dir in the config file).",
        show_default=False,
    ),
]
ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        metavar="NAME",
        help="Use the [profiles.NAME] settings of the config file "
        "(else CLOSIENT_PROFILE).",
        show_default=False,
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="Report date (default: today in UTC).",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON instead of a table.")
]
MIN_TIMEOUT, MAX_TIMEOUT = 0.1, 86400.0


def _checked_timeout(value: float) -> float:
    # A range check alone lets "nan" through: NaN compares false with both bounds.
    if not MIN_TIMEOUT <= value <= MAX_TIMEOUT:
        raise typer.BadParameter(
            f"{value} is not a number of seconds from {MIN_TIMEOUT} to {MAX_TIMEOUT:g}."
        )
    return value


TimeoutOption = Annotated[
    float,
    typer.Option(
        "--timeout",
        metavar="SECONDS",
        callback=_checked_timeout,
        help="Limit on connecting and on each query (0.1 to 86400).",
    ),
]
RetriesOption = Annotated[
    int,
    typer.Option(
        "--retries",
        metavar="N",
        min=0,
        max=10,
        help="Try a connection that fails this many more times, waiting longer "
        "each time (access errors and query timeouts are never retried).",
    ),
]
NoColorOption = Annotated[
    bool, typer.Option("--no-color", help="No colour (NO_COLOR is honoured too).")
]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="Log what closient does to stderr.")
]
DebugOption = Annotated[
    bool,
    typer.Option("--debug", help="Log everything and show tracebacks, secrets masked."),
]


def parse_as_of(value: str | None) -> date:
    """The report date: ``YYYY-MM-DD``, or today in UTC."""
    if value is None:
        return datetime.now(UTC).date()
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            "--as-of must be a calendar date written YYYY-MM-DD."
        ) from None


def configure_logging(*, verbose: bool, debug: bool) -> None:
    """Send closient's log records to stderr when asked, with secrets masked."""
    if not (verbose or debug):
        return
    reset_logging()
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("closient_cli")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)


def reset_logging() -> None:
    """Remove what configure_logging attached, at the end of each command."""
    root = logging.getLogger("closient_cli")
    for handler in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(handler)
    root.setLevel(logging.NOTSET)


_HANDLER_NAME = "closient-stderr"
