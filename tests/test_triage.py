"""closient triage and closient completeness, on both engines.

The lists are checked against the counters (same data, same report date) and against
rows selected in plain Python from CONTRACT section 2; the breakdown against
tests/reference.py.
"""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from closient_cli.catalogue import (
    Catalogue,
    CatalogueShape,
    add_key,
    add_user,
    generate,
)
from closient_cli.errors import ValidationError
from closient_cli.ids import short_id
from closient_cli.triage import normalize_gtin
from tests import reference
from tests.builders import AS_OF, World, stats_json
from tests.conftest import Invoke, Outcome, TestDatabase, installed_script

LISTS = (
    "broken-offers",
    "expiring-certifications",
    "missing-images",
    "incomplete-products",
)
FAILING = {"broken", "timeout", "dns_failure"}


def read(
    closient: Invoke,
    database: TestDatabase,
    key: str,
    *args: str,
    as_of: date = AS_OF,
) -> Outcome:
    return closient(
        *args,
        "--as-of",
        as_of.isoformat(),
        "--database",
        database.url,
        "--api-key",
        key,
    )


def envelope(outcome: Outcome) -> dict[str, Any]:
    assert outcome.status == 0, outcome.stderr
    assert outcome.stderr == ""
    document: dict[str, Any] = json.loads(outcome.stdout)
    return document


def random_catalogue(seed: int) -> tuple[Catalogue, date, str]:
    """A generated catalogue, its report date, and a key that reads every org."""
    rng = random.Random(seed)
    as_of = date(2026, 1, 1) + timedelta(days=rng.randint(0, 365))
    catalogue = generate(
        rng, as_of, CatalogueShape(organizations=3, products=rng.randint(60, 120))
    )
    organizations = [row["id"] for row in catalogue.of("organization_organization")]
    user = add_user(
        catalogue, rng, "reader@example.com", dict.fromkeys(organizations, "viewer")
    )
    return catalogue, as_of, add_key(catalogue, rng, "csu", user_id=user).key


def expected_rows(
    catalogue: Catalogue, organization: Any, as_of: date
) -> dict[str, list[Any]]:
    """Each list's rows in its order, chosen from the rows by CONTRACT section 2."""
    products = {
        row["id"]: row
        for row in catalogue.of("products_product")
        if row["owner_id"] == organization
    }
    with_images = {row["product_id"] for row in catalogue.of("products_productimage")}
    horizon = as_of + timedelta(days=60)
    expiring = [
        row
        for row in catalogue.of("certifications_certificationassignment")
        if row["product_id"] in products
        and row["expiry_date"] is not None
        and as_of <= row["expiry_date"] <= horizon
    ]
    failing = [
        row
        for row in catalogue.of("retailers_onlineoffer")
        if row["organization_id"] == organization and row["url_status"] in FAILING
    ]
    percentages = {
        product_id: reference.percentage(catalogue, product, as_of)
        for product_id, product in products.items()
    }
    return {
        "broken-offers": sorted(
            short_id(row["id"]) for row in failing
        ),  # same check time everywhere: the order is the id
        "expiring-certifications": [
            (
                short_id(row["id"]),
                row["expiry_date"].isoformat(),
                products[row["product_id"]]["gtin"],
            )
            for row in sorted(expiring, key=lambda row: (row["expiry_date"], row["id"]))
        ],
        "missing-images": sorted(
            product["gtin"]
            for product_id, product in products.items()
            if product_id not in with_images
        ),
        "incomplete-products": [
            (products[product_id]["gtin"], percentages[product_id])
            for product_id in sorted(
                (pid for pid, value in percentages.items() if value < 80),
                key=lambda pid: (percentages[pid], pid),
            )
        ],
    }


def shown_rows(list_name: str, data: list[dict[str, Any]]) -> list[Any]:
    """The part of each JSON row that expected_rows describes."""
    if list_name == "broken-offers":
        return sorted(row["offer_id"] for row in data)
    if list_name == "expiring-certifications":
        return [(row["assignment_id"], row["expiry_date"], row["gtin"]) for row in data]
    if list_name == "missing-images":
        return [row["gtin"] for row in data]
    return [(row["gtin"], row["percentage"]) for row in data]


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_list_totals_equal_counters_and_rows_follow_the_contract(
    closient: Invoke, database: TestDatabase, seed: int
) -> None:
    catalogue, as_of, key = random_catalogue(seed)
    database.write(catalogue)
    for organization in (
        row["id"] for row in catalogue.of("organization_organization")
    ):
        org = short_id(organization)
        counters = stats_json(
            read(closient, database, key, "stats", org, "--json", as_of=as_of).stdout
        )
        totals = {
            "broken-offers": counters["broken_offers"],
            "expiring-certifications": counters["expiring_certifications"],
            "missing-images": counters["missing_images"],
            "incomplete-products": counters["total_products"]
            - counters["complete_products"],
        }
        expected = expected_rows(catalogue, organization, as_of)
        for list_name in LISTS:
            document = envelope(
                read(
                    closient,
                    database,
                    key,
                    "triage",
                    list_name,
                    org,
                    "--json",
                    "--limit",
                    "100",
                    as_of=as_of,
                )
            )
            assert document["pagination"]["total_count"] == totals[list_name]
            assert document["pagination"]["has_next"] is False
            assert shown_rows(list_name, document["data"]) == expected[list_name]


