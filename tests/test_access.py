"""CONTRACT section 3 and the error rows of section 4, on both engines."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from closient_cli.apikeys import generate_key
from closient_cli.catalogue import add_key, add_user
from closient_cli.ids import short_id
from tests.builders import AS_OF, World
from tests.conftest import Invoke, Outcome, TestDatabase
from tests.pgserver import PASSWORD

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/nothing"
PROBLEM_FIELDS = {
    "type",
    "title",
    "status",
    "detail",
    "error_code",
    "retryable",
    "timestamp",
}


def run_stats(
    closient: Invoke,
    database_url: str,
    org: str,
    key: str | None,
    *extra: str,
) -> Outcome:
    args = ["stats", org, "--as-of", AS_OF.isoformat(), "--database", database_url]
    if key is not None:
        args += ["--api-key", key]
    return closient(*args, *extra)


def assert_failed(outcome: Outcome, status: int) -> None:
    assert outcome.status == status, outcome.stderr
    assert outcome.stdout == ""
    assert outcome.stderr.count("\n") == 1
    assert "Traceback" not in outcome.stderr


def problem(outcome: Outcome) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(outcome.stderr)
    assert set(document) == PROBLEM_FIELDS
    return document


@pytest.fixture
def world() -> World:
    return World()


def test_a_member_reads_the_counters(
    closient: Invoke, database: TestDatabase, world: World
) -> None:
    database.write(world.catalogue)
    outcome = run_stats(closient, database.url, world.org_short, world.key, "--json")
    assert outcome.status == 0
    assert outcome.stderr == ""


@pytest.mark.parametrize("role", ["owner", "manager", "editor", "billing", "viewer"])
def test_every_role_may_read(
    closient: Invoke, database: TestDatabase, world: World, role: str
) -> None:
    user = add_user(
        world.catalogue, world.rng, f"{role}@example.com", {world.org: role}
    )
    key = add_key(world.catalogue, world.rng, "csu", user_id=user).key
    database.write(world.catalogue)
    assert run_stats(closient, database.url, world.org_short, key).status == 0


def test_canonical_uuid_is_accepted_in_either_case(
    closient: Invoke, database: TestDatabase, world: World
) -> None:
    database.write(world.catalogue)
    for form in (str(world.org), str(world.org).upper()):
        outcome = run_stats(closient, database.url, form, world.key, "--json")
        assert outcome.status == 0, outcome.stderr


def test_business_key_reads_only_its_own_organization(
    closient: Invoke, database: TestDatabase, world: World
) -> None:
    key = add_key(world.catalogue, world.rng, "csb", organization_id=world.org).key
    database.write(world.catalogue)
    assert run_stats(closient, database.url, world.org_short, key).status == 0
    other = run_stats(closient, database.url, short_id(world.other), key)
    assert_failed(other, 4)


@pytest.mark.parametrize(
    "change",
    ["no-membership", "inactive-membership", "membership-elsewhere"],
)
def test_user_key_needs_an_active_membership(
    closient: Invoke, database: TestDatabase, world: World, change: str
) -> None:
    memberships = {} if change == "no-membership" else {world.other: "owner"}
    user = add_user(world.catalogue, world.rng, "x@example.com", memberships)
    if change == "inactive-membership":
        add_user_membership(world, user, active=False)
    key = add_key(world.catalogue, world.rng, "csu", user_id=user).key
    database.write(world.catalogue)
    assert_failed(run_stats(closient, database.url, world.org_short, key), 4)


def add_user_membership(world: World, user: uuid.UUID, *, active: bool) -> None:
    world.catalogue.add(
        "organization_membership",
        id=uuid.uuid4(),
        organization_id=world.org,
        user_id=user,
        role="owner",
        is_active=active,
    )


def test_missing_and_forbidden_organizations_answer_alike(
    closient: Invoke, database: TestDatabase, world: World
) -> None:
    database.write(world.catalogue)
    missing_id = short_id(uuid.uuid4())
    forbidden_id = short_id(world.other)
    missing = run_stats(closient, database.url, missing_id, world.key, "--json")
    forbidden = run_stats(closient, database.url, forbidden_id, world.key, "--json")
    assert_failed(missing, 4)
    assert_failed(forbidden, 4)
    missing_problem, forbidden_problem = problem(missing), problem(forbidden)
    for document in (missing_problem, forbidden_problem):
        document.pop("timestamp")
    assert missing_problem["detail"].replace(missing_id, "ID") == forbidden_problem[
        "detail"
    ].replace(forbidden_id, "ID")
    missing_problem.pop("detail")
    forbidden_problem.pop("detail")
    assert (
        missing_problem
        == forbidden_problem
        == {
            "type": "https://closient.com/docs/errors/not_found",
            "title": "Not Found",
            "status": 404,
            "error_code": "not_found",
            "retryable": False,
        }
    )


@pytest.mark.parametrize(
    "kind",
    [
        "unknown",
        "inactive",
        "expired",
        "publishable",
        "inactive-user",
        "user-key-without-user",
        "prefix-differs-from-row",
    ],
)
def test_unusable_keys_are_unauthorized(
    closient: Invoke, database: TestDatabase, world: World, kind: str
) -> None:
    key = unusable_key(world, kind)
    database.write(world.catalogue)
    outcome = run_stats(closient, database.url, world.org_short, key, "--json")
    assert_failed(outcome, 3)
    document = problem(outcome)
    assert document["error_code"] == "unauthorized"
    assert document["status"] == 401
    assert key not in outcome.stderr


def unusable_key(world: World, kind: str) -> str:
    catalogue, rng = world.catalogue, world.rng
    member = add_user(catalogue, rng, f"{kind}@example.com", {world.org: "owner"})
    past = datetime.now(UTC) - timedelta(minutes=1)
    if kind == "unknown":
        return generate_key("csu", rng)
    if kind == "inactive":
        return add_key(catalogue, rng, "csu", user_id=member, is_active=False).key
    if kind == "expired":
        return add_key(catalogue, rng, "csu", user_id=member, expires_at=past).key
    if kind == "publishable":
        return add_key(catalogue, rng, "cpk", organization_id=world.org).key
    if kind == "inactive-user":
        idle = add_user(
            catalogue, rng, "idle@example.com", {world.org: "owner"}, is_active=False
        )
        return add_key(catalogue, rng, "csu", user_id=idle).key
    if kind == "user-key-without-user":
        return add_key(catalogue, rng, "csu", organization_id=world.org).key
    issued = add_key(catalogue, rng, "csb", organization_id=world.org)
    catalogue.of("accounts_apikey")[-1]["prefix"] = "cpk"
    return issued.key


def test_a_key_that_expires_later_is_accepted(
    closient: Invoke, database: TestDatabase, world: World
) -> None:
    member = add_user(
        world.catalogue, world.rng, "soon@example.com", {world.org: "editor"}
    )
    later = datetime.now(UTC) + timedelta(hours=1)
    key = add_key(world.catalogue, world.rng, "csu", user_id=member, expires_at=later)
    database.write(world.catalogue)
    assert run_stats(closient, database.url, world.org_short, key.key).status == 0


@pytest.mark.parametrize(
    "key",
    [
        None,
        "",
        "csu_short_00000000",
        "xyz_" + "a" * 32 + "_00000000",
        "csu_" + "a" * 32 + "_00000000",  # wrong checksum
        "csu_" + "é" * 32 + "_00000000",
    ],
    ids=["absent", "empty", "short", "bad-prefix", "bad-checksum", "non-ascii"],
)
def test_malformed_keys_are_refused_before_connecting(
    closient: Invoke, world: World, key: str | None
) -> None:
    # The database URL points at nothing: reaching it would give exit 5, not 3.
    outcome = run_stats(closient, UNREACHABLE, world.org_short, key)
    assert_failed(outcome, 3)


@pytest.mark.parametrize(
    "args",
    [
        ["stats", "not-an-id"],
        ["stats", "1" * 22],  # '1' is not in the shortuuid alphabet
        ["stats", "z" * 22],  # right alphabet, more than 128 bits
        ["stats", "{12345678-1234-1234-1234-123456789012}"],
        ["stats", "ORG", "--as-of", "2026-02-30"],
        ["stats", "ORG", "--as-of", "31/03/2026"],
        ["stats", "ORG", "--as-of", "2026-3-1"],
        ["stats", "ORG", "--timeout", "soon"],
        ["stats", "ORG", "--no-such-option"],
        ["stats"],
    ],
)
def test_malformed_arguments_are_validation_errors(
    closient: Invoke, world: World, args: list[str]
) -> None:
    args = [world.org_short if arg == "ORG" else arg for arg in args]
    outcome = closient(*args, "--api-key", world.key, "--database", UNREACHABLE)
    assert_failed(outcome, 2)
    json_outcome = closient(
        *args, "--json", "--api-key", world.key, "--database", UNREACHABLE
    )
    assert_failed(json_outcome, 2)
    document = problem(json_outcome)
    assert (document["status"], document["error_code"]) == (422, "validation_error")


def test_unreachable_database_is_unavailable(closient: Invoke, world: World) -> None:
    outcome = run_stats(closient, UNREACHABLE, world.org_short, world.key, "--json")
    assert_failed(outcome, 5)
    document = problem(outcome)
    assert (document["status"], document["error_code"]) == (503, "unavailable")
    assert document["retryable"] is True
    datetime.fromisoformat(document["timestamp"])


def test_missing_sqlite_file_is_unavailable_and_not_created(
    closient: Invoke, world: World, tmp_path: Any
) -> None:
    path = tmp_path / "absent.sqlite3"
    outcome = run_stats(closient, f"sqlite:///{path}", world.org_short, world.key)
    assert_failed(outcome, 5)
    assert not path.exists()


@pytest.mark.postgresql
def test_planted_secrets_never_appear(
    closient: Invoke, pg_server: Any, world: World
) -> None:
    from tests.conftest import new_postgres_database

    database = new_postgres_database(pg_server)
    database.write(world.catalogue)
    from sqlalchemy import make_url

    target = make_url(database.url)
    wrong_password = target.set(password="Wr0ng-planted-pw").render_as_string(
        hide_password=False
    )
    unknown = generate_key("csu", world.rng)
    runs = [
        run_stats(closient, database.url, world.org_short, world.key),
        run_stats(closient, database.url, world.org_short, world.key, "--debug"),
        run_stats(closient, database.url, world.org_short, unknown, "--debug"),
        run_stats(closient, database.url, short_id(world.other), world.key, "--json"),
        run_stats(closient, wrong_password, world.org_short, world.key, "--debug"),
        run_stats(closient, database.url, "bad-id", world.key, "--debug", "-v"),
        closient("stats", world.org_short, world.key, "--database", database.url),
    ]
    for outcome in runs:
        for secret in (PASSWORD, "Wr0ng-planted-pw", world.key, unknown):
            assert secret not in outcome.stdout
            assert secret not in outcome.stderr
    assert runs[4].status == 5
    assert f"{target.database} on 127.0.0.1" in runs[4].stderr
