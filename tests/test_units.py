"""Pure functions: ids, keys, URLs, rounding and inert text."""

from __future__ import annotations

import uuid
import zlib

import pytest
import shortuuid

from closient_cli.apikeys import checksum, generate_key, hash_key, parse_key
from closient_cli.database import describe, parse_database_url
from closient_cli.errors import Unauthorized, ValidationError
from closient_cli.ids import parse_uuid, short_id
from closient_cli.render import visible
from closient_cli.stats import rounded_mean


def test_short_ids_round_trip_with_the_shortuuid_package() -> None:
    for _ in range(200):
        value = uuid.uuid4()
        assert short_id(value) == shortuuid.encode(value)
        assert parse_uuid(short_id(value)) == value
        assert parse_uuid(str(value)) == value


@pytest.mark.parametrize(
    "text",
    ["", " " + "2" * 22, "2" * 21, "2" * 23, "0" * 22, "l" * 22, "z" * 22, "x" * 36],
)
def test_bad_ids_are_validation_errors(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_uuid(text)


def test_key_checksum_is_crc32_of_the_body() -> None:
    body = "A" * 16 + "b" * 8 + "0123456" + "9"
    assert checksum(body) == format(zlib.crc32(body.encode()), "08x")
    key = f"csb_{body}_{checksum(body)}"
    presented = parse_key(key)
    assert (presented.prefix, presented.key_hash) == ("csb", hash_key(key))
    assert key not in repr(presented)
    assert len(presented.key_hash) == 64


@pytest.mark.parametrize("prefix", ["csb", "csu", "cpk"])
def test_generated_keys_parse(prefix: str) -> None:
    assert parse_key(generate_key(prefix)).prefix == prefix


@pytest.mark.parametrize(
    "key",
    [
        "CSU_" + "a" * 32 + "_" + checksum("a" * 32),
        "csu_" + "a" * 32 + "_" + checksum("a" * 32).upper(),
        "csu_" + "a" * 31 + "_" + checksum("a" * 31),
        "csu_" + "a" * 32 + "_" + checksum("a" * 32) + "\n",
        "csu-" + "a" * 32 + "-" + checksum("a" * 32),
    ],
)
def test_malformed_keys(key: str) -> None:
    with pytest.raises(Unauthorized):
        parse_key(key)


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgres://u@h/d", "postgresql+psycopg"),
        ("postgresql://u@h/d", "postgresql+psycopg"),
        ("postgresql+psycopg2://u@h/d", "postgresql+psycopg"),
        ("postgresql://", "postgresql+psycopg"),
        ("sqlite:///relative.sqlite3", "sqlite"),
    ],
)
def test_database_urls(url: str, driver: str) -> None:
    assert parse_database_url(url).drivername == driver


@pytest.mark.parametrize("url", ["mysql://u@h/d", "not a url", "::"])
def test_unsupported_database_urls(url: str) -> None:
    with pytest.raises(ValidationError):
        parse_database_url(url)


def test_descriptions_never_hold_the_password() -> None:
    parsed = parse_database_url("postgresql://u:s3cr%40t@db.example:6432/closient")
    assert describe(parsed) == "the PostgreSQL database closient on db.example:6432"


@pytest.mark.parametrize(
    ("total", "count", "expected"),
    [
        (0, 0, 0),
        (7, 2, 4),
        (5, 2, 3),
        (14, 4, 4),
        (13, 4, 3),
        (200, 3, 67),
        (100, 1, 100),
    ],
)
def test_rounded_mean_is_half_up(total: int, count: int, expected: int) -> None:
    assert rounded_mean(total, count) == expected


def test_visible_shows_control_characters_as_escapes() -> None:
    assert visible("a\x1b[31mb\u202ec\x07") == "a\\u001b[31mb\\u202ec\\u0007"
    assert visible("plain [bold] text") == "plain [bold] text"