def paged_world() -> World:
    """Ties everywhere: equal check times, expiry dates and percentages."""
    world = World()
    checked = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    for number in range(23):
        product = world.product(product_name=f"Product {number}")
        world.online_offer(product, url_status="broken")
        world.catalogue.of("retailers_onlineoffer")[-1]["url_checked_at"] = (
            None if number % 5 == 0 else checked + timedelta(days=number % 3)
        )
        world.certification(product, AS_OF + timedelta(days=number % 4))
        if number % 3 == 0:
            world.images(product, 1)
    return world


@pytest.mark.parametrize("list_name", LISTS)
def test_paging_covers_every_row_exactly_once(
    closient: Invoke, database: TestDatabase, list_name: str
) -> None:
    world = paged_world()
    database.write(world.catalogue)
    whole = envelope(
        read(
            closient,
            database,
            world.key,
            "triage",
            list_name,
            world.org_short,
            "--json",
            "--limit",
            "100",
        )
    )
    total = whole["pagination"]["total_count"]
    assert total == len(whole["data"]) > 7
    pages = []
    for number in range(1, 100):
        document = envelope(
            read(
                closient,
                database,
                world.key,
                "triage",
                list_name,
                world.org_short,
                "--json",
                "--limit",
                "7",
                "--page",
                str(number),
            )
        )
        assert document["pagination"] == {
            "page": number,
            "page_size": 7,
            "total_count": total,
            "total_pages": (total + 6) // 7,
            "has_next": number * 7 < total,
            "has_previous": number > 1,
        }
        pages.extend(document["data"])
        if not document["pagination"]["has_next"]:
            break
    assert pages == whole["data"]
    identities = [json.dumps(row, sort_keys=True) for row in pages]
    assert len(set(identities)) == len(identities)
    past = envelope(
        read(
            closient,
            database,
            world.key,
            "triage",
            list_name,
            world.org_short,
            "--json",
            "--limit",
            "7",
            "--page",
            str(number + 1),
        )
    )
    assert past["data"] == []
    assert past["pagination"]["total_count"] == total
    assert past["pagination"]["has_next"] is False


def test_broken_offers_are_most_recently_checked_first(
    closient: Invoke, database: TestDatabase
) -> None:
    world = paged_world()
    database.write(world.catalogue)
    data = envelope(
        read(
            closient,
            database,
            world.key,
            "triage",
            "broken-offers",
            world.org_short,
            "--json",
            "--limit",
            "100",
        )
    )["data"]
    checks = [row["url_checked_at"] for row in data]
    known = [check for check in checks if check is not None]
    assert known == sorted(known, reverse=True)
    assert checks[len(known) :] == [None] * (len(checks) - len(known))
    assert checks[0] == "2026-03-03T09:00:00+00:00"


SOME_ORG = short_id("00000000-0000-4000-8000-000000000001")
UNKNOWN_ORG = "00000000-0000-4000-8000-000000000000"
HOSTILE = '[red]x[/]\x1b[31m,"q"\n=1+2'


@pytest.mark.parametrize("list_name", LISTS)
def test_csv_round_trips_every_row(
    closient: Invoke, database: TestDatabase, list_name: str
) -> None:
    world = paged_world()
    product = world.product(product_name=HOSTILE)
    world.online_offer(product, url_status="timeout")
    world.catalogue.of("retailers_onlineoffer")[-1]["url"] = 'https://e.x/a,b"c'
    world.certification(product, AS_OF)
    database.write(world.catalogue)
    outcome = read(
        closient,
        database,
        world.key,
        "triage",
        list_name,
        world.org_short,
        "--format",
        "csv",
        "--limit",
        "3",
    )
    assert outcome.status == 0, outcome.stderr
    rows = list(csv.DictReader(io.StringIO(outcome.stdout, newline="")))
    data = envelope(
        read(
            closient,
            database,
            world.key,
            "triage",
            list_name,
            world.org_short,
            "--json",
            "--limit",
            "100",
        )
    )["data"]
    assert len(rows) == len(data) > 3  # every row, whatever --limit says
    for row, expected in zip(rows, data, strict=True):
        assert row == {
            name: ";".join(value)
            if isinstance(value, list)
            else ""
            if value is None
            else str(value)
            for name, value in expected.items()
        }
    assert HOSTILE in {row["product_name"] for row in rows}


