"""Triage: the rows behind the dashboard counters, and one product's completeness.

Every list counts its total with the same SQL as its counter (the conditions live once,
in ``sql/predicates``), and reads one page of rows, or streams every row, in the same
read-only snapshot. The completeness breakdown filters ``completeness/product_scores``
by GTIN, so it shows exactly the points the counters add up.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from closient_cli.access import Organization
from closient_cli.errors import InternalError, NotFound, ValidationError
from closient_cli.ids import short_id
from closient_cli.queries import fetch_all, fetch_one, load, stream_all
from closient_cli.report import DEFAULT_RETRIES, DEFAULT_TIMEOUT, Reader, reading
from closient_cli.stats import ALL_ROWS, COMPLETE_AT, report_params

if TYPE_CHECKING:
    from closient_cli.settings import Settings

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100  # the platform's largest page
MAX_PAGE = 10**9  # keeps the OFFSET within a 64-bit integer on both engines
GTIN_LENGTHS = (8, 12, 13, 14)
_GTIN_SEPARATORS = re.compile(r"[ -]")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Group:
    """A completeness group: its full points (weight times 100) and how to raise it.

    The conditions that score a group live only in completeness/product_scores; this
    table turns the points that file returns back into a score and a suggestion.
    """

    name: str
    full_points: int
    to_half: str
    to_full: str

    @property
    def weight(self) -> float:
        return self.full_points / 100


GROUPS = (
    Group("name", 14, "", "add a product name"),
    Group(
        "description",
        16,
        "write a description",
        "lengthen the description to 50 characters or more",
    ),
    Group("brand", 10, "", "set the brand"),
    Group("category", 10, "", "set the category"),
    Group("images", 20, "add an image", "add a second image"),
    Group("nutrition", 6, "", "record the nutrition panel"),
    Group("certifications", 6, "", "add a certification that has not expired"),
    Group("offers", 8, "", "list an active in-store or online offer"),
    Group("country", 10, "", "set the country of origin"),
)


@dataclass(frozen=True)
class GroupScore:
    """One group of one product: score 0, 0.5 or 1, its weight, points and advice."""

    group: str
    score: float
    weight: float
    points: int
    advice: str


def score_groups(row: Mapping[str, Any]) -> tuple[GroupScore, ...]:
    """The nine groups of a product_scores row (its ``<group>_points`` columns)."""
    return tuple(
        _score_group(group, int(row[f"{group.name}_points"])) for group in GROUPS
    )


def _score_group(group: Group, points: int) -> GroupScore:
    if points == group.full_points:
        score, advice = 1.0, ""
    elif points * 2 == group.full_points:
        score, advice = 0.5, group.to_full
    elif points == 0:
        score, advice = 0.0, group.to_half or group.to_full
    else:
        raise InternalError(
            f"completeness/product_scores gave {points} points to group {group.name}, "
            f"which is neither 0, half nor all of its {group.full_points}."
        )
    return GroupScore(group.name, score, group.weight, points, advice)


def normalize_gtin(text: str) -> str:
    """A GTIN-8, -12, -13 or -14 as the 14 digits the platform stores."""
    digits = _GTIN_SEPARATORS.sub("", text)
    if not _DIGITS.fullmatch(digits) or len(digits) not in GTIN_LENGTHS:
        raise ValidationError(
            "The GTIN must have 8, 12, 13 or 14 digits "
            "(spaces and hyphens between them are allowed)."
        )
    return digits.zfill(14)


# The rows of each list.


@dataclass(frozen=True)
class BrokenOffer:
    offer_id: str
    gtin: str
    product_name: str
    url: str
    url_status: str
    status: str
    url_checked_at: datetime | None


@dataclass(frozen=True)
class ExpiringCertification:
    assignment_id: str
    gtin: str
    product_name: str
    certification_code: str
    certification_label: str
    expiry_date: date
    days_left: int


@dataclass(frozen=True)
class MissingImage:
    product_id: str
    gtin: str
    product_name: str


@dataclass(frozen=True)
class IncompleteProduct:
    product_id: str
    gtin: str
    product_name: str
    percentage: int
    missing: tuple[str, ...]
    partial: tuple[str, ...]


Row = BrokenOffer | ExpiringCertification | MissingImage | IncompleteProduct


def _broken_offer(row: Mapping[str, Any], as_of: date) -> BrokenOffer:
    return BrokenOffer(
        offer_id=short_id(row["id"]),
        gtin=_gtin(row["gtin"]),
        product_name=str(row["product_name"]),
        url=str(row["url"]),
        url_status=str(row["url_status"]),
        status=str(row["status"]),
        url_checked_at=_timestamp(row["url_checked_at"]),
    )


def _expiring_certification(
    row: Mapping[str, Any], as_of: date
) -> ExpiringCertification:
    expiry = _date(row["expiry_date"])
    return ExpiringCertification(
        assignment_id=short_id(row["id"]),
        gtin=_gtin(row["gtin"]),
        product_name=str(row["product_name"]),
        certification_code=str(row["code"]),
        certification_label=str(row["label"]),
        expiry_date=expiry,
        days_left=(expiry - as_of).days,
    )


def _missing_image(row: Mapping[str, Any], as_of: date) -> MissingImage:
    return MissingImage(
        product_id=short_id(row["id"]),
        gtin=_gtin(row["gtin"]),
        product_name=str(row["product_name"]),
    )


def _incomplete_product(row: Mapping[str, Any], as_of: date) -> IncompleteProduct:
    groups = score_groups(row)
    return IncompleteProduct(
        product_id=short_id(row["id"]),
        gtin=_gtin(row["gtin"]),
        product_name=str(row["product_name"]),
        percentage=int(row["percentage"]),
        missing=tuple(group.group for group in groups if group.score == 0),
        partial=tuple(group.group for group in groups if group.score == 0.5),
    )


@dataclass(frozen=True)
class TriageList:
    """One list: the counter it stands behind, its SQL, and how a row is read."""

    name: str
    counter: str
    count_query: str
    rows_query: str
    row_type: type[Row]
    make_row: Callable[[Mapping[str, Any], date], Row]

    @property
    def columns(self) -> tuple[str, ...]:
        """The keys of a row's JSON object and the CSV header."""
        return tuple(field.name for field in fields(self.row_type))


