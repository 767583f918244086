"""Who a key proves the caller is, and which organizations it may read.

``closient whoami`` and ``closient orgs`` show these; ``closient stats --all`` reads the
counters of every organization :func:`readable_organizations` lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from closient_cli.access import Organization
from closient_cli.ids import as_uuid
from closient_cli.queries import fetch_all, fetch_one, load

if TYPE_CHECKING:
    from closient_cli.report import Reader

KEY_KINDS = {"csu": "user", "csb": "business"}


@dataclass(frozen=True)
class Membership:
    """An organization the caller may read, and the role that lets it (None for a
    business key, which reads its own organization without a membership)."""

    organization: Organization
    role: str | None


@dataclass(frozen=True)
class Identity:
    """What a usable key proves, never the key itself."""

    key_kind: str
    key_prefix: str
    user_email: str | None
    organization: Organization | None

    def as_dict(self) -> dict[str, str | None]:
        organization = self.organization
        return {
            "key_kind": self.key_kind,
            "key_prefix": self.key_prefix,
            "user_email": self.user_email,
            "organization_id": organization.short_id if organization else None,
            "organization_name": organization.name if organization else None,
        }


def readable_organizations(reader: Reader) -> list[Membership]:
    """Every organization the caller may read: a user key's active memberships, or a
    business key's own organization (if it still exists)."""
    caller = reader.caller
    if caller.prefix == "csu":
        rows = fetch_all(
            reader.connection,
            load("access/readable_organizations", reader.dialect),
            {"user_id": str(caller.user_id)},
        )
        return [Membership(_organization(row), str(row["role"])) for row in rows]
    own = _own_organization(reader)
    return [] if own is None else [Membership(own, None)]


def who_am_i(reader: Reader) -> Identity:
    """The user or organization the caller's key belongs to."""
    caller = reader.caller
    email = None
    if caller.user_id is not None:
        row = fetch_one(
            reader.connection,
            load("access/user", reader.dialect),
            {"user_id": str(caller.user_id)},
        )
        email = None if row is None else str(row["email"])
    return Identity(
        key_kind=KEY_KINDS[caller.prefix],
        key_prefix=caller.prefix,
        user_email=email,
        organization=_own_organization(reader) if caller.prefix == "csb" else None,
    )


def _own_organization(reader: Reader) -> Organization | None:
    organization_id = reader.caller.organization_id
    if organization_id is None:
        return None
    row = fetch_one(
        reader.connection,
        load("access/organization", reader.dialect),
        {"organization_id": str(organization_id)},
    )
    return None if row is None else _organization(row)


def _organization(row: Mapping[str, Any]) -> Organization:
    return Organization(id=as_uuid(row["id"]), name=str(row["name"]))