def test_csv_of_an_empty_list_is_its_header(
    closient: Invoke, database: TestDatabase
) -> None:
    world = World()
    database.write(world.catalogue)
    outcome = read(
        closient,
        database,
        world.key,
        "triage",
        "missing-images",
        world.org_short,
        "--format",
        "csv",
    )
    assert outcome.status == 0, outcome.stderr
    assert outcome.stdout == "product_id,gtin,product_name\r\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("40170725", "00000040170725"),
        ("012345678905", "00012345678905"),
        ("4006381333931", "04006381333931"),
        ("04006381333931", "04006381333931"),
        ("400-6381 333931", "04006381333931"),
        (" 4006381333931 ", "04006381333931"),
    ],
)
def test_gtins_are_normalized_to_14_digits(text: str, expected: str) -> None:
    assert normalize_gtin(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "1234567",
        "123456789",
        "12345678901",
        "123456789012345",
        "4006381333931x",
        "4006381.333931",
        "٤٠٠٦٣٨١٣٣٣٩٣١",
        "40063813_33931",
        "+40170725",
    ],
)
def test_malformed_gtins_are_refused(text: str, closient: Invoke) -> None:
    with pytest.raises(ValidationError):
        normalize_gtin(text)
    outcome = closient("completeness", SOME_ORG, text, "--json")
    assert outcome.status == 2
    assert json.loads(outcome.stderr)["error_code"] == "validation_error"


def test_completeness_finds_a_product_by_any_gtin_form(
    closient: Invoke, database: TestDatabase
) -> None:
    world = World()
    world.product(gtin="04006381333931", product_name="Thirteen")
    world.product(gtin="00000040170725", product_name="Eight")
    database.write(world.catalogue)
    for text in ("4006381333931", "0400-6381 333931", "40170725", "0000 4017 0725"):
        document = envelope(
            read(
                closient,
                database,
                world.key,
                "completeness",
                world.org_short,
                text,
                "--json",
            )
        )
        assert document["percentage"] == 14  # the name alone


def test_breakdown_equals_the_percentage_behind_the_counters(
    closient: Invoke, database: TestDatabase
) -> None:
    catalogue, as_of, key = random_catalogue(21)
    database.write(catalogue)
    organization = catalogue.of("organization_organization")[0]["id"]
    org = short_id(organization)
    products = [
        row
        for row in catalogue.of("products_product")
        if row["owner_id"] == organization
    ]
    percentages = []
    for product in products:
        document = envelope(
            read(
                closient,
                database,
                key,
                "completeness",
                org,
                product["gtin"],
                "--json",
                as_of=as_of,
            )
        )
        scores = reference.scores(catalogue, product, as_of)
        assert document == {
            "percentage": reference.percentage(catalogue, product, as_of),
            "fields": {
                group: {
                    "score": float(score),
                    "weight": float(reference.WEIGHTS[group]),
                }
                for group, score in scores.items()
            },
        }
        percentages.append(document["percentage"])
    counters = stats_json(
        read(closient, database, key, "stats", org, "--json", as_of=as_of).stdout
    )
    assert counters["total_products"] == len(products)
    assert counters["complete_products"] == sum(value >= 80 for value in percentages)
    mean = Decimal(sum(percentages)) / len(percentages)
    assert counters["avg_completeness"] == mean.quantize(1, rounding=ROUND_HALF_UP)


def test_breakdown_table_says_what_would_raise_each_group(
    closient: Invoke, database: TestDatabase
) -> None:
    world = World()
    product = world.product(product_name="Half", description="short")
    world.images(product, 1)
    database.write(world.catalogue)
    outcome = read(
        closient, database, world.key, "completeness", world.org_short, "00000000000001"
    )
    assert outcome.status == 0, outcome.stderr
    lines = outcome.stdout.splitlines()
    images = next(line for line in lines if line.startswith("│ images"))
    assert "0.5 │   0.20 │     10 │ add a second image" in images
    description = next(line for line in lines if line.startswith("│ description"))
    assert "0.5 │   0.16 │      8 │ lengthen the description" in description
    total = next(line for line in lines if line.startswith("│ Total"))
    assert "32%" in total  # 14 + 8 + 10


