"""The night service on real Asterisk: the queue is closed right now (its only range starts three hours from
now), an agent is ready all the same. A caller who presses 0 for an agent hears that the line is closed and
when it opens; in message mode the call ends there (outcome "closed", never queued, no seat rings); in callback
mode the caller presses 1 and is hung up with a callback owed to their number, which is not placed while the
queue is closed. (An open queue reaching an agent is every other call test: the default is open 24 h.)"""

from __future__ import annotations

import json
import wave
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.integration.test_call_path import agent_ready, dial_hotline
from tests.support.acd_steps import press_until, queue_summary, wait_agent_state
from tests.support.baresip import BaresipPhone
from tests.support.hotline import SHARED_PROMPTS, RunningHotline, wait_for

pytestmark = pytest.mark.integration

CALLER = "13900000031"


def closed_now() -> dict[str, list[str]]:
    """Every day open only from three to four hours from now (Asia/Shanghai, the hotline's time zone)."""
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    opens, closes = now + timedelta(hours=3), now + timedelta(hours=4)
    return {"mon-sun": [f"{opens:%H:%M}-{closes:%H:%M}"]}


def night_hotline(hotline_with: Callable[..., RunningHotline], phones: Callable[..., BaresipPhone],
                  mode: str) -> tuple[RunningHotline, BaresipPhone, str]:
    hotline = hotline_with(acd={"queues": [{"name": "general", "hours": closed_now(), "night_service": mode}]})
    seat_phone = phones("agent", hotline=hotline, seat="seat1001")
    agent = agent_ready(hotline, "agent1", "seat1001")
    return hotline, seat_phone, agent


def reach_the_night_service(hotline: RunningHotline, caller: BaresipPhone) -> None:
    dial_hotline(caller, hotline)
    press_until(caller, "0", lambda: "queue general is closed" in hotline.log_text(), timeout=30)


def contact_row(hotline: RunningHotline) -> dict[str, Any] | None:
    rows = hotline.query("SELECT outcome, ivr_path, queue, queued_at, ended_at, callback_number, callback_status "
                         "FROM contact WHERE caller_number = :n", n=CALLER)
    return rows[0] if rows else None


def ended_row(hotline: RunningHotline) -> dict[str, Any]:
    return wait_for(lambda: (lambda row: row if row and row["ended_at"] else None)(contact_row(hotline)),
                    what="the contact to end")


def seconds_of(*prompts: str) -> float:
    total = 0.0
    for prompt in prompts:
        with wave.open(str(SHARED_PROMPTS / "prompts" / f"{prompt}.wav")) as w:
            total += w.getnframes() / w.getframerate()
    return total


def night_service_seconds(hotline: RunningHotline) -> float:
    """From the contact's "closed" step to its leaving the IVR, as the contact event log has them."""
    rows = hotline.query("SELECT e.type, e.at, e.data FROM contact_event e JOIN contact c ON c.linkedid = e.linkedid "
                         "WHERE c.caller_number = :n ORDER BY e.id", n=CALLER)
    def moment(kind: str, step: str | None = None) -> datetime:
        row = next(r for r in rows if r["type"] == kind and (step is None or _data(r)["step"] == step))
        value = row["at"]
        return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return (moment("ivr.left") - moment("ivr.stepped", "closed")).total_seconds()


def _data(row: dict[str, Any]) -> dict[str, Any]:
    data = row["data"]
    return dict(data) if isinstance(data, dict) else dict(json.loads(data))


def test_message_mode_tells_the_caller_the_line_is_closed_and_ends_the_call(
        hotline_with: Callable[..., RunningHotline], phones: Callable[..., BaresipPhone]) -> None:
    hotline, seat_phone, agent = night_hotline(hotline_with, phones, "message")
    caller = phones(CALLER)
    reach_the_night_service(hotline, caller)
    caller.wait_event("CALL_CLOSED", timeout=45)  # the message, the next opening, goodbye: then hung up

    row = ended_row(hotline)
    assert row["outcome"] == "closed"
    assert row["ivr_path"].endswith("agent>queue>closed")
    assert row["queued_at"] is None and row["callback_status"] is None
    # The caller heard it out: the closed message, when the line opens (the day and time vary), goodbye.
    assert night_service_seconds(hotline) >= seconds_of("night-closed", "night-opens-at", "night-opens", "goodbye")
    assert seat_phone.pending("CALL_ESTABLISHED") == []  # a ready agent, and yet no seat rang
    assert wait_agent_state(hotline, agent, "ready")["state"] == "ready"
    assert "offered to agent" not in hotline.log_text()


def test_callback_mode_takes_the_callers_number_and_hangs_up(
        hotline_with: Callable[..., RunningHotline], phones: Callable[..., BaresipPhone]) -> None:
    hotline, seat_phone, agent = night_hotline(hotline_with, phones, "callback")
    manager = hotline.login("manager1")
    caller = phones(CALLER)
    reach_the_night_service(hotline, caller)
    press_until(caller, "1", lambda: (lambda row: row and row["callback_status"] == "requested")(
        contact_row(hotline)), timeout=40)
    caller.wait_event("CALL_CLOSED", timeout=20)  # confirmed, then hung up: not left waiting in hold

    row = ended_row(hotline)
    assert (row["callback_number"], row["callback_status"]) == (CALLER, "requested")
    assert (row["outcome"], row["queue"]) == ("callback_requested", "general")
    assert row["ivr_path"].endswith("queue>closed>callback")
    summary = queue_summary(hotline, manager)
    assert (summary["waiting"], summary["callbacks_waiting"]) == (1, 1)  # the owed callback, a virtual caller
    # The queue is closed: the ready agent is not rung for the callback (the ACD decides at once, so it would
    # already show in the log).
    assert f"(callback to {CALLER})" not in hotline.log_text()
    assert seat_phone.pending("CALL_ESTABLISHED") == []
    assert wait_agent_state(hotline, agent, "ready")["state"] == "ready"
