"""Organization ids: the 22-character shortuuid form and the canonical UUID form."""

from __future__ import annotations

import re
import uuid

import shortuuid

from closient_cli.errors import ValidationError

SHORTUUID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_SHORT_FORM = re.compile(f"[{SHORTUUID_ALPHABET}]{{22}}")
_CANONICAL_FORM = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_CODEC = shortuuid.ShortUUID(alphabet=SHORTUUID_ALPHABET)


def parse_uuid(text: str, what: str = "organization id") -> uuid.UUID:
    """Read an id given as a 22-character shortuuid or a canonical UUID."""
    if _SHORT_FORM.fullmatch(text):
        try:
            decoded: uuid.UUID = _CODEC.decode(text)
            return decoded
        except ValueError:
            pass  # 22 letters of the alphabet that encode more than 128 bits
    elif _CANONICAL_FORM.fullmatch(text):
        return uuid.UUID(text)
    raise ValidationError(
        f"The {what} must be a 22-character shortuuid or a canonical UUID "
        f"(8-4-4-4-12 hexadecimal digits)."
    )


def short_id(value: uuid.UUID | str) -> str:
    """The 22-character shortuuid of a UUID, as the platform shows ids."""
    encoded: str = _CODEC.encode(as_uuid(value))
    return encoded


def as_uuid(value: object) -> uuid.UUID:
    """A UUID from what a driver returns: a UUID on PostgreSQL, text on SQLite."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
