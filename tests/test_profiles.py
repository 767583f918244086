"""Config profiles and the precedence flag > environment > config file > default."""

from __future__ import annotations

from pathlib import Path

import pytest

from closient_cli.errors import ValidationError
from closient_cli.settings import Settings, resolve
from tests.builders import stats_json
from tests.commands import written_world
from tests.conftest import Invoke, TestDatabase

CONFIG = """\
database_url = "sqlite:///top.sqlite3"
api_key = "top-key"
sql_dir = "top-sql"

[profiles.staging]
database_url = "sqlite:///staging.sqlite3"
sql_dir = "/srv/staging-sql"

[profiles.production]
api_key = "production-key"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    path.chmod(0o600)
    return path


def settings_for(
    config: Path, *, environ: dict[str, str] | None = None, **flags: str
) -> Settings:
    return resolve(
        database_flag=flags.get("database"),
        api_key_flag=flags.get("api_key"),
        sql_dir_flag=flags.get("sql_dir"),
        profile_flag=flags.get("profile"),
        environ={"CLOSIENT_CONFIG": str(config), **(environ or {})},
    )


def values(settings: Settings) -> tuple[str | None, str | None, str | None]:
    return (
        settings.database_url.value,
        settings.api_key.value,
        settings.sql_dir.value,
    )


def test_top_level_without_a_profile(config: Path) -> None:
    assert values(settings_for(config)) == (
        "sqlite:///top.sqlite3",
        "top-key",
        str(config.parent / "top-sql"),  # relative to the config file
    )


def test_a_profile_wins_key_by_key_and_falls_back_to_the_top_level(
    config: Path,
) -> None:
    assert values(settings_for(config, profile="staging")) == (
        "sqlite:///staging.sqlite3",
        "top-key",
        "/srv/staging-sql",
    )
    chosen = settings_for(config, environ={"CLOSIENT_PROFILE": "production"})
    assert values(chosen) == (
        "sqlite:///top.sqlite3",
        "production-key",
        str(config.parent / "top-sql"),
    )
    assert chosen.api_key.source == f"profile production of config file {config}"


def test_the_profile_flag_beats_the_environment(config: Path) -> None:
    settings = settings_for(
        config, profile="staging", environ={"CLOSIENT_PROFILE": "production"}
    )
    assert settings.database_url.value == "sqlite:///staging.sqlite3"
    assert settings.api_key.value == "top-key"


def test_environment_beats_the_profile_and_flags_beat_the_environment(
    config: Path,
) -> None:
    environ = {
        "CLOSIENT_PROFILE": "staging",
        "CLOSIENT_DATABASE_URL": "sqlite:///env.sqlite3",
        "CLOSIENT_API_KEY": "env-key",
        "CLOSIENT_SQL_DIR": "env-sql",
    }
    assert values(settings_for(config, environ=environ)) == (
        "sqlite:///env.sqlite3",
        "env-key",
        "env-sql",
    )
    flagged = settings_for(
        config,
        environ=environ,
        database="sqlite:///flag.sqlite3",
        api_key="flag-key",
        sql_dir="flag-sql",
    )
    assert values(flagged) == ("sqlite:///flag.sqlite3", "flag-key", "flag-sql")


def test_defaults_without_any_setting(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "absent.toml")
    assert values(settings) == (None, None, None)
    assert settings.sql_dir.source == "packaged"


def test_unknown_profile_lists_the_known_ones(config: Path) -> None:
    with pytest.raises(ValidationError, match=r"known: production, staging"):
        settings_for(config, profile="prod")


@pytest.mark.parametrize(
    "text",
    [
        "profiles = 3\n",
        "[profiles]\nstaging = 1\n",
        '[profiles.a]\ncolour = "blue"\n',
        "[profiles.a]\napi_key = 1\n",
    ],
    ids=["not-a-table", "not-tables", "unknown-key", "not-a-string"],
)
def test_malformed_profiles_are_validation_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ValidationError, match=str(path)):
        settings_for(path)


def test_stats_reads_through_a_profile(
    closient: Invoke, database: TestDatabase, tmp_path: Path
) -> None:
    world, target = written_world(database)
    config = tmp_path / "config.toml"
    config.write_text(
        'database_url = "sqlite:///nowhere.sqlite3"\n'
        f'[profiles.reports]\ndatabase_url = "{target.database_url}"\n'
        f'api_key = "{world.key}"\n'
    )
    config.chmod(0o600)
    outcome = closient(
        "stats",
        world.org_short,
        "--json",
        "--profile",
        "reports",
        env={"CLOSIENT_CONFIG": str(config)},
    )
    assert outcome.status == 0, outcome.stderr
    assert stats_json(outcome.stdout)["total_products"] == 2
