"""A private, throwaway PostgreSQL cluster (Debian's server binaries, never the system cluster): used by the
database tests when no external database is configured, and by ``benchmarks/reports_dashboard.py``.

The cluster lives in a data directory of its own and listens on a free TCP port of 127.0.0.1 only (its unix
socket goes into the data directory), with ``trust`` authentication for the ``postgres`` superuser. PostgreSQL
refuses to run as root, so when this process is root the server runs as the ``postgres`` system user (created
by Debian's package), which then owns the data directory. Durability is traded for speed (``fsync=off``,
``synchronous_commit=off``, ``full_page_writes=off``): a crash may lose the data, which is scratch anyway.
A directory that already holds a cluster is reused (the benchmark resumes on its data)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

SERVER_USER = "postgres"
SUPERUSER = "postgres"
BINARIES_GLOB = "/usr/lib/postgresql/*/bin"
MISSING = (f"PostgreSQL server binaries not found ({BINARIES_GLOB}/initdb and pg_ctl): run `make setup` "
           "(installs Debian's postgresql)")


def server_binaries() -> Path | None:
    """The newest installed major version's bin directory holding ``initdb`` and ``pg_ctl``, if any."""
    found = [Path(d) for d in glob.glob(BINARIES_GLOB)
             if (Path(d) / "initdb").is_file() and (Path(d) / "pg_ctl").is_file()]
    return max(found, key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else 0) if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresCluster:
    """``start()`` creates the cluster if ``datadir`` holds none, then starts it; ``stop()`` stops it."""

    def __init__(self, datadir: Path, *, port: int | None = None, settings: dict[str, str] | None = None) -> None:
        bindir = server_binaries()
        if bindir is None:
            raise RuntimeError(MISSING)
        self.bindir = bindir
        self.datadir = datadir.resolve()
        self.port = port or free_port()
        self.settings = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
                         "max_connections": "50", **(settings or {})}
        self._as_other_user = os.geteuid() == 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def start(self, timeout: float = 60.0) -> None:
        """Starts the server; one already running on this directory (left running earlier) is reused."""
        if not (self.datadir / "PG_VERSION").exists():
            self._initdb()
        elif self._running_port() is not None:
            self.port = self._running_port() or self.port
            return
        options = " ".join([f"-p {self.port}", "-c listen_addresses=127.0.0.1",
                            f"-c unix_socket_directories={self.datadir}",
                            *(f"-c {name}={value}" for name, value in self.settings.items())])
        self._run("pg_ctl", "start", "-w", "-t", str(int(timeout)), "-D", str(self.datadir),
                  "-l", str(self.datadir / "server.log"), "-o", options)

    def stop(self) -> None:
        if (self.datadir / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.datadir))

    def _running_port(self) -> int | None:
        """The port of a server running on this data directory (postmaster.pid's fourth line), if any."""
        pid_file = self.datadir / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
            os.kill(int(lines[0]), 0)
            return int(lines[3])
        except (OSError, ValueError, IndexError):
            return None

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """Creates database ``name`` (empty, or a copy of ``template``) and returns its URL."""
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def database_exists(self, name: str) -> bool:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None

    def execute(self, statement: str) -> None:
        """Runs one statement outside a transaction (CREATE/DROP DATABASE) on the ``postgres`` database."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(statement.encode())

    def _initdb(self) -> None:
        self.datadir.mkdir(parents=True, exist_ok=True)
        if self._as_other_user:
            account = pwd.getpwnam(SERVER_USER)
            os.chown(self.datadir, account.pw_uid, account.pw_gid)
            for parent in self.datadir.parents:  # the server must be able to reach its directory
                if parent.stat().st_mode & 0o001 == 0 and parent.stat().st_uid != account.pw_uid:
                    raise RuntimeError(f"{parent} is not searchable by the {SERVER_USER} user: choose another "
                                       "directory for the cluster")
        self._run("initdb", "-D", str(self.datadir), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")

    def _run(self, program: str, *args: str) -> None:
        extra: dict[str, Any] = {}
        if self._as_other_user:
            account = pwd.getpwnam(SERVER_USER)
            extra = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": [],
                     "env": {**os.environ, "HOME": account.pw_dir, "USER": SERVER_USER}}
        done = subprocess.run([str(self.bindir / program), *args], capture_output=True, text=True,
                              cwd="/", **extra)
        if done.returncode != 0:
            log = self.datadir / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} {' '.join(args[:2])} failed ({done.returncode}): "
                               f"{done.stderr.strip()[-2000:]}\n{tail}")


def remove_datadir(datadir: Path) -> None:
    shutil.rmtree(datadir, ignore_errors=True)
