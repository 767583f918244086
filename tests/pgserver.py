"""A throwaway PostgreSQL server for the test session: initdb and pg_ctl in a temp dir.

PostgreSQL refuses to run as root, so when the tests run as root the server runs as the
unprivileged ``postgres`` user, in a directory that user owns.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
# Planted on purpose: tests assert that this never appears in any output.
PASSWORD = "Pl4nted-pg-pw%2B/x"
SERVER_SETTINGS = (
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "max_connections=120",
    "listen_addresses=127.0.0.1",
)


class ServerMissing(RuntimeError):
    """No PostgreSQL server binaries were found."""


def find_bindir() -> Path:
    """Where initdb and pg_ctl are: PG_BINDIR, PATH, or the newest Debian install."""
    override = os.environ.get("PG_BINDIR")
    candidates = [override] if override else []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda path: int(Path(path).parent.name),
        reverse=True,
    )
    for candidate in candidates:
        if (Path(candidate) / "initdb").is_file() and (
            Path(candidate) / "pg_ctl"
        ).is_file():
            return Path(candidate)
    raise ServerMissing("initdb and pg_ctl were not found (set PG_BINDIR)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    """A running server; ``url(dbname)`` gives an SQLAlchemy URL with the password."""

    bindir: Path
    root: Path
    port: int
    as_postgres_user: bool
    settings: tuple[str, ...] = SERVER_SETTINGS

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    def tool(self, name: str) -> Path:
        """A client program of the same installation (pg_basebackup, psql)."""
        beside = self.bindir / name
        if beside.is_file():
            return beside
        version = self.run(str(self.bindir / "pg_ctl"), "--version").stdout.split()[-1]
        major = version.split(".")[0]
        packaged = Path(f"/usr/lib/postgresql/{major}/bin") / name
        return packaged if packaged.is_file() else Path(shutil.which(name) or name)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self.as_postgres_user:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(
            command, check=check, capture_output=True, text=True, env=_server_env()
        )

    def start(self) -> None:
        pwfile = self.root / "pwfile"
        pwfile.write_text(PASSWORD + "\n")
        if self.as_postgres_user:
            shutil.chown(pwfile, "postgres")
        self.run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            SUPERUSER,
            "--pwfile",
            str(pwfile),
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        self.launch()

    def launch(self) -> None:
        """Start the server on an existing data directory."""
        options = " ".join(f"-c {setting}" for setting in self.settings)
        self.run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self.root} {options}",
            "start",
        )

    def stop(self, mode: str = "immediate") -> None:
        self.run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-m",
            mode,
            "stop",
            check=False,
        )

    def url(self, dbname: str, *, password: str | None = PASSWORD) -> str:
        from sqlalchemy import URL

        return URL.create(
            "postgresql",
            username=SUPERUSER,
            password=password,
            host="127.0.0.1",
            port=self.port,
            database=dbname,
        ).render_as_string(hide_password=False)

    def driver_url(self, dbname: str) -> str:
        return self.url(dbname).replace("postgresql://", "postgresql+psycopg://", 1)


def _server_env() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PG") and not key.startswith("CLOSIENT")
    }


def start_server(extra_settings: Sequence[str] = ()) -> PostgresServer:
    """Start a server in a new temporary directory (``name=value`` settings added)."""
    server = _new_server(extra_settings)
    _started(server, server.start)
    return server


def _new_server(extra_settings: Sequence[str]) -> PostgresServer:
    bindir = find_bindir()
    as_postgres_user = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="closient-pg-"))
    if as_postgres_user:
        shutil.chown(root, "postgres")
    settings = (*SERVER_SETTINGS, *extra_settings)
    return PostgresServer(bindir, root, free_port(), as_postgres_user, settings)


def _started(server: PostgresServer, start: Callable[[], None]) -> None:
    try:
        start()
    except subprocess.CalledProcessError as error:
        log = server.root / "server.log"
        details = log.read_text() if log.exists() else ""
        shutil.rmtree(server.root, ignore_errors=True)
        raise RuntimeError(
            f"PostgreSQL did not start: {error.stderr}\n{details}"
        ) from None


def start_standby(primary: PostgresServer) -> PostgresServer:
    """A streaming hot standby of ``primary``, cloned with ``pg_basebackup -R``.

    The primary must allow replication connections from 127.0.0.1 for the superuser
    (initdb's pg_hba.conf does) and run with wal_level=replica and max_wal_senders > 0.
    """
    standby = _new_server(("hot_standby=on",))

    def clone_and_launch() -> None:
        passfile = standby.root / "pgpass"
        passfile.write_text(f"127.0.0.1:{primary.port}:*:{SUPERUSER}:{PASSWORD}\n")
        passfile.chmod(0o600)
        if standby.as_postgres_user:
            shutil.chown(passfile, "postgres")
        standby.run(
            str(primary.tool("pg_basebackup")),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            SUPERUSER,
            "-D",
            str(standby.datadir),
            "-R",
            "-X",
            "stream",
            "--no-sync",
            "-d",
            f"passfile={passfile}",
        )
        standby.launch()

    _started(standby, clone_and_launch)
    return standby


def remove(server: PostgresServer) -> None:
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)
