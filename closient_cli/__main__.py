"""The command-line boundary: the one place where failures become exit statuses.

Every command runs inside :func:`run`, which prints a closient error as one sentence
(or, when JSON was asked for, one RFC 9457 problem object) on stderr and returns the
documented exit status. Tracebacks appear only with ``--debug``, with secrets masked.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from closient_cli.errors import (
    ClosientError,
    ExitStatus,
    InternalError,
    OrganizationsFailed,
    ValidationError,
)
from closient_cli.options import reset_logging
from closient_cli.redact import redact, remember, remember_url_password

_KEY_PREFIXES = ("csb_", "csu_", "cpk_")
_JSON_FORMATS = ("json", "jsonl")


def main() -> None:
    """Entry point of the ``closient`` console script."""
    sys.exit(run(sys.argv[1:]))


def run(args: Sequence[str]) -> int:
    """Run one command line and return its exit status."""
    args = list(args)
    _remember_secrets(args)
    wants_json = _wants_json(args)
    debug = "--debug" in args
    try:
        return _invoke(args)
    except ClosientError as error:
        return _fail(error, wants_json=wants_json)
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:
        return _closed_pipe()
    except SystemExit as exit_request:
        # Click answers a closed stdout with sys.exit(1) inside its EPIPE handler.
        if isinstance(exit_request.__context__, BrokenPipeError):
            return _closed_pipe()
        raise
    except Exception as error:
        usage = _usage_error_message(error)
        if usage is not None and type(error).__name__ == "NoArgsIsHelpError":
            # A bare `closient` or `closient triage`: the help, as --help shows it.
            sys.stderr.write(usage.rstrip("\n") + "\n")
            return ExitStatus.VALIDATION_ERROR
        if usage is not None:
            return _fail(ValidationError(usage), wants_json=wants_json)
        if debug:
            import traceback

            sys.stderr.write(redact(traceback.format_exc()))
        return _fail(
            InternalError(
                f"closient failed unexpectedly ({type(error).__name__}); "
                "rerun with --debug for details."
            ),
            wants_json=wants_json,
        )
    finally:
        reset_logging()


def _invoke(args: list[str]) -> int:
    from typer.main import get_command

    from closient_cli.cli import app

    command = get_command(app)
    result = command.main(args=args, prog_name="closient", standalone_mode=False)
    status = result if isinstance(result, int) else 0
    if status == ExitStatus.INTERRUPTED:
        sys.stderr.write("Interrupted.\n")
    return status


def _fail(error: ClosientError, *, wants_json: bool) -> int:
    failures = error.failures if isinstance(error, OrganizationsFailed) else (error,)
    try:
        for failure in failures:
            _report(failure, wants_json=wants_json)
    except BrokenPipeError:
        pass
    return int(error.exit_status)


def _report(error: ClosientError, *, wants_json: bool) -> None:
    from closient_cli.render import visible

    # Messages quote what the user or the database gave: keep each one line, inert.
    detail = visible(redact(error.detail))
    if wants_json:
        from closient_cli.render import problem_document, write_json

        write_json(problem_document(error, detail), sys.stderr)
    else:
        sys.stderr.write(detail + "\n")
        sys.stderr.flush()


def _usage_error_message(error: Exception) -> str | None:
    """The message of a command-line parsing error, which Typer raises itself."""
    exit_code = getattr(error, "exit_code", None)
    format_message = getattr(error, "format_message", None)
    if exit_code == ExitStatus.VALIDATION_ERROR and callable(format_message):
        return str(format_message())
    return None


def _closed_pipe() -> int:
    # The reader went away (closient ... | head -1): stop quietly, as cat does.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 141


def _wants_json(args: Sequence[str]) -> bool:
    """Whether errors should be problem objects: ``--json``, or a JSON ``--format``."""
    for position, arg in enumerate(args):
        if arg == "--json":
            return True
        name, _, inline = arg.partition("=")
        following = args[position + 1] if position + 1 < len(args) else ""
        if name == "--format" and (inline or following).lower() in _JSON_FORMATS:
            return True
    return False


def _remember_secrets(args: Sequence[str]) -> None:
    remember(os.environ.get("CLOSIENT_API_KEY"))
    remember_url_password(os.environ.get("CLOSIENT_DATABASE_URL"))
    for position, arg in enumerate(args):
        if arg.startswith(_KEY_PREFIXES):
            remember(arg)
        name, _, inline = arg.partition("=")
        following = args[position + 1] if position + 1 < len(args) else None
        value = inline or following
        if name == "--api-key":
            remember(value)
        elif name == "--database":
            remember_url_password(value)


if __name__ == "__main__":
    main()