def test_database_text_is_printed_inert(
    closient: Invoke, database: TestDatabase
) -> None:
    world = World()
    world.catalogue.of("organization_organization")[0]["name"] = "[blink]Org[/]\x1b[5m"
    product = world.product(product_name="[red]x[/]\x1b[31m")
    world.online_offer(product, url_status="broken")
    world.catalogue.of("retailers_onlineoffer")[-1]["url"] = (
        "https://e.x/[bold]b[/]\x1b]8;;https://evil.example\x07"
    )
    world.certification(product, AS_OF)
    world.catalogue.of("certifications_certification")[-1]["label"] = "[i]L[/]\x9b2J"
    database.write(world.catalogue)
    outputs = [
        read(closient, database, world.key, "triage", name, world.org_short)
        for name in LISTS
    ]
    outputs.append(
        read(
            closient,
            database,
            world.key,
            "completeness",
            world.org_short,
            "00000000000001",
        )
    )
    for outcome in outputs:
        assert outcome.status == 0, outcome.stderr
        assert "[blink]Org[/]\\u001b[5m" in outcome.stdout
        for control in ("\x1b", "\x07", "\x9b"):
            assert control not in outcome.stdout
    text = "".join(outcome.stdout for outcome in outputs)
    assert text.count("[red]x[/]\\u001b[31m") == 5
    assert "[bold]b[/]\\u001b]8;;" in text
    assert "[i]L[/]\\u009b2J" in text


@pytest.mark.parametrize(
    "command",
    [*(("triage", name) for name in LISTS), ("completeness",)],
    ids=[*LISTS, "completeness"],
)
def test_access_errors(
    closient: Invoke, database: TestDatabase, command: tuple[str, ...]
) -> None:
    world = World()
    world.product(gtin="00000000000777")
    publishable = add_key(world.catalogue, world.rng, "cpk", organization_id=world.org)
    database.write(world.catalogue)
    gtin = ("00000000000777",) if command == ("completeness",) else ()

    def run(org: str, key: str) -> Outcome:
        return read(closient, database, key, *command, org, *gtin)

    assert run(world.org_short, world.key).status == 0
    assert run(world.org_short, publishable.key).status == 3
    assert run(world.org_short, "csu_" + "a" * 32 + "_00000000").status == 3
    rival = run(short_id(world.other), world.key)
    unknown = run(UNKNOWN_ORG, world.key)
    assert (rival.status, unknown.status) == (4, 4)
    assert rival.stdout == unknown.stdout == ""
    no_key = closient(*command, world.org_short, *gtin, "--database", database.url)
    assert no_key.status == 3


def test_a_foreign_product_answers_like_an_unknown_one(
    closient: Invoke, database: TestDatabase
) -> None:
    world = World()
    world.product(owner=world.other, gtin="00000000000555")
    world.product(owner=None, gtin="00000000000556")
    database.write(world.catalogue)
    answers = [
        read(
            closient,
            database,
            world.key,
            "completeness",
            world.org_short,
            gtin,
            "--json",
        )
        for gtin in ("00000000000555", "00000000000556", "00000000000557")
    ]
    details = set()
    for outcome, gtin in zip(answers, ("555", "556", "557"), strict=True):
        assert outcome.status == 4
        assert outcome.stdout == ""
        problem = json.loads(outcome.stderr)
        assert problem["error_code"] == "not_found"
        details.add(problem["detail"].replace(gtin, "..."))
    assert len(details) == 1


@pytest.mark.parametrize(
    "options",
    [
        ("--limit", "0"),
        ("--limit", "101"),
        ("--limit", "ten"),
        ("--page", "0"),
        ("--page", "-1"),
        ("--page", "1000000001"),
        ("--below", "0"),
        ("--below", "101"),
        ("--json", "--format", "csv"),
        ("--format", "xml"),
    ],
)
def test_malformed_list_options_exit_2(
    closient: Invoke, options: tuple[str, ...]
) -> None:
    outcome = closient("triage", "incomplete-products", SOME_ORG, *options)
    assert outcome.status == 2
    assert outcome.stdout == ""
    assert outcome.stderr.count("\n") == 1


def test_format_json_errors_are_problem_objects(closient: Invoke) -> None:
    outcome = closient("triage", "missing-images", "not-an-id", "--format", "json")
    assert outcome.status == 2
    assert json.loads(outcome.stderr)["error_code"] == "validation_error"


def test_help_and_argument_errors_never_import_the_database_libraries() -> None:
    for args in (
        ("triage", "incomplete-products", "--help"),
        ("completeness", SOME_ORG, "12345"),
    ):
        process = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "closient_cli", *args],
            capture_output=True,
            text=True,
            check=False,
        )
        imported = {
            line.split("|")[-1].strip().split(".")[0]
            for line in process.stderr.splitlines()
            if line.startswith("import time:")
        }
        assert not imported & {"sqlalchemy", "psycopg"}
        assert process.returncode == (0 if "--help" in args else 2)


def test_the_installed_script_exits_with_the_documented_status(
    database: TestDatabase,
) -> None:
    process = subprocess.run(
        [
            installed_script(),
            "triage",
            "broken-offers",
            SOME_ORG,
            "--database",
            database.url,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 3
    assert process.stdout == ""
    assert process.stderr.count("\n") == 1
