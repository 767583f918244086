"""Where the database and the API key come from.

Each setting is taken from the first of: its command-line flag, its environment
variable, the config file, the built-in default. The config file is TOML, at
``config.toml`` in the platform's user config folder for closient, or wherever
``CLOSIENT_CONFIG`` points.
"""

from __future__ import annotations

import os
import stat
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import platformdirs

from closient_cli.errors import ValidationError
from closient_cli.redact import remember, remember_url_password

APP_NAME = "closient"
CONFIG_ENV = "CLOSIENT_CONFIG"
DATABASE_ENV = "CLOSIENT_DATABASE_URL"
API_KEY_ENV = "CLOSIENT_API_KEY"
CONFIG_KEYS = frozenset({"database_url", "api_key"})


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

    def __repr__(self) -> str:
        return f"Settings(database from {self.database_url.source}, key hidden)"


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
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve both settings by precedence: flag, environment, config file, default."""
    env = os.environ if environ is None else environ
    path = config_path(env)
    config = read_config(path)
    for key in (api_key_flag, env.get(API_KEY_ENV), config.get("api_key")):
        remember(key)
    for url in (database_flag, env.get(DATABASE_ENV), config.get("database_url")):
        remember_url_password(url)
    return Settings(
        database_url=_first(
            ("flag", database_flag),
            ("environment", env.get(DATABASE_ENV)),
            (f"config file {path}", config.get("database_url")),
            default=Setting(None, "embedded database"),
        ),
        api_key=_first(
            ("flag", api_key_flag),
            ("environment", env.get(API_KEY_ENV)),
            (f"config file {path}", config.get("api_key")),
            default=Setting(None, "none"),
        ),
        config_path=path,
    )


def _first(*candidates: tuple[str, str | None], default: Setting) -> Setting:
    for source, value in candidates:
        if value:
            return Setting(value, source)
    return default


def read_config(path: Path) -> dict[str, str]:
    """Read the config file; a missing file is an empty config."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
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
    config = _checked_entries(path, data)
    if _holds_secret(config):
        _refuse_if_shared(path)
    return config


def _toml_reason(exc: Exception) -> str:
    # tomllib's messages quote positions, never the file's values.
    return str(exc) if isinstance(exc, tomllib.TOMLDecodeError) else "not UTF-8"


def _checked_entries(path: Path, data: Mapping[str, object]) -> dict[str, str]:
    unknown = sorted(set(data) - CONFIG_KEYS)
    if unknown:
        raise ValidationError(
            f"The config file {path} has unknown settings: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(CONFIG_KEYS))})."
        )
    entries: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(value, str):
            raise ValidationError(f"In the config file {path}, {key} must be a string.")
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
