"""Faults in the middle of a call, on real parts: the app process SIGKILLed and started again while a caller
talks to an agent or waits on hold, and the AMI connection cut while they talk. Asterisk (started by the app,
``asterisk.manage``) keeps running when the app dies, and the app started again attaches to it: no call is
dropped, the state is resynced from Asterisk, and the contact record ends complete, marked ``reconstructed``
with a ``contact.resynced`` event saying what was read back from Asterisk.

The time from the restarted app's console answering to its state being resynced is printed (``-s`` shows
it), never asserted: the machine is shared."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_call_path import (
    AGENT_TONE,
    CALLER_TONE,
    agent_ready,
    call_and_queue,
    contact_of,
    ended_contact,
    hotline_user_id,
    talk_then_hang_up,
)
from tests.redis.support import RedisServer
from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline, start_hotline, wait_for

pytestmark = pytest.mark.integration

RESYNC_BOUND = 30.0  # generous: the figure itself is printed


@pytest.fixture
def redis_hotline(tmp_path: Path) -> Iterator[RunningHotline]:
    """One app node whose live state is in Redis (it outlives the app, as Asterisk does)."""
    (tmp_path / "redis").mkdir()
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    try:
        running = start_hotline(tmp_path / "hotline", redis_url=redis.url, acd={"lease_ttl_seconds": 1.0})
        yield running
        running.stop()
    finally:
        redis.stop()


def talking(hotline: RunningHotline, phones: Callable[..., BaresipPhone],
            caller_number: str) -> tuple[BaresipPhone, BaresipPhone, str, str]:
    """A caller talking to agent1 at seat1001, each phone playing its tone: (caller, seat, token, linkedid)."""
    manager = hotline.login("manager1")
    seat_phone = phones("agent", hotline=hotline, seat="seat1001", frequency=AGENT_TONE)
    caller = call_and_queue(hotline, phones(caller_number, frequency=CALLER_TONE), manager)
    agent_ready(hotline, "agent1", "seat1001")
    seat_phone.wait_event("CALL_ESTABLISHED", timeout=15)
    contact = wait_for(lambda: (lambda c: c if c and c["answered_at"] else None)(
        contact_of(hotline, manager, caller_number)), what="the call to be answered")
    return caller, seat_phone, manager, str(contact["linkedid"])


def still_in_call(*phones: BaresipPhone) -> None:
    for phone in phones:
        assert not phone.pending("CALL_CLOSED"), f"{phone.user}'s call was dropped"


def agent_on_call(hotline: RunningHotline, token: str, agent_id: int, linkedid: str) -> dict[str, Any] | None:
    """The supervisor view's agent while the ACD has them on ``linkedid``, else None."""
    with hotline.client(token) as c:
        agent = next((a for a in c.get("/api/agents").json() if a["agent_id"] == agent_id), None)
    return agent if agent and agent["state"] == "on_call" and agent.get("call") == linkedid else None


def hang_up_and_check_audio(caller: BaresipPhone, seat_phone: BaresipPhone) -> None:
    still_in_call(caller, seat_phone)
    talk_then_hang_up(caller, seat_phone)


def resync_parts(hotline: RunningHotline, linkedid: str) -> list[list[str]]:
    """What each resync read back from Asterisk for this call (its ``contact.resynced`` events)."""
    rows = hotline.query("SELECT data FROM contact_event WHERE linkedid = :l AND type = 'contact.resynced' "
                         "ORDER BY id", l=linkedid)
    return [list(_json(row["data"])["parts"]) for row in rows]


def _json(value: Any) -> dict[str, Any]:
    import json

    return dict(json.loads(value) if isinstance(value, str) else value)


def assert_complete(contact: dict[str, Any], agent_id: int) -> None:
    assert contact["outcome"] == "answered"
    assert contact["agent_id"] == agent_id
    assert contact["answered_at"] and contact["ended_at"]
    assert contact["talk_seconds"] is not None and contact["talk_seconds"] > 0
    assert contact["reconstructed"] is True


