"""``closient demo``: a demo catalogue in the embedded database, then its report."""

from __future__ import annotations

import logging
import os
import random
import shlex
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from closient_cli.catalogue import (
    Catalogue,
    CatalogueShape,
    IssuedKey,
    add_key,
    add_user,
    generate,
    schema_statements,
    write,
)
from closient_cli.errors import ValidationError
from closient_cli.fleet import FleetRequest, run_fleet
from closient_cli.ids import short_id
from closient_cli.settings import Setting, Settings, config_path, embedded_database_path

if TYPE_CHECKING:
    from rich.console import Console

log = logging.getLogger(__name__)

DEMO_SEED = 20260401
DEMO_SHAPE = CatalogueShape(organizations=3, products=360)
DEMO_ORGANIZATIONS = ("Northwind Pantry", "Fjord & Field [Dairy]", "Sunpeak Snacks")


def demo_path(database_url: str | None) -> Path:
    """The SQLite file the demo fills: a sqlite:/// URL, or the embedded database."""
    if database_url is None:
        return embedded_database_path()
    prefix = "sqlite:///"
    if not database_url.startswith(prefix) or len(database_url) == len(prefix):
        raise ValidationError(
            "closient demo only creates SQLite files: give --database sqlite:///PATH."
        )
    return Path(database_url[len(prefix) :]).expanduser()


def build_demo(as_of: date) -> tuple[Catalogue, IssuedKey]:
    """The demo catalogue and the user key of its demo user, the same every run."""
    rng = random.Random(DEMO_SEED)  # noqa: S311 - reproducible demo data, not secrets
    catalogue = generate(rng, as_of, DEMO_SHAPE)
    organizations = catalogue.of("organization_organization")
    for row, name in zip(organizations, DEMO_ORGANIZATIONS, strict=True):
        row["name"] = name
    user = add_user(
        catalogue,
        rng,
        "demo@closient.example",
        {organizations[0]["id"]: "owner", organizations[1]["id"]: "viewer"},
    )
    return catalogue, add_key(catalogue, rng, "csu", user_id=user)


def write_sqlite(path: Path, catalogue: Catalogue) -> bool:
    """Write a new SQLite file atomically; True when it replaced an earlier one."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=".closient-demo-", suffix=".sqlite3", dir=path.parent
    )
    os.close(handle)
    try:
        engine = create_engine(f"sqlite:///{temporary}", poolclass=NullPool)
        with engine.begin() as connection:
            for statement in schema_statements("sqlite"):
                connection.exec_driver_sql(statement)
            write(connection, catalogue)
        engine.dispose()
        replaced = path.exists()
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return replaced


def sqlite_url(path: Path) -> str:
    """The sqlite:/// URL of a file, quoted so that names with ? or # survive."""
    from sqlalchemy import URL

    return URL.create("sqlite", database=str(path)).render_as_string()


def run_demo(database_url: str | None, console: Console) -> None:
    """Fill the demo database, then report on its first organization as a user would."""
    path = demo_path(database_url)
    as_of = datetime.now(UTC).date()
    catalogue, issued = build_demo(as_of)
    try:
        replaced = write_sqlite(path, catalogue)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else None
        raise ValidationError(
            f"closient demo cannot write {path}: {reason or exc}."
        ) from None
    if replaced:
        sys.stderr.write(f"Replaced the earlier demo database at {path}.\n")
    else:
        sys.stderr.write(f"Created the demo database at {path}.\n")
    organization = catalogue.of("organization_organization")[0]["id"]
    database = None if database_url is None else sqlite_url(path)
    settings = Settings(
        database_url=Setting(database, "demo"),
        api_key=Setting(issued.key, "demo"),
        config_path=config_path(os.environ),
    )
    fleet = run_fleet(FleetRequest((organization,), False, as_of, settings))
    report = fleet.reports[0]
    from closient_cli.render import print_stats_table

    print_stats_table(console, report)
    command = [
        "closient",
        "stats",
        short_id(organization),
        "--as-of",
        as_of.isoformat(),
    ]
    if database is not None:
        command += ["--database", database]
    command += ["--api-key", issued.key]
    console.print("\nThe same numbers again, from the demo user's key:")
    console.print(shlex.join(command), markup=False, soft_wrap=True)
