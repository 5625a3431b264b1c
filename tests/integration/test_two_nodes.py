"""Two app nodes, one Asterisk, one Redis, one database (the active/standby design), on real parts.

Node A starts the private Asterisk; node B (``asterisk.manage = false``) uses the same SIP and AMI ports. Both
run the console and a FastAGI server, and each lists the other's FastAGI server in ``agi.failover_hosts``,
so the dialplan reaches the IVR and the hold AGI on whichever node is alive. The lease holder is the routing
node: only it has the AMI bridge and runs the ACD.

``test_a_new_call_reaches_the_ivr_on_the_node_that_is_alive`` runs on any build. The takeover test needs the
routing-node wiring (settings ``node_id`` and ``acd.lease_ttl_seconds``, ``"routing"`` in /api/health) and
is skipped until those settings exist."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from config.settings import AcdSettings, Settings
from tests.integration.test_call_path import (
    AGENT_TONE,
    CALLER_TONE,
    agent_ready,
    call_and_queue,
    contact_of,
    dial_hotline,
    ended_contact,
    hotline_user_id,
    talk_then_hang_up,
)
from tests.support.ami_client import AmiClient, Message
from tests.support.baresip import BaresipPhone
from tests.support.hotline import wait_for
from tests.support.nodes import AMI_SECRET, AppNode, Cluster, only_one, start_cluster

pytestmark = pytest.mark.integration

ROUTING_NODE_WIRED = "node_id" in Settings.model_fields and "lease_ttl_seconds" in AcdSettings.model_fields
needs_routing_node = pytest.mark.skipif(
    not ROUTING_NODE_WIRED, reason="needs the routing-node wiring: settings node_id and acd.lease_ttl_seconds")

LEASE_TTL = 2.0
TAKEOVER_SLACK = 5.0  # a takeover within lease TTL + this
ANNOUNCE_SECONDS = 2  # the hold AGI runs every 2 s, so it runs while the routing node is down


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    running = start_cluster(tmp_path / "cluster", lease_ttl_seconds=LEASE_TTL if ROUTING_NODE_WIRED else None,
                            settings={"acd": {"announce_seconds": ANNOUNCE_SECONDS}})
    yield running
    running.stop()


@pytest.fixture
def dialplan(cluster: Cluster) -> Iterator[DialplanWatch]:
    watch = DialplanWatch(cluster)
    yield watch
    watch.close()


class DialplanWatch:
    """Every dialplan step (AMI ``Newexten``) and AGI command (``AGIExecStart``) of the shared Asterisk, on an
    AMI connection of the test's own."""

    def __init__(self, cluster: Cluster) -> None:
        node = cluster.nodes[0]
        self.ami = AmiClient("127.0.0.1", node.ami_port, "qingquan", AMI_SECRET)
        self.ami.connect()
        self.ami.only_events(["Newexten", "AGIExecStart"])
        self.steps: list[Message] = []

    def of(self, linkedid: str) -> list[Message]:
        """The steps of the caller's own channel so far."""
        while not self.ami.events.empty():
            self.steps.append(self.ami.events.get_nowait())
        return [s for s in self.steps if s.get("Uniqueid") == linkedid and s.get("Linkedid") == linkedid]

    def agi_runs(self, linkedid: str, node: AppNode, script: str, since: float = 0.0) -> list[Message]:
        """The caller's AGI steps aimed at this node's FastAGI server since ``since`` (time.time())."""
        url = f"agi://127.0.0.1:{node.agi_port}/{script}"
        return [s for s in self.of(linkedid) if s.get("Application") == "AGI" and s.get("AppData", "")
                .startswith(url) and float(s["received_at"]) >= since]

    def connected_after(self, linkedid: str, agi_step: Message) -> bool:
        """Whether the AGI ``agi_step`` reached its server: it ran an AGI command, or it returned to the
        dialplan with AGISTATUS other than FAILURE (a hold AGI for a caller not in line sends no command)."""
        later = [s for s in self.of(linkedid) if float(s["received_at"]) >= float(agi_step["received_at"])]
        return any(s.get("Event") == "AGIExecStart" or (s.get("Application") == "GotoIf" and s.get("AppData")
                   == "0?from-trunk,fallback,1") for s in later)

    def close(self) -> None:
        self.ami.close()


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def routing_or_unwired(node: AppNode) -> bool:
    """Before the routing-node wiring every node routes (no "routing" in /api/health)."""
    return bool(node.health().get("routing", True))


def test_a_new_call_reaches_the_ivr_on_the_node_that_is_alive(
        cluster: Cluster, dialplan: DialplanWatch, phones: Callable[..., BaresipPhone]) -> None:
    a, b = cluster.nodes
    assert a.asterisk_dir is not None and b.asterisk_dir is None  # A runs Asterisk; B only uses it
    assert (a.sip_port, a.ami_port) == (b.sip_port, b.ami_port)
    assert accepts(a.agi_port) and accepts(b.agi_port)  # every node serves FastAGI
    assert f"QQ_AGI_NODES=127.0.0.1:{a.agi_port},127.0.0.1:{b.agi_port}" in cluster.asterisk_cli(
        "dialplan show globals")

    a.kill_app()  # A's FastAGI is gone; its Asterisk is not
    assert not accepts(a.agi_port)
    assert "Asterisk" in cluster.asterisk_cli("core show version")
    wait_for(lambda: routing_or_unwired(b), timeout=LEASE_TTL + TAKEOVER_SLACK, what="B to route")

    token = b.login("manager1")
    call_and_queue(b, phones("13800000001"), token)  # the IVR answered (on B) and put the caller in line
    linkedid = contact_of(b, token, "13800000001")["linkedid"]  # type: ignore[index]
    steps = dialplan.of(linkedid)
    assert [s["AppData"].split(",")[0] for s in steps if s.get("Application") == "AGI"][:2] == [
        f"agi://127.0.0.1:{a.agi_port}/ivr", f"agi://127.0.0.1:{b.agi_port}/ivr"]  # A refused, then B
    assert not [s for s in steps if s.get("Exten") == "fallback"]


