"""closient stats over many organizations: every format read back by a real parser."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from closient_cli.ids import short_id
from closient_cli.stats import DashboardStats
from tests.conftest import Invoke, Outcome, TestDatabase
from tests.fleet_world import AS_OF, MEMBER_EMAIL, Fleet

COUNTERS = list(DashboardStats.names())
RECORD_KEYS = ["organization_id", "organization_name", "as_of", "generated_at"]
RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@pytest.fixture
def fleet(database: TestDatabase) -> Fleet:
    world = Fleet()
    database.write(world.catalogue)
    return world


def stats(closient: Invoke, database: TestDatabase, key: str, *args: str) -> Outcome:
    return closient(
        "stats",
        *args,
        "--as-of",
        AS_OF.isoformat(),
        "--database",
        database.url,
        "--api-key",
        key,
    )


def by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record["organization_id"]: record for record in records}


def check_record(fleet: Fleet, record: dict[str, Any]) -> None:
    assert list(record) == RECORD_KEYS + COUNTERS
    organization = next(
        org for org in fleet.organizations if short_id(org) == record["organization_id"]
    )
    assert record["organization_name"] == fleet.name(organization)
    assert record["as_of"] == AS_OF.isoformat()
    assert RFC3339_UTC.fullmatch(record["generated_at"])
    assert {name: record[name] for name in COUNTERS} == fleet.expected(organization)


def test_all_as_json_is_an_array_of_the_user_keys_organizations(
    closient: Invoke, database: TestDatabase, fleet: Fleet
) -> None:
    outcome = stats(closient, database, fleet.user_key, "--all", "--format", "json")
    assert outcome.status == 0, outcome.stderr
    assert outcome.stderr == ""
    records = json.loads(outcome.stdout)
    assert isinstance(records, list)
    assert set(by_id(records)) == {short_id(org) for org in fleet.readable}
    for record in records:
        check_record(fleet, record)


def test_all_with_a_business_key_reads_its_own_organization(
    closient: Invoke, database: TestDatabase, fleet: Fleet
) -> None:
    outcome = stats(closient, database, fleet.business_key, "--all", "--json")
    assert outcome.status == 0, outcome.stderr
    records = json.loads(outcome.stdout)
    assert [record["organization_id"] for record in records] == [
        short_id(fleet.organizations[1])
    ]
    check_record(fleet, records[0])


def test_all_without_memberships_is_an_empty_report(
    closient: Invoke, database: TestDatabase, fleet: Fleet
) -> None:
    outcome = stats(closient, database, fleet.stranger_key, "--all", "--json")
    assert (outcome.status, json.loads(outcome.stdout)) == (0, [])


def test_jsonl_is_one_object_per_line(
    closient: Invoke, database: TestDatabase, fleet: Fleet
) -> None:
    ids = [short_id(org) for org in fleet.readable]
    outcome = stats(closient, database, fleet.user_key, *ids, "--format", "jsonl")
    assert outcome.status == 0, outcome.stderr
    lines = outcome.stdout.splitlines()
    assert len(lines) == 2
    records = [json.loads(line) for line in lines]
    assert [record["organization_id"] for record in records] == ids
    for record in records:
        check_record(fleet, record)


def test_csv_has_a_header_and_a_row_per_organization(
    closient: Invoke, database: TestDatabase, fleet: Fleet
) -> None:
    outcome = stats(closient, database, fleet.user_key, "--all", "--format", "csv")
    assert outcome.status == 0, outcome.stderr
    reader = csv.DictReader(io.StringIO(outcome.stdout, newline=""))
    assert reader.fieldnames == RECORD_KEYS + COUNTERS
    rows = list(reader)
    assert len(rows) == 2
    for row in rows:
        record: dict[str, Any] = dict(row)
        record.update({name: int(row[name]) for name in COUNTERS})
        check_record(fleet, record)


def test_prometheus_exposition_parses_back(
    closient: Invoke, database: TestDatabase, fleet: Fleet
) -> None:
    outcome = stats(
        closient, database, fleet.user_key, "--all", "--format", "prometheus"
    )
    assert outcome.status == 0, outcome.stderr
    assert outcome.stdout.endswith("\n")
    families = {
        family.name: family for family in text_string_to_metric_families(outcome.stdout)
    }
    expected = fleet.expected_by_short_id(fleet.readable)
    for counter in COUNTERS:
        family = families[f"closient_{counter}"]
        assert family.type == "gauge"
        assert family.documentation
        values = {
            sample.labels["organization_id"]: sample.value for sample in family.samples
        }
        assert values == {
            org: counters[counter]  # type: ignore[index]
            for org, counters in expected.items()
        }
    for run_gauge in (
        "closient_stats_duration_seconds",
        "closient_stats_last_success_timestamp_seconds",
        "closient_stats_organizations_failed",
    ):
        assert families[run_gauge].type == "gauge"
    assert families["closient_stats_duration_seconds"].samples[0].value >= 0
    assert families["closient_stats_organizations_failed"].samples[0].value == 0
    assert (
        families["closient_stats_last_success_timestamp_seconds"].samples[0].value
        > AS_OF.toordinal()
    )
    assert outcome.stdout.count("# HELP ") == outcome.stdout.count("# TYPE ")


def test_one_organization_as_json_keeps_the_contract_shape(
    closient: Invoke, database: TestDatabase, fleet: Fleet
) -> None:
    organization = fleet.readable[0]
    outcome = stats(
        closient, database, fleet.user_key, short_id(organization), "--format", "json"
    )
    assert outcome.status == 0, outcome.stderr
    document = json.loads(outcome.stdout)
    assert list(document) == COUNTERS
    assert document == fleet.expected(organization)


def test_table_has_a_row_per_organization_with_inert_names(
    closient: Invoke, database: TestDatabase, fleet: Fleet
) -> None:
    outcome = stats(closient, database, fleet.user_key, "--all", "--no-color")
    assert outcome.status == 0, outcome.stderr
    assert "[bold]Foods[/]" in outcome.stdout
    assert "Über Goods\\u0009Ltd" in outcome.stdout
    for organization in fleet.readable:
        assert short_id(organization) in outcome.stdout
    assert short_id(fleet.unreadable) not in outcome.stdout


def test_unreadable_organization_among_readable_ones(
    closient: Invoke, database: TestDatabase, fleet: Fleet
) -> None:
    first, second = (short_id(org) for org in fleet.readable)
    hidden = short_id(fleet.unreadable)
    outcome = stats(
        closient, database, fleet.user_key, first, hidden, second, "--format", "jsonl"
    )
    assert outcome.status == 4
    printed = [
        json.loads(line)["organization_id"] for line in outcome.stdout.splitlines()
    ]
    assert printed == [first, second]
    problems = [json.loads(line) for line in outcome.stderr.splitlines()]
    assert len(problems) == 1
    assert problems[0]["error_code"] == "not_found"
    assert hidden in problems[0]["detail"]


def test_each_failure_is_one_plain_line_and_the_first_sets_the_status(
    closient: Invoke, database: TestDatabase, fleet: Fleet
) -> None:
    hidden = short_id(fleet.unreadable)
    missing = "2222222222222222222222"
    outcome = stats(
        closient, database, fleet.user_key, hidden, short_id(fleet.readable[0]), missing
    )
    assert outcome.status == 4
    lines = outcome.stderr.splitlines()
    assert len(lines) == 2
    assert hidden in lines[0]
    assert missing in lines[1]
    assert short_id(fleet.readable[0]) in outcome.stdout


@pytest.mark.parametrize(
    "json_flag", [("--format=json",), ("--format", "JSON"), ("--format", "jsonl")]
)
def test_json_formats_report_failures_as_problem_objects(
    closient: Invoke, database: TestDatabase, fleet: Fleet, json_flag: tuple[str, ...]
) -> None:
    outcome = stats(
        closient, database, fleet.user_key, short_id(fleet.unreadable), *json_flag
    )
    assert (outcome.status, outcome.stdout) == (4, "")
    problem = json.loads(outcome.stderr)
    assert problem["error_code"] == "not_found"


def test_every_named_organization_failing_prints_nothing(
    closient: Invoke, database: TestDatabase, fleet: Fleet
) -> None:
    outcome = stats(
        closient,
        database,
        fleet.business_key,
        short_id(fleet.organizations[0]),
        short_id(fleet.unreadable),
        "--json",
    )
    assert (outcome.status, outcome.stdout) == (4, "")
    assert [json.loads(line)["status"] for line in outcome.stderr.splitlines()] == [
        404,
        404,
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--all", "2222222222222222222222"), "not both"),
        ((), "at least one organization"),
        (("--all", "--json", "--format", "csv"), "--json means --format json"),
        (("--all", "--format", "xml"), "xml"),
        (("--all", "--retries", "-1"), "--retries"),
    ],
    ids=["all-and-ids", "nothing", "json-and-csv", "unknown-format", "retries"],
)
def test_contradictory_options_are_validation_errors(
    closient: Invoke, args: tuple[str, ...], message: str
) -> None:
    outcome = closient(
        "stats", *args, "--database", "sqlite:///nowhere.sqlite3", "--api-key", "x"
    )
    assert outcome.status == 2
    assert message in outcome.stderr
    assert outcome.stdout == ""


def test_orgs_lists_what_the_key_may_read_with_roles(
    closient: Invoke, database: TestDatabase, fleet: Fleet
) -> None:
    outcome = closient(
        "orgs", "--json", "--database", database.url, "--api-key", fleet.user_key
    )
    assert outcome.status == 0, outcome.stderr
    listed = {row["organization_id"]: row for row in json.loads(outcome.stdout)}
    first, second = fleet.readable
    assert listed == {
        short_id(first): {
            "organization_id": short_id(first),
            "organization_name": fleet.name(first),
            "role": "viewer",
        },
        short_id(second): {
            "organization_id": short_id(second),
            "organization_name": fleet.name(second),
            "role": "owner",
        },
    }
    table = closient(
        "orgs", "--database", database.url, "--api-key", fleet.business_key
    )
    assert table.status == 0, table.stderr
    assert short_id(second) in table.stdout
    assert short_id(first) not in table.stdout


def test_whoami_names_the_owner_of_the_key_never_the_key(
    closient: Invoke, database: TestDatabase, fleet: Fleet
) -> None:
    user = closient(
        "whoami", "--json", "--database", database.url, "--api-key", fleet.user_key
    )
    assert user.status == 0, user.stderr
    assert json.loads(user.stdout) == {
        "key_kind": "user",
        "key_prefix": "csu",
        "user_email": MEMBER_EMAIL,
        "organization_id": None,
        "organization_name": None,
    }
    business = closient(
        "whoami", "--database", database.url, "--api-key", fleet.business_key
    )
    assert business.status == 0, business.stderr
    assert short_id(fleet.organizations[1]) in business.stdout
    assert "business" in business.stdout
    for outcome in (user, business):
        for key in (fleet.user_key, fleet.business_key):
            assert key not in outcome.stdout + outcome.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("stats", "--help"),
        ("whoami", "--help"),
        ("orgs", "--help"),
        ("stats", "--all", "x"),
    ],
)
def test_help_and_argument_errors_do_not_load_the_database_libraries(
    args: tuple[str, ...],
) -> None:
    program = (
        "import sys\n"
        "from closient_cli.__main__ import run\n"
        f"status = run({list(args)!r})\n"
        "loaded = [m for m in ('sqlalchemy', 'psycopg') if m in sys.modules]\n"
        "sys.stderr.write(f'{status} {loaded}\\n')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert result.stderr.splitlines()[-1] in ("0 []", "2 []")