def test_app_killed_while_a_caller_talks_to_an_agent(
        redis_hotline: RunningHotline, phones: Callable[..., BaresipPhone]) -> None:
    hotline = redis_hotline
    caller, seat_phone, manager, linkedid = talking(hotline, phones, "13700000001")
    agent_id = hotline_user_id(hotline, "agent1")

    hotline.kill_app()  # SIGKILL: Asterisk, started by the app, keeps the call up
    time.sleep(1.0)
    still_in_call(caller, seat_phone)
    ready_at = hotline.restart_app()
    assert "attached to the Asterisk already running" in hotline.log_text()
    wait_for(lambda: hotline.health()["ami"] and hotline.health()["ami_resyncs"] >= 1, timeout=RESYNC_BOUND,
             interval=0.05, what="the restarted app to resync with Asterisk")
    supervisor = hotline.login("super1")
    wait_for(lambda: agent_on_call(hotline, supervisor, agent_id, linkedid), timeout=RESYNC_BOUND, interval=0.05,
             what="the supervisor view to show agent1 on the call")
    print(f"\nrestart during a talk: resynced {time.monotonic() - ready_at:.2f} s after the app was ready")
    assert ["in_call"] in resync_parts(hotline, linkedid)

    hang_up_and_check_audio(caller, seat_phone)
    assert_complete(ended_contact(hotline, manager, caller.user), agent_id)
    wait_for(lambda: (lambda a: a and a["state"] != "on_call")(
        next(a for a in hotline.client(supervisor).get("/api/agents").json() if a["agent_id"] == agent_id)),
        what="agent1 to leave the call")


def test_app_killed_while_a_caller_waits_then_an_agent_takes_the_call(
        hotline: RunningHotline, phones: Callable[..., BaresipPhone]) -> None:
    """One node, live state in memory only (the default): the waiting caller is read back from Asterisk's
    holding context. The hold AGI runs every 30 s (the default), so the caller stays on hold music while the
    app is away rather than going to the fallback queue."""
    manager = hotline.login("manager1")
    caller = call_and_queue(hotline, phones("13700000002", frequency=CALLER_TONE), manager)
    linkedid = str(contact_of(hotline, manager, caller.user)["linkedid"])  # type: ignore[index]

    hotline.kill_app()
    time.sleep(1.0)
    still_in_call(caller)
    ready_at = hotline.restart_app()
    wait_for(lambda: hotline.health()["waiting_calls"] == 1, timeout=RESYNC_BOUND, interval=0.05,
             what="the restarted app to find the waiting caller")
    print(f"\nrestart during a wait: resynced {time.monotonic() - ready_at:.2f} s after the app was ready")
    manager = hotline.login("manager1")
    with hotline.client(manager) as c:
        assert c.get(f"/api/queues/calls/{linkedid}").json()["position"] == 1

    seat_phone = phones("agent", hotline=hotline, seat="seat1001", frequency=AGENT_TONE)
    agent_ready(hotline, "agent1", "seat1001")
    seat_phone.wait_event("CALL_ESTABLISHED", timeout=15)
    hang_up_and_check_audio(caller, seat_phone)
    contact = ended_contact(hotline, manager, caller.user)
    assert_complete(contact, hotline_user_id(hotline, "agent1"))
    assert contact["linkedid"] == linkedid
    assert ["waiting"] in resync_parts(hotline, linkedid)


def test_ami_cut_while_a_caller_talks_to_an_agent(
        hotline: RunningHotline, phones: Callable[..., BaresipPhone]) -> None:
    caller, seat_phone, manager, linkedid = talking(hotline, phones, "13700000003")
    resyncs = hotline.health()["ami_resyncs"]
    hotline.cut_ami_connection()
    wait_for(lambda: hotline.health()["ami_resyncs"] > resyncs, timeout=15, what="AMI reconnect and resync")
    still_in_call(caller, seat_phone)
    supervisor = hotline.login("super1")
    agent_id = hotline_user_id(hotline, "agent1")
    assert agent_on_call(hotline, supervisor, agent_id, linkedid)
    hang_up_and_check_audio(caller, seat_phone)
    assert_complete(ended_contact(hotline, manager, caller.user), agent_id)
    assert ["in_call"] in resync_parts(hotline, linkedid)
