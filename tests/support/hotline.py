"""Starts a real Qingquan hotline (``qingquan run --demo``) as a subprocess on free ports, with its own
private Asterisk, database and prompts in a temporary directory, and gives tests an HTTP client for it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import sqlalchemy

from tests.support.baresip import free_port

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[2]
SHARED_PROMPTS = Path(tempfile.gettempdir()) / "qq-test-prompts"  # generated once, reused by every hotline


def wait_for(check: Callable[[], T | None], timeout: float = 15.0, interval: float = 0.1,
             what: str = "condition") -> T:
    """Polls ``check`` until it returns something truthy; fails with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except (httpx.HTTPError, AssertionError, KeyError) as exc:
            last_error = exc
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what} (last error: {last_error})")


@dataclass
class RunningHotline:
    root: Path
    http_port: int
    sip_port: int
    ami_port: int
    seats: dict[str, str]
    process: subprocess.Popen[bytes]
    database_url: str = ""
    asterisk_dir: Path | None = None
    environment: dict[str, str] | None = None  # the app's environment, for restart_app

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=10)

    def login(self, username: str, password: str = "qingquan-demo") -> str:
        with self.client() as c:
            response = c.post("/api/auth/login", json={"username": username, "password": password})
            response.raise_for_status()
            return str(response.json()["access_token"])

    def health(self) -> dict[str, Any]:
        with self.client() as c:
            return dict(c.get("/api/health").json())

    def cut_ami_connection(self) -> None:
        """Aborts the app's TCP connection to Asterisk's AMI, as a network fault would (``ss -K``)."""
        subprocess.run(["ss", "-K", "dst", "127.0.0.1", "dport", "=", str(self.ami_port)], check=True,
                       capture_output=True)

    def query(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        """Rows of a read-only SQL query on the hotline's own database."""
        url = self.database_url or f"sqlite:///{self.root / 'var' / 'qingquan.db'}"
        engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            with engine.connect() as connection:
                return [dict(row._mapping) for row in connection.execute(sqlalchemy.text(sql), params)]
        finally:
            engine.dispose()

    def log_text(self) -> str:
        return (self.root / "hotline.log").read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.database_url:
            drop_database(self.database_url)
        if self.asterisk_dir is not None:
            self._stop_orphaned_asterisk()
            # Asterisk's own log stays with the test's files; the short-named run directory goes.
            shutil.copytree(self.asterisk_dir / "log", self.root / "asterisk-log", dirs_exist_ok=True)
            shutil.rmtree(self.asterisk_dir, ignore_errors=True)

    def kill_app(self) -> None:
        """SIGKILLs the Qingquan process, leaving its Asterisk running: the app is down, the PBX is not."""
        self.process.kill()
        self.process.wait()

    def restart_app(self, timeout: float = 60.0) -> float:
        """Starts the app again (after ``kill_app``) with the same settings; its output is appended to
        hotline.log. Returns once its console answers, with the ``time.monotonic()`` at which it first did
        (the app is ready; routing and the AMI resync may still be under way)."""
        assert self.process.poll() is not None, "kill_app first"
        started = self.log_text().count("Qingquan is up")
        self.process = launch_app(self.root, None, self.environment or dict(os.environ))

        def up() -> float | None:
            if self.process.poll() is not None:
                raise RuntimeError(f"the restarted hotline exited:\n{self.log_text()[-3000:]}")
            with self.client() as c:
                ready = c.get("/api/health").status_code == 200 and self.log_text().count("Qingquan is up") > started
            return time.monotonic() if ready else None

        return wait_for(up, timeout=timeout, interval=0.05, what="the hotline to start again")

    def asterisk_cli(self, command: str) -> str:
        """The output of an Asterisk CLI command on the hotline's own Asterisk (``asterisk -rx``)."""
        assert self.asterisk_dir is not None
        result = subprocess.run(["asterisk", "-C", str(self.asterisk_dir / "etc" / "asterisk.conf"), "-rx", command],
                                capture_output=True, text=True, timeout=10, check=True)
        return result.stdout

    def _stop_orphaned_asterisk(self) -> None:
        assert self.asterisk_dir is not None
        if (self.asterisk_dir / "run" / "asterisk.ctl").exists():
            subprocess.run(["asterisk", "-C", str(self.asterisk_dir / "etc" / "asterisk.conf"), "-rx",
                            "core stop now"], capture_output=True, timeout=10, check=False)


def seat_entry(name: str, *, emergency: bool = False) -> dict[str, Any]:
    """A seat entry for ``asterisk.seats`` overrides, with the password scheme of the default test seats."""
    return {"name": name, "password": f"test-secret-{name.removeprefix('seat')}", "emergency": emergency}


def start_hotline(root: Path, *, env: Mapping[str, str] | None = None, **overrides: Any) -> RunningHotline:
    """Starts a hotline. ``overrides`` are settings sections merged into the TOML written for it (tables
    merge key by key, anything else replaces), e.g. ``acd={"announce_seconds": 3}`` or
    ``asterisk={"seats": [seat_entry("seat1001"), seat_entry("seat1002", emergency=True)]}``; ``env`` adds
    environment variables (``QINGQUAN_...``)."""
    root.mkdir(parents=True, exist_ok=True)
    http_port, sip_port, ami_port, agi_port = free_port(), free_port(), free_port(), free_port()
    database_url = fresh_database_url()
    default_seats = [seat_entry(f"seat{n}") for n in (1001, 1002, 1003)]
    run_dir = Path(tempfile.mkdtemp(prefix="qq-ast-"))  # short: Asterisk's control socket path is limited
    settings: dict[str, Any] = {
        "var_dir": str(root / "var"),
        "database_url": database_url,  # a fresh database per hotline: reports count only its calls
        "asterisk": {"sip_port": sip_port, "ami_port": ami_port, "run_dir": str(run_dir),
                     "ami_secret": "test-ami-secret", "ring_seconds": 6,
                     "rtp_start": 31000 + (sip_port % 50) * 20, "rtp_end": 31019 + (sip_port % 50) * 20,
                     "seats": default_seats},
        "agi": {"port": agi_port},
        "http": {"port": http_port},
        "ivr": {"prompt_dir": str(SHARED_PROMPTS / "prompts"), "hold_music_dir": str(SHARED_PROMPTS / "moh"),
                "digit_timeout_ms": 3000},
        "acd": {"wrapup_seconds": 1.0},
        "auth": {"secret_key": "test-secret-key-that-is-long-enough-000"},
    }
    settings = merged(settings, overrides)
    seats = {seat["name"]: seat["password"] for seat in settings["asterisk"]["seats"]}
    environment = {**os.environ, **(env or {})}
    environment.pop("QINGQUAN_SETTINGS_FILE", None)
    process = launch_app(root, settings, environment)
    hotline = RunningHotline(root=root, http_port=http_port, sip_port=sip_port, ami_port=ami_port, seats=seats,
                             process=process, database_url=database_url, asterisk_dir=run_dir,
                             environment=environment)

    def up() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"hotline exited:\n{hotline.log_text()[-3000:]}")
        with hotline.client() as c:
            return bool(c.get("/api/health").json()["ami"]) and "demo is running" in hotline.log_text()

    try:
        wait_for(up, timeout=120, interval=0.2, what="the hotline to start")
    except Exception:
        hotline.stop()
        raise
    return hotline