@needs_routing_node
def test_standby_takes_over_and_connects_the_waiting_caller(
        cluster: Cluster, dialplan: DialplanWatch, phones: Callable[..., BaresipPhone]) -> None:
    a, b = cluster.nodes
    # A started first and took the lease: exactly one node routes, and B stands by
    router = wait_for(only_one(cluster.routers), timeout=LEASE_TTL + TAKEOVER_SLACK, what="one routing node")
    assert router is a and not b.routing()
    assert (a.health()["node_id"], b.health()["node_id"]) == ("node-a", "node-b")
    assert b.health()["ami"] is False  # a standby node has no AMI bridge

    token_a = a.login("manager1")
    caller = call_and_queue(a, phones("13800000001", frequency=CALLER_TONE), token_a)
    linkedid = contact_of(a, token_a, caller.user)["linkedid"]  # type: ignore[index]
    token_b = b.login("manager1")  # one secret key: B could check A's token too
    wait_for(lambda: waiting(b, token_b) == 1, what="B's view (from the snapshot) to show the waiting caller")

    a.kill_app()  # SIGKILL: no lease release, no goodbye; Asterisk (started by A) keeps running
    killed_at, killed_at_wall = time.monotonic(), time.time()
    wait_for(b.routing, timeout=LEASE_TTL + TAKEOVER_SLACK, interval=0.05, what="B to take over routing")
    took = time.monotonic() - killed_at
    assert took <= LEASE_TTL + TAKEOVER_SLACK, took
    assert b.health()["ami"] is True

    # the caller is still in line on B, and while A was down their hold announcements came from B
    wait_for(lambda: waiting(b, token_b) == 1, what="the caller in line on B")
    with b.client(token_b) as c:
        status = c.get(f"/api/queues/calls/{linkedid}")
        assert status.status_code == 200, status.text
        assert status.json()["position"] == 1
    hold_on_b = wait_for(lambda: dialplan.agi_runs(linkedid, b, "hold", since=killed_at_wall),
                         timeout=ANNOUNCE_SECONDS + 10, what="a hold AGI aimed at B")[0]
    wait_for(lambda: dialplan.connected_after(linkedid, hold_on_b), timeout=ANNOUNCE_SECONDS + 10,
             what="B's FastAGI to take the hold AGI (not the fallback queue)")

    # an agent logs in on B and goes ready: B offers the caller to the seat, the two talk
    seat_phone = phones("agent", hotline=b, seat="seat1001", frequency=AGENT_TONE)
    agent_ready(b, "agent1", "seat1001")
    seat_phone.wait_event("CALL_ESTABLISHED", timeout=15)
    answered = wait_for(lambda: (lambda c: c if c and c["answered_at"] else None)(
        contact_of(b, token_b, caller.user)), what="the contact to be answered")
    assert answered["linkedid"] == linkedid
    talk_then_hang_up(caller, seat_phone)

    contact = ended_contact(b, token_b, caller.user)
    assert contact["outcome"] == "answered"
    assert contact["agent_id"] == hotline_user_id(b, "agent1")
    assert not [s for s in dialplan.of(linkedid) if s.get("Exten") == "fallback"]  # never left the ACD
    with b.client(token_b) as c:
        assert [call["caller_number"] for call in c.get("/api/calls").json()] == [caller.user]  # one call, kept


@needs_routing_node
def test_a_caller_in_the_ivr_of_a_killed_node_hears_the_menu_again_from_the_other(
        cluster: Cluster, dialplan: DialplanWatch, phones: Callable[..., BaresipPhone]) -> None:
    """The FastAGI connection of a killed node just closes (AGISTATUS SUCCESS, no decision): the dialplan
    starts the IVR again on the node that is alive, rather than hanging the caller up."""
    a, b = cluster.nodes
    token = b.login("manager1")
    caller = phones("13800000003")
    dial_hotline(caller, a)
    linkedid = wait_for(lambda: (contact_of(b, token, caller.user) or {}).get("linkedid"),
                        what="the call in the IVR")
    wait_for(lambda: dialplan.agi_runs(linkedid, a, "ivr"), what="A's IVR to take the call")

    killed_at = time.time()
    a.kill_app()  # the caller is in A's menu, keying nothing yet
    # Asterisk notices the closed FastAGI connection only when the application the IVR asked for ends: the
    # menu's Read() (its prompts, then its wait for a key), which may take half a minute
    again = wait_for(lambda: dialplan.agi_runs(linkedid, b, "ivr", since=killed_at), timeout=60,
                     what="the IVR started again on B")[0]
    wait_for(lambda: dialplan.connected_after(linkedid, again), what="B's IVR to answer")
    wait_for(b.routing, timeout=LEASE_TTL + TAKEOVER_SLACK, interval=0.05, what="B to take over routing")
    caller.send_dtmf("0")
    wait_for(lambda: (contact_of(b, token, caller.user) or {}).get("queued_at"), timeout=20,
             what="the caller in line on B")
    assert not [s for s in dialplan.of(linkedid) if s.get("Exten") == "fallback"]  # the ACD's, not app_queue's
    assert [s for s in dialplan.of(linkedid) if s.get("Exten") == "ivr-lost"]


def waiting(node: AppNode, token: str) -> int:
    with node.client(token) as c:
        return sum(q["waiting"] for q in c.get("/api/queues").json())