LISTS = {
    triage.name: triage
    for triage in (
        TriageList(
            "broken-offers",
            "broken_offers",
            "counters/broken_offers",
            "triage/broken_offers",
            BrokenOffer,
            _broken_offer,
        ),
        TriageList(
            "expiring-certifications",
            "expiring_certifications",
            "counters/expiring_certifications",
            "triage/expiring_certifications",
            ExpiringCertification,
            _expiring_certification,
        ),
        TriageList(
            "missing-images",
            "missing_images",
            "counters/missing_images",
            "triage/missing_images",
            MissingImage,
            _missing_image,
        ),
        TriageList(
            "incomplete-products",
            "complete_products",
            "triage/incomplete_products_count",
            "triage/incomplete_products",
            IncompleteProduct,
            _incomplete_product,
        ),
    )
}


@dataclass(frozen=True)
class ListRequest:
    """What ``closient triage <list>`` was asked for."""

    list_name: str
    organization_id: uuid.UUID
    as_of: date
    settings: Settings
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    below: int = COMPLETE_AT

    def __post_init__(self) -> None:
        if self.list_name not in LISTS:
            raise ValidationError(f"There is no triage list called {self.list_name}.")
        if not 1 <= self.page <= MAX_PAGE:
            raise ValidationError(f"--page must be from 1 to {MAX_PAGE:,}.")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValidationError(f"--limit must be from 1 to {MAX_PAGE_SIZE}.")
        if not 1 <= self.below <= 100:
            raise ValidationError("--below must be from 1 to 100.")

    @property
    def triage(self) -> TriageList:
        return LISTS[self.list_name]

    def params(self) -> dict[str, Any]:
        return {
            **report_params(self.organization_id, self.as_of),
            "complete_at": self.below,
        }


