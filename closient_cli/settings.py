"""Where the database, the API key and the SQL files come from.

Each setting is taken from the first of: its command-line flag, its environment
variable, the config file, the built-in default. The config file is TOML, at
``config.toml`` in the platform's user config folder for closient, or wherever
``CLOSIENT_CONFIG`` points. Its top level holds the settings; ``[profiles.NAME]``
tables hold the same keys, and the profile chosen with ``--profile`` or
``CLOSIENT_PROFILE`` wins over the top level, key by key.
"""

from __future__ import annotations

import os
import stat
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import platformdirs

from closient_cli.errors import ValidationError
from closient_cli.redact import remember, remember_url_password

APP_NAME = "closient"
CONFIG_ENV = "CLOSIENT_CONFIG"
DATABASE_ENV = "CLOSIENT_DATABASE_URL"
API_KEY_ENV = "CLOSIENT_API_KEY"
SQL_DIR_ENV = "CLOSIENT_SQL_DIR"
PROFILE_ENV = "CLOSIENT_PROFILE"
CONFIG_KEYS = frozenset({"database_url", "api_key", "sql_dir"})
PROFILES_TABLE = "profiles"

_Candidates = Callable[[str], list[tuple[str, str | None]]]


@dataclass(frozen=True)
class Setting:
    """A resolved value and where it came from (``flag``, ``environment``, ...)."""

    value: str | None
    source: str


@dataclass(frozen=True, repr=False)
class Settings:
    """Everything a command needs to reach the database and prove who it is."""

    database_url: Setting
    api_key: Setting
    config_path: Path
    sql_dir: Setting = Setting(None, "packaged")

    def __repr__(self) -> str:
        return f"Settings(database from {self.database_url.source}, key hidden)"


@dataclass(frozen=True)
class Config:
    """The config file's top-level settings and its profiles, as strings."""

    values: Mapping[str, str] = field(default_factory=dict)
    profiles: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def secrets(self) -> list[Mapping[str, str]]:
        return [self.values, *self.profiles.values()]


def embedded_database_path() -> Path:
    """The SQLite file used when no database is configured."""
    return platformdirs.user_data_path(APP_NAME) / "closient.sqlite3"


def config_path(environ: Mapping[str, str]) -> Path:
    """The config file closient reads: ``CLOSIENT_CONFIG`` or the default place."""
    override = environ.get(CONFIG_ENV, "")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def resolve(
    *,
    database_flag: str | None,
    api_key_flag: str | None,
    sql_dir_flag: str | None = None,
    profile_flag: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve every setting by precedence: flag, environment, config file, default."""
    env = os.environ if environ is None else environ
    path = config_path(env)
    config = read_config(path)
    for entries in config.secrets():
        remember(entries.get("api_key"))
        remember_url_password(entries.get("database_url"))
    remember(api_key_flag)
    remember(env.get(API_KEY_ENV))
    remember_url_password(database_flag)
    remember_url_password(env.get(DATABASE_ENV))
    chosen = _config_candidates(path, config, profile_flag or env.get(PROFILE_ENV))
    return Settings(
        database_url=_first(
            ("flag", database_flag),
            ("environment", env.get(DATABASE_ENV)),
            *chosen("database_url"),
            default=Setting(None, "embedded database"),
        ),
        api_key=_first(
            ("flag", api_key_flag),
            ("environment", env.get(API_KEY_ENV)),
            *chosen("api_key"),
            default=Setting(None, "none"),
        ),
        config_path=path,
        sql_dir=_first(
            ("--sql-dir", sql_dir_flag),
            (SQL_DIR_ENV, env.get(SQL_DIR_ENV)),
            *[(source, _beside(path, value)) for source, value in chosen("sql_dir")],
            default=Setting(None, "packaged"),
        ),
    )


def _config_candidates(path: Path, config: Config, profile: str | None) -> _Candidates:
    if profile and profile not in config.profiles:
        known = ", ".join(sorted(config.profiles)) or "none are defined"
        raise ValidationError(
            f"The profile {profile} is not in the config file {path} (known: {known})."
        )

    def candidates(key: str) -> list[tuple[str, str | None]]:
        found: list[tuple[str, str | None]] = []
        if profile:
            found.append(
                (
                    f"profile {profile} of config file {path}",
                    config.profiles[profile].get(key),
                )
            )
        found.append((f"config file {path}", config.values.get(key)))
        return found

    return candidates


def _beside(path: Path, folder: str | None) -> str | None:
    """A folder named in the config file, relative to the config file's folder."""
    if not folder:
        return folder
    named = Path(folder).expanduser()
    return str(named if named.is_absolute() else path.parent / named)


def _first(*candidates: tuple[str, str | None], default: Setting) -> Setting:
    for source, value in candidates:
        if value:
            return Setting(value, source)
    return default


def read_config(path: Path) -> Config:
    """Read the config file; a missing file is an empty config."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ValidationError(
            f"The config file {path} cannot be read: {exc.strerror}."
        ) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValidationError(
            f"The config file {path} is not valid TOML: {_toml_reason(exc)}."
        ) from None
    profiles = data.pop(PROFILES_TABLE, {})
    if not isinstance(profiles, dict) or not all(
        isinstance(table, dict) for table in profiles.values()
    ):
        raise ValidationError(
            f"In the config file {path}, {PROFILES_TABLE} must hold [profiles.NAME] "
            "tables."
        )
    config = Config(
        values=_checked_entries(path, data, ""),
        profiles={
            name: _checked_entries(path, table, f"[profiles.{name}] ")
            for name, table in profiles.items()
        },
    )
    if any(_holds_secret(entries) for entries in config.secrets()):
        _refuse_if_shared(path)
    return config


def _toml_reason(exc: Exception) -> str:
    # tomllib's messages quote positions, never the file's values.
    return str(exc) if isinstance(exc, tomllib.TOMLDecodeError) else "not UTF-8"


def _checked_entries(
    path: Path, data: Mapping[str, object], where: str
) -> dict[str, str]:
    unknown = sorted(set(data) - CONFIG_KEYS)
    if unknown:
        raise ValidationError(
            f"The config file {path} has unknown settings {where}"
            f"{', '.join(unknown)} (known: {', '.join(sorted(CONFIG_KEYS))})."
        )
    entries: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(value, str):
            raise ValidationError(
                f"In the config file {path}, {where}{key} must be a string."
            )
        entries[key] = value
    return entries


def _holds_secret(config: Mapping[str, str]) -> bool:
    return bool(config.get("api_key")) or url_has_password(config.get("database_url"))


def url_has_password(url: str | None) -> bool:
    """Whether a database URL carries a password, in its authority or its query."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
        return bool(parts.password) or "password" in parse_qs(parts.query)
    except ValueError:
        return True  # unparsable: treat it as secret-bearing, the safe side


def _refuse_if_shared(path: Path) -> None:
    if sys.platform == "win32":
        return
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ValidationError(
            f"The config file {path} holds a secret but other users may read it "
            f"(mode {stat.S_IMODE(mode):04o}); run: chmod 600 {path}"
        )