def launch_app(root: Path, settings: dict[str, Any] | None, environment: dict[str, str]) -> subprocess.Popen[bytes]:
    """``qingquan run --demo`` with ``settings`` written as TOML in ``root``; its output goes to hotline.log.
    ``settings`` None: the app starts again with the settings file already there, its output appended."""
    toml = root / "settings.toml"
    if settings is not None:
        toml.write_text(_to_toml(settings))
    log = (root / "hotline.log").open("wb" if settings is not None else "ab")
    return subprocess.Popen(
        [sys.executable, "-m", "config.cli", "--settings", str(toml), "run", "--demo"],
        cwd=root, env=environment, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def fresh_database_url() -> str:
    """"" (SQLite under the hotline's var/) unless QINGQUAN_TEST_DATABASE_URL names a PostgreSQL server: then
    a new, uniquely named database on that server."""
    base = os.environ.get("QINGQUAN_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql://"):
        return ""
    import uuid

    import psycopg

    name = f"qq_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    import psycopg

    admin = os.environ["QINGQUAN_TEST_DATABASE_URL"]
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def merged(base: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` merged in: tables key by key, any other value replaced."""
    result = dict(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def _to_toml(settings: dict[str, Any]) -> str:
    """Just enough TOML for settings: top-level keys, one table per section, anything deeper inline.
    None means "not set" and is left out."""
    lines = [f"{key} = {_toml_value(value)}" for key, value in settings.items()
             if value is not None and not isinstance(value, Mapping)]
    for name, table in settings.items():
        if isinstance(table, Mapping):
            lines.append(f"\n[{name}]")
            lines.extend(f"{key} = {_toml_value(value)}" for key, value in table.items() if value is not None)
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items() if v is not None) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value)  # strings, numbers and booleans are written alike in JSON and TOML