@dataclass(frozen=True)
class Pagination:
    """Where a page sits in the whole list, as the platform's list envelope says."""

    page: int
    page_size: int
    total_count: int

    @property
    def total_pages(self) -> int:
        return -(-self.total_count // self.page_size)

    @property
    def has_next(self) -> bool:
        return self.page < self.total_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def as_dict(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "page_size": self.page_size,
            "total_count": self.total_count,
            "total_pages": self.total_pages,
            "has_next": self.has_next,
            "has_previous": self.has_previous,
        }


@dataclass(frozen=True)
class ListPage:
    """One page of a list, read in one snapshot with the total it belongs to."""

    list_name: str
    organization: Organization
    as_of: date
    below: int
    rows: tuple[Row, ...]
    pagination: Pagination

    def envelope(self) -> dict[str, Any]:
        return {
            "data": [record(row) for row in self.rows],
            "pagination": self.pagination.as_dict(),
        }


def run_list(request: ListRequest) -> ListPage:
    """One page of a list and its total, access and rows from one snapshot.

    A rows query may count the whole list in the same pass (a ``total_count``
    column); otherwise, or when the page is empty, the count query gives the total.
    """
    triage = request.triage
    params = request.params()
    offset = (request.page - 1) * request.page_size
    with reading(request.settings, request.timeout, request.retries) as reader:
        organization = reader.organization(request.organization_id)
        rows = fetch_all(
            reader.connection,
            load(triage.rows_query, reader.dialect),
            {**params, "limit": request.page_size, "offset": offset},
        )
        if rows and "total_count" in rows[0]:
            total = rows[0]["total_count"]
        else:
            query = load(triage.count_query, reader.dialect)
            total = _first_value(fetch_one(reader.connection, query, params))
    return ListPage(
        list_name=triage.name,
        organization=organization,
        as_of=request.as_of,
        below=request.below,
        rows=tuple(triage.make_row(row, request.as_of) for row in rows),
        pagination=Pagination(request.page, request.page_size, int(total)),
    )


@contextmanager
def every_row(request: ListRequest) -> Iterator[Iterator[Row]]:
    """Every row of a list, streamed from one snapshot while the context is open."""
    triage = request.triage
    params = {**request.params(), "limit": ALL_ROWS, "offset": 0}
    with reading(request.settings, request.timeout, request.retries) as reader:
        reader.organization(request.organization_id)
        rows = stream_all(
            reader.connection, load(triage.rows_query, reader.dialect), params
        )
        yield (triage.make_row(row, request.as_of) for row in rows)


def record(row: Row) -> dict[str, Any]:
    """A row as JSON-ready values: ISO dates and times, lists for tuples."""
    return {field.name: _plain(getattr(row, field.name)) for field in fields(row)}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


# One product's completeness.


@dataclass(frozen=True)
class BreakdownRequest:
    """What ``closient completeness`` was asked for."""

    organization_id: uuid.UUID
    gtin: str
    as_of: date
    settings: Settings
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES


@dataclass(frozen=True)
class Breakdown:
    """One product's completeness, group by group, on one report date."""

    organization: Organization
    as_of: date
    product_id: str
    gtin: str
    product_name: str
    percentage: int
    groups: tuple[GroupScore, ...]

    def platform_document(self) -> dict[str, Any]:
        """The shape of the platform's completeness endpoint."""
        return {
            "percentage": self.percentage,
            "fields": {
                group.group: {"score": group.score, "weight": group.weight}
                for group in self.groups
            },
        }


def run_breakdown(request: BreakdownRequest) -> Breakdown:
    """One product's breakdown, or NotFound when the organization has no such GTIN."""
    with reading(request.settings, request.timeout, request.retries) as reader:
        organization = reader.organization(request.organization_id)
        row = _product_scores(reader, request)
    if row is None:
        raise NotFound(
            f"Organization {organization.short_id} has no product with GTIN "
            f"{request.gtin}."
        )
    return Breakdown(
        organization=organization,
        as_of=request.as_of,
        product_id=short_id(row["id"]),
        gtin=_gtin(row["gtin"]),
        product_name=str(row["product_name"]),
        percentage=int(row["percentage"]),
        groups=score_groups(row),
    )


def _product_scores(
    reader: Reader, request: BreakdownRequest
) -> Mapping[str, Any] | None:
    params = {
        **report_params(request.organization_id, request.as_of),
        "gtin": request.gtin,
    }
    return fetch_one(
        reader.connection, load("triage/product_breakdown", reader.dialect), params
    )


# Values as the two engines return them.


def _first_value(row: Mapping[str, Any] | None) -> Any:
    return next(iter(row.values())) if row else 0


def _gtin(value: Any) -> str:
    return str(value).rstrip(" ")


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _timestamp(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # SQLite keeps UTC text
    return moment.astimezone(UTC)
