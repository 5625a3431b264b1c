"""Several Qingquan app nodes on one Asterisk, one Redis and one database, as in the active/standby design:
node 0 starts the private Asterisk (``asterisk.manage = true``); the others (``manage = false``) use its SIP
and AMI ports. Every node runs its own HTTP console and FastAGI server and lists the other nodes' FastAGI
servers as ``agi.failover_hosts``, so the dialplan reaches the IVR and the hold AGI on whichever is alive.

Nodes start one after the other (node 0 first: it boots Asterisk, upgrades the schema and seeds the demo
users; the next one finds them there). ``stop`` stops them in reverse order: the Asterisk and the database
go last, with node 0."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.redis.support import RedisServer
from tests.support.baresip import free_port
from tests.support.hotline import SHARED_PROMPTS, RunningHotline, fresh_database_url, launch_app, wait_for

AMI_SECRET = "test-ami-secret"
SEATS = {f"seat{n}": f"test-secret-{n}" for n in (1001, 1002, 1003)}


@dataclass
class AppNode(RunningHotline):
    """One app process. ``sip_port`` and ``ami_port`` are the shared Asterisk's; ``asterisk_dir`` is set on
    the node that manages Asterisk only, and ``database_url`` (dropped on stop) on that node only."""

    node_id: str = ""
    agi_port: int = 0

    def routing(self) -> bool:
        return bool(self.health().get("routing"))

    def alive(self) -> bool:
        return self.process.poll() is None


@dataclass
class Cluster:
    root: Path
    redis: RedisServer
    nodes: list[AppNode] = field(default_factory=list)

    def routers(self) -> list[AppNode]:
        """The live nodes whose /api/health reports routing."""
        return [node for node in self.nodes if node.alive() and node.routing()]

    def asterisk_cli(self, command: str) -> str:
        """A CLI command on the shared Asterisk (it may be an orphan by now: its app was killed)."""
        manager = self.nodes[0]
        assert manager.asterisk_dir is not None
        result = subprocess.run(["asterisk", "-C", str(manager.asterisk_dir / "etc" / "asterisk.conf"), "-rx",
                                 command], capture_output=True, text=True, timeout=10, check=False)
        return result.stdout

    def stop(self) -> None:
        for node in reversed(self.nodes):
            node.stop()
        self.redis.stop()


def start_cluster(root: Path, count: int = 2, *, lease_ttl_seconds: float | None = None,
                  settings: Mapping[str, Any] | None = None) -> Cluster:
    """Starts a redis-server and ``count`` nodes (``node-a``, ``node-b``, ...). ``lease_ttl_seconds`` sets
    ``acd.lease_ttl_seconds`` (None leaves it out, for settings that do not have it); ``settings`` adds
    top-level settings keys or, for a table such as ``acd``, keys within it, on every node."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "redis").mkdir(exist_ok=True)
    redis = RedisServer(root / "redis")
    redis.start()
    cluster = Cluster(root=root, redis=redis)
    try:
        sip_port, ami_port = free_port(), free_port()
        agi_ports = [free_port() for _ in range(count)]
        database_url = fresh_database_url() or f"sqlite:///{root / 'shared.db'}"  # SQLite: WAL, two processes
        asterisk_dir = Path(tempfile.mkdtemp(prefix="qq-ast-"))  # short: Asterisk's control socket path
        for index in range(count):
            node_id = f"node-{chr(ord('a') + index)}"
            manages = index == 0
            values = node_settings(
                root / node_id, node_id=node_id, manages_asterisk=manages, sip_port=sip_port, ami_port=ami_port,
                asterisk_dir=asterisk_dir, agi_port=agi_ports[index], http_port=free_port(),
                failover=[f"127.0.0.1:{port}" for i, port in enumerate(agi_ports) if i != index],
                database_url=database_url, redis_url=redis.url, lease_ttl_seconds=lease_ttl_seconds)
            for key, value in (settings or {}).items():
                values[key] = {**values.get(key, {}), **value} if isinstance(value, Mapping) else value
            cluster.nodes.append(launch_node(
                root / node_id, values, node_id=node_id, sip_port=sip_port, ami_port=ami_port,
                agi_port=agi_ports[index], asterisk_dir=asterisk_dir if manages else None,
                database_url=database_url if manages and not database_url.startswith("sqlite") else ""))
    except Exception:
        cluster.stop()
        raise
    return cluster


@contextmanager
def running_cluster(root: Path, count: int = 2, **kwargs: Any) -> Iterator[Cluster]:
    cluster = start_cluster(root, count, **kwargs)
    try:
        yield cluster
    finally:
        cluster.stop()


def node_settings(root: Path, *, node_id: str, manages_asterisk: bool, sip_port: int, ami_port: int,
                  asterisk_dir: Path, agi_port: int, http_port: int, failover: list[str], database_url: str,
                  redis_url: str, lease_ttl_seconds: float | None) -> dict[str, Any]:
    """The settings of one node, like ``start_hotline``'s, plus the node's place in the cluster."""
    settings: dict[str, Any] = {
        "var_dir": str(root / "var"),
        "database_url": database_url,
        "redis_url": redis_url,
        "asterisk": {"manage": manages_asterisk, "sip_port": sip_port, "ami_port": ami_port,
                     "run_dir": str(asterisk_dir), "ami_secret": AMI_SECRET, "ring_seconds": 6,
                     "rtp_start": 31000 + (sip_port % 50) * 20, "rtp_end": 31019 + (sip_port % 50) * 20,
                     "seats": [{"name": k, "password": v} for k, v in SEATS.items()]},
        "agi": {"port": agi_port, "failover_hosts": failover},
        "http": {"port": http_port},
        "ivr": {"prompt_dir": str(SHARED_PROMPTS / "prompts"), "hold_music_dir": str(SHARED_PROMPTS / "moh"),
                "digit_timeout_ms": 3000},
        "acd": {"wrapup_seconds": 1.0},
        "auth": {"secret_key": "test-secret-key-that-is-long-enough-000"},  # one key: tokens work on any node
    }
    if lease_ttl_seconds is not None:
        settings = {"node_id": node_id, **settings}  # top-level keys go before the tables in TOML
        settings["acd"]["lease_ttl_seconds"] = lease_ttl_seconds
    return settings


def launch_node(root: Path, settings: dict[str, Any], *, node_id: str, sip_port: int, ami_port: int,
                agi_port: int, asterisk_dir: Path | None, database_url: str) -> AppNode:
    """Runs ``qingquan run --demo`` with these settings; returns once its console answers and the demo is
    seeded (a standby node has no AMI connection, so AMI is not waited for here)."""
    root.mkdir(parents=True, exist_ok=True)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QINGQUAN_")}
    process = launch_app(root, settings, environment)
    node = AppNode(root=root, http_port=settings["http"]["port"], sip_port=sip_port, ami_port=ami_port,
                   seats=dict(SEATS), process=process, database_url=database_url, asterisk_dir=asterisk_dir,
                   node_id=node_id, agi_port=agi_port)

    def up() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"{node_id} exited:\n{node.log_text()[-3000:]}")
        with node.client() as c:
            return c.get("/api/health").status_code == 200 and "demo is running" in node.log_text()

    try:
        wait_for(up, timeout=60, interval=0.2, what=f"{node_id} to start")
    except Exception:
        node.stop()
        raise
    return node


def only_one(check: Callable[[], list[AppNode]]) -> Callable[[], AppNode | None]:
    """For ``wait_for``: the single node ``check`` returns, None while it returns none or several."""

    def single() -> AppNode | None:
        found = check()
        return found[0] if len(found) == 1 else None

    return single
