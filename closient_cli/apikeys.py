"""Closient API keys: their shape, checksum and the hash the platform stores.

A key reads ``<prefix>_<body>_<checksum>``: the prefix is ``csb`` (business), ``csu``
(user) or ``cpk`` (publishable), the body 32 ASCII letters and digits, the checksum the
CRC-32 of the body as 8 lowercase hex digits. Only the SHA-256 of the whole key is
stored. Nothing here keeps the key itself: a parsed key holds its prefix and hash.
"""

from __future__ import annotations

import hashlib
import random
import re
import secrets
import string
import zlib
from dataclasses import dataclass

from closient_cli.errors import Unauthorized

PREFIXES = ("csb", "csu", "cpk")
_SHAPE = re.compile(r"(csb|csu|cpk)_([A-Za-z0-9]{32})_([0-9a-f]{8})")
_BODY_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True, repr=False)
class PresentedKey:
    """A key whose shape and checksum are right; only its hash is kept."""

    prefix: str
    key_hash: str

    def __repr__(self) -> str:
        return f"PresentedKey(prefix={self.prefix!r}, key_hash=<hidden>)"


def checksum(body: str) -> str:
    """The CRC-32 of a key body, as 8 lowercase hex digits."""
    return f"{zlib.crc32(body.encode('utf-8')) & 0xFFFFFFFF:08x}"


def hash_key(key: str) -> str:
    """The SHA-256 of a whole key, as the platform stores it."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def parse_key(key: str | None) -> PresentedKey:
    """Check a key's shape and checksum without touching any database."""
    if not key:
        raise Unauthorized(
            "No API key was given: pass --api-key, set CLOSIENT_API_KEY, "
            "or add api_key to the config file."
        )
    match = _SHAPE.fullmatch(key)
    if match is None:
        raise Unauthorized(
            "The API key is malformed: expected csb_, csu_ or cpk_, 32 letters and "
            "digits, and an 8-digit checksum."
        )
    prefix, body, given_checksum = match.groups()
    if checksum(body) != given_checksum:
        raise Unauthorized(
            "The API key's checksum is wrong; check it was copied whole."
        )
    return PresentedKey(prefix=prefix, key_hash=hash_key(key))


def generate_key(prefix: str, rng: random.Random | None = None) -> str:
    """A new well-formed key with the given prefix (from ``rng`` when one is given)."""
    chooser = rng or secrets.SystemRandom()
    body = "".join(chooser.choice(_BODY_ALPHABET) for _ in range(32))
    return f"{prefix}_{body}_{checksum(body)}"
