"""Failures a user can act on, each tied to one exit status and one problem type.

The core raises these; the command-line boundary (``closient_cli.__main__``) is the
only place that turns them into output and an exit status.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum


class ExitStatus(IntEnum):
    """Exit statuses of every closient command."""

    OK = 0
    INTERNAL_ERROR = 1
    VALIDATION_ERROR = 2
    UNAUTHORIZED = 3
    NOT_FOUND = 4
    UNAVAILABLE = 5
    INTERRUPTED = 130


class ClosientError(Exception):
    """A failure with a message meant for the person running the command."""

    exit_status = ExitStatus.INTERNAL_ERROR
    error_code = "internal_error"
    title = "Internal Server Error"
    http_status = 500
    retryable = False

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ValidationError(ClosientError):
    """An argument, option or setting is malformed."""

    exit_status = ExitStatus.VALIDATION_ERROR
    error_code = "validation_error"
    title = "Unprocessable Entity"
    http_status = 422


class Unauthorized(ClosientError):
    """No usable API key was presented."""

    exit_status = ExitStatus.UNAUTHORIZED
    error_code = "unauthorized"
    title = "Unauthorized"
    http_status = 401


class NotFound(ClosientError):
    """The organization does not exist or the caller may not read it."""

    exit_status = ExitStatus.NOT_FOUND
    error_code = "not_found"
    title = "Not Found"
    http_status = 404


class Unavailable(ClosientError):
    """The database cannot be reached or a query ran past its time limit."""

    exit_status = ExitStatus.UNAVAILABLE
    error_code = "unavailable"
    title = "Service Unavailable"
    http_status = 503
    retryable = True


class InternalError(ClosientError):
    """Something closient did not expect, such as SQL that does not fit the schema."""


class OrganizationsFailed(ClosientError):
    """Some organizations of a multi-organization run could not be read.

    The boundary reports each failure on its own line (or as its own problem object)
    and exits with the status of the first one.
    """

    def __init__(self, failures: Sequence[ClosientError]) -> None:
        if not failures:
            raise ValueError("OrganizationsFailed needs at least one failure")
        super().__init__(failures[0].detail)
        self.failures = tuple(failures)
        self.exit_status = failures[0].exit_status
