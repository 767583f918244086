"""Where the database and key come from: flag, environment, config file, default."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from closient_cli.settings import resolve
from tests.builders import AS_OF, World, stats_json
from tests.conftest import Invoke, Outcome, TestDatabase, new_sqlite_database


def two_databases(tmp_path: Path, world: World) -> tuple[TestDatabase, TestDatabase]:
    """Two databases the same world can read, told apart by their product count."""
    one, two = (
        new_sqlite_database(tmp_path / "one"),
        new_sqlite_database(tmp_path / "two"),
    )
    one.write(world.catalogue)
    world.product()
    two.write(world.catalogue)
    return one, two


def products(outcome: Outcome) -> int:
    assert outcome.status == 0, outcome.stderr
    return stats_json(outcome.stdout)["total_products"]


def write_config(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def test_flag_beats_environment_beats_config(
    closient: Invoke, tmp_path: Path, isolated_environment: Path
) -> None:
    world = World()
    one, two = two_databases(tmp_path, world)
    config = isolated_environment / "config" / "closient" / "config.toml"
    write_config(config, f'database_url = "{one.url}"\napi_key = "{world.key}"\n')
    args = ("stats", world.org_short, "--json", "--as-of", AS_OF.isoformat())
    assert products(closient(*args)) == 0
    env = {"CLOSIENT_DATABASE_URL": two.url}
    assert products(closient(*args, env=env)) == 1
    assert products(closient(*args, "--database", one.url, env=env)) == 0


def test_api_key_from_environment_and_flag(closient: Invoke, tmp_path: Path) -> None:
    world = World()
    one, _ = two_databases(tmp_path, world)
    args = ("stats", world.org_short, "--json", "--database", one.url)
    assert closient(*args).status == 3
    assert closient(*args, env={"CLOSIENT_API_KEY": world.key}).status == 0
    outcome = closient(
        *args, "--api-key", "csu_bad", env={"CLOSIENT_API_KEY": world.key}
    )
    assert outcome.status == 3


def test_closient_config_points_elsewhere(closient: Invoke, tmp_path: Path) -> None:
    world = World()
    one, _ = two_databases(tmp_path, world)
    config = write_config(
        tmp_path / "elsewhere.toml",
        f'database_url = "{one.url}"\napi_key = "{world.key}"\n',
    )
    outcome = closient(
        "stats", world.org_short, "--json", env={"CLOSIENT_CONFIG": str(config)}
    )
    assert products(outcome) == 0


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_config_with_a_secret_readable_by_others_is_refused(
    closient: Invoke, tmp_path: Path, mode: int
) -> None:
    world = World()
    config = write_config(tmp_path / "c.toml", f'api_key = "{world.key}"\n', mode)
    outcome = closient(
        "stats", world.org_short, "--json", env={"CLOSIENT_CONFIG": str(config)}
    )
    assert outcome.status == 2
    assert "chmod 600" in outcome.stderr
    assert world.key not in outcome.stderr


def test_config_with_password_in_url_readable_by_others_is_refused(
    tmp_path: Path,
) -> None:
    config = write_config(
        tmp_path / "c.toml", 'database_url = "postgresql://u:hunter22@h/db"\n', 0o644
    )
    from closient_cli.errors import ValidationError

    with pytest.raises(ValidationError, match="chmod 600") as raised:
        resolve(
            database_flag=None,
            api_key_flag=None,
            environ={"CLOSIENT_CONFIG": str(config)},
        )
    assert "hunter22" not in str(raised.value)


def test_shared_config_without_secrets_is_fine(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "c.toml",
        'database_url = "postgresql://reporter@db/closient"\n',
        0o644,
    )
    settings = resolve(
        database_flag=None, api_key_flag=None, environ={"CLOSIENT_CONFIG": str(config)}
    )
    assert settings.database_url.value == "postgresql://reporter@db/closient"
    assert settings.api_key.value is None


@pytest.mark.parametrize(
    "text",
    ["database_url = ", "api_key = 12\n", "colour = 'blue'\n", "\xff\xfe"],
    ids=["malformed", "not-a-string", "unknown-setting", "not-utf8"],
)
def test_bad_config_files_are_validation_errors(
    closient: Invoke, tmp_path: Path, text: str
) -> None:
    config = tmp_path / "c.toml"
    config.write_bytes(text.encode("latin-1"))
    config.chmod(0o600)
    world = World()
    outcome = closient("stats", world.org_short, env={"CLOSIENT_CONFIG": str(config)})
    assert outcome.status == 2
    assert str(config) in outcome.stderr
    assert outcome.stderr.count("\n") == 1


def test_embedded_database_is_the_default(closient: Invoke) -> None:
    world = World()
    assert closient("demo").status == 0
    from closient_cli.demo import build_demo

    _, issued = build_demo(AS_OF)
    from closient_cli.settings import embedded_database_path

    assert embedded_database_path().is_file()
    outcome = closient("stats", world.org_short, "--api-key", issued.key)
    assert outcome.status == 4  # read the demo database, where this org is unknown


def test_settings_repr_hides_the_key() -> None:
    settings = resolve(database_flag=None, api_key_flag="csu_secret_value", environ={})
    assert "csu_secret_value" not in repr(settings)


@pytest.mark.postgresql
@pytest.mark.parametrize("how", ["environment", "pgpass", "service"])
def test_libpq_fills_what_the_url_leaves_out(
    closient: Invoke, pg_server: Any, tmp_path: Path, how: str
) -> None:
    from sqlalchemy import make_url

    from tests.conftest import new_postgres_database
    from tests.pgserver import PASSWORD

    world = World()
    database = new_postgres_database(pg_server)
    database.write(world.catalogue)
    dbname = make_url(database.url).database
    env = {"PGHOST": "127.0.0.1", "PGPORT": str(pg_server.port), "PGUSER": "postgres"}
    url = "postgresql://"
    if how == "environment":
        env |= {"PGDATABASE": str(dbname), "PGPASSWORD": PASSWORD}
    elif how == "pgpass":
        pgpass = write_config(
            tmp_path / "pgpass",
            f"127.0.0.1:{pg_server.port}:{dbname}:postgres:{PASSWORD}\n",
        )
        env |= {"PGDATABASE": str(dbname), "PGPASSFILE": str(pgpass)}
    else:
        services = write_config(
            tmp_path / "services.conf",
            f"[reporting]\nhost=127.0.0.1\nport={pg_server.port}\nuser=postgres\n"
            f"dbname={dbname}\npassword={PASSWORD}\n",
        )
        env = {"PGSERVICEFILE": str(services)}
        url = "postgresql:///?service=reporting"
    outcome = closient(
        "stats",
        world.org_short,
        "--json",
        "--database",
        url,
        "--api-key",
        world.key,
        env=env,
    )
    assert outcome.status == 0, outcome.stderr
    assert PASSWORD not in outcome.stdout + outcome.stderr
