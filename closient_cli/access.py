"""Who may read an organization: the API key rules of the Closient platform."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from closient_cli.apikeys import PresentedKey
from closient_cli.errors import NotFound, Unauthorized
from closient_cli.ids import as_uuid, short_id
from closient_cli.queries import fetch_one, load

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from closient_cli.database import Database

UNUSABLE_KEY = "The API key is unknown, inactive or expired, or its user is inactive."


@dataclass(frozen=True)
class Organization:
    """An organization the caller may read."""

    id: uuid.UUID
    name: str

    @property
    def short_id(self) -> str:
        return short_id(self.id)


@dataclass(frozen=True)
class Caller:
    """What a usable key proves: a user (``csu``) or an organization (``csb``)."""

    prefix: str
    user_id: uuid.UUID | None
    organization_id: uuid.UUID | None


def identify(
    connection: Connection, database: Database, key: PresentedKey, now: datetime
) -> Caller:
    """The caller a key proves, or Unauthorized for any key that may not read stats."""
    row = fetch_one(
        connection,
        load("access/api_key", database.dialect),
        {"key_hash": key.key_hash, "now": database.timestamp(now)},
    )
    if row is None or row["prefix"] != key.prefix:
        raise Unauthorized(UNUSABLE_KEY)
    if key.prefix == "cpk":
        raise Unauthorized(
            "A publishable (cpk_) key cannot read dashboard statistics; "
            "use a user (csu_) or business (csb_) key."
        )
    if key.prefix == "csu" and (row["user_id"] is None or not row["user_is_active"]):
        raise Unauthorized(UNUSABLE_KEY)
    return Caller(
        prefix=key.prefix,
        user_id=_optional_uuid(row["user_id"]),
        organization_id=_optional_uuid(row["organization_id"]),
    )


def authorize(
    connection: Connection,
    database: Database,
    caller: Caller,
    organization_id: uuid.UUID,
) -> Organization:
    """The organization if the caller may read it, else NotFound, existing or not."""
    if caller.prefix == "csu":
        membership = fetch_one(
            connection,
            load("access/membership", database.dialect),
            {"user_id": str(caller.user_id), "organization_id": str(organization_id)},
        )
        allowed = membership is not None
    else:
        allowed = caller.organization_id == organization_id
    found = (
        fetch_one(
            connection,
            load("access/organization", database.dialect),
            {"organization_id": str(organization_id)},
        )
        if allowed
        else None
    )
    if found is None:
        raise NotFound(
            f"Organization {short_id(organization_id)} does not exist "
            "or this API key may not read it."
        )
    return Organization(id=as_uuid(found["id"]), name=str(found["name"]))


def _optional_uuid(value: object) -> uuid.UUID | None:
    return None if value is None else as_uuid(value)
