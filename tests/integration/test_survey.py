"""The post-call satisfaction survey on real parts: a caller reaches an agent through the hotline, the AGENT hangs
up, and the caller, still on the line, is asked to rate the call by keypad; the score lands on the contact. The
test hears the survey's progress from Asterisk itself (AMI ``AGIExecStart`` of each prompt) before keying."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.integration.test_call_path import agent_ready, call_and_queue, contact_of, ended_contact
from tests.support.ami_client import AmiClient, Message
from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline, wait_for

pytestmark = pytest.mark.integration

Phones = Callable[..., BaresipPhone]


class AgiWatch:
    """Asterisk's AGIExecStart events: which AGI command each call's channel is running."""

    def __init__(self, hotline: RunningHotline) -> None:
        self.ami = AmiClient("127.0.0.1", hotline.ami_port, "qingquan", "test-ami-secret")
        self.ami.connect()
        self.ami.only_events(["AGIExecStart"])

    def prompt_starts(self, prompt: str, timeout: float = 15.0) -> Message:
        """Waits until a channel starts playing ``prompt`` (after everything seen so far)."""
        return self.ami.wait_event(lambda e: e.get("Command", "").startswith("STREAM FILE")
                                   and f"/{prompt} " in e.get("Command", ""), timeout=timeout)

    def seen(self, prompt: str) -> bool:
        with self.ami.events.mutex:
            return any(f"/{prompt} " in e.get("Command", "") for e in self.ami.events.queue)

    def close(self) -> None:
        self.ami.close()


@pytest.fixture
def agi(hotline: RunningHotline) -> Iterator[AgiWatch]:
    watch = AgiWatch(hotline)
    yield watch
    watch.close()


def agent_call(hotline: RunningHotline, phones: Phones, caller_number: str) -> tuple[BaresipPhone, BaresipPhone, str]:
    """A caller talking to agent1 at seat1001; returns the caller's phone, the seat's phone and a manager token."""
    seat = phones("agent", hotline=hotline, seat="seat1001")
    agent_ready(hotline, "agent1", "seat1001")
    manager = hotline.login("manager1")
    caller = call_and_queue(hotline, phones(caller_number), manager)
    seat.wait_event("CALL_ESTABLISHED", timeout=15)
    wait_for(lambda: (contact_of(hotline, manager, caller_number) or {}).get("answered_at"),
             what="the call to be answered")
    return caller, seat, manager


def survey_events(hotline: RunningHotline, linkedid: str) -> list[tuple[str, Any]]:
    rows = hotline.query("SELECT type, data FROM contact_event WHERE linkedid = :linkedid AND type LIKE 'survey.%' "
                         "ORDER BY id", linkedid=linkedid)
    return [(row["type"], json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]) for row in rows]


def rated_contact(hotline: RunningHotline, token: str, caller_number: str) -> dict[str, Any]:
    return wait_for(lambda: (lambda c: c if c and c["ended_at"] and c["satisfaction"] else None)(
        contact_of(hotline, token, caller_number)), timeout=20, what="the caller's score on the contact")


def test_the_agent_hangs_up_and_the_caller_rates_the_call_4(
        hotline: RunningHotline, phones: Phones, agi: AgiWatch) -> None:
    caller, seat, manager = agent_call(hotline, phones, "13800000011")
    seat.hangup()
    seat.wait_event("CALL_CLOSED", timeout=10)
    agi.prompt_starts("survey-ask")
    caller.send_dtmf("4")
    agi.prompt_starts("survey-thanks")
    caller.wait_event("CALL_CLOSED", timeout=20)  # the dialplan hangs up after the thanks

    contact = rated_contact(hotline, manager, "13800000011")
    assert contact["satisfaction"] == 4
    assert contact["outcome"] == "answered"
    assert survey_events(hotline, contact["linkedid"]) == [("survey.offered", {}), ("survey.answered", {"score": 4})]
    row = hotline.query("SELECT satisfaction, satisfaction_at, answered_at FROM contact WHERE linkedid = :l",
                        l=contact["linkedid"])[0]
    assert row["satisfaction"] == 4 and row["satisfaction_at"] is not None


def test_a_wrong_key_is_asked_again_and_the_second_key_counts(
        hotline: RunningHotline, phones: Phones, agi: AgiWatch) -> None:
    caller, seat, manager = agent_call(hotline, phones, "13800000012")
    seat.hangup()
    agi.prompt_starts("survey-ask")
    caller.send_dtmf("9")
    agi.prompt_starts("invalid-input")
    agi.prompt_starts("survey-ask")  # the question again, in full
    caller.send_dtmf("5")
    agi.prompt_starts("survey-thanks")
    caller.wait_event("CALL_CLOSED", timeout=20)

    contact = rated_contact(hotline, manager, "13800000012")
    assert contact["satisfaction"] == 5
    assert contact["outcome"] == "answered"


def test_a_caller_who_hangs_up_during_the_survey_leaves_no_score_and_a_complete_contact(
        hotline: RunningHotline, phones: Phones, agi: AgiWatch) -> None:
    caller, seat, manager = agent_call(hotline, phones, "13800000013")
    seat.hangup()
    agi.prompt_starts("survey-ask")
    caller.hangup()
    caller.wait_event("CALL_CLOSED", timeout=10)

    contact = ended_contact(hotline, manager, "13800000013")
    assert contact["outcome"] == "answered"
    assert contact["satisfaction"] is None
    assert contact["answered_at"] and contact["ended_at"]
    wait_for(lambda: survey_events(hotline, contact["linkedid"]) == [("survey.offered", {})],
             what="the survey to be recorded as offered")
    wait_for(lambda: "hung up during the survey" in hotline.log_text(), what="the survey to see the hang-up")


def test_a_caller_who_hangs_up_first_ends_the_call_without_a_survey(
        hotline: RunningHotline, phones: Phones, agi: AgiWatch) -> None:
    caller, seat, manager = agent_call(hotline, phones, "13800000014")
    caller.hangup()
    seat.wait_event("CALL_CLOSED", timeout=10)
    caller.wait_event("CALL_CLOSED", timeout=10)

    contact = ended_contact(hotline, manager, "13800000014")
    assert contact["outcome"] == "answered" and contact["satisfaction"] is None
    assert survey_events(hotline, contact["linkedid"]) == []
    assert not agi.seen("survey-ask")
    assert "FastAGI route survey failed" not in hotline.log_text()


def test_with_the_survey_off_the_caller_is_hung_up_when_the_agent_hangs_up(
        hotline_with: Callable[..., RunningHotline], phones: Phones) -> None:
    hotline = hotline_with(ivr={"survey": False})
    watch = AgiWatch(hotline)
    try:
        caller, seat, manager = agent_call(hotline, phones, "13800000015")
        seat.hangup()
        caller.wait_event("CALL_CLOSED", timeout=10)
        contact = ended_contact(hotline, manager, "13800000015")
        assert contact["outcome"] == "answered" and contact["satisfaction"] is None
        assert survey_events(hotline, contact["linkedid"]) == []
        assert not watch.seen("survey-ask")
    finally:
        watch.close()


def test_with_the_app_down_the_caller_is_hung_up_when_the_agent_hangs_up(
        hotline: RunningHotline, phones: Phones, agi: AgiWatch) -> None:
    caller, seat, _ = agent_call(hotline, phones, "13800000016")
    hotline.kill_app()  # Asterisk keeps the call up; the survey's FastAGI can no longer be reached
    seat.hangup()
    caller.wait_event("CALL_CLOSED", timeout=10)  # hung up, never left in silence
    assert not agi.seen("survey-ask")


def test_ring_all_the_taker_hangs_up_and_the_score_reaches_the_calls_work_order(
        hotline_with: Callable[..., RunningHotline], phones: Phones) -> None:
    hotline = hotline_with(acd={"queues": [{"name": "general", "strategy": "ring_all"}]})
    watch = AgiWatch(hotline)
    try:
        manager = hotline.login("manager1")
        phones("silent", hotline=hotline, seat="seat1001", answer=False)
        taker = phones("taker", hotline=hotline, seat="seat1002")
        agent_ready(hotline, "agent1", "seat1001")
        agent = agent_ready(hotline, "agent2", "seat1002")
        caller = call_and_queue(hotline, phones("13800000017"), manager)
        taker.wait_event("CALL_ESTABLISHED", timeout=10)
        answered = wait_for(lambda: (lambda c: c if c and c["answered_at"] else None)(
            contact_of(hotline, manager, "13800000017")), what="the call to be answered")
        with hotline.client(agent) as c:  # the taker opens a work order during the call
            created = c.post("/api/work-orders", json={"linkedid": answered["linkedid"], "category": "repair",
                                                       "description": "水压低"})
            assert created.status_code == 201, created.text
            order = created.json()
        assert order["satisfaction"] is None

        taker.hangup()
        watch.prompt_starts("survey-ask")
        caller.send_dtmf("3")
        watch.prompt_starts("survey-thanks")
        caller.wait_event("CALL_CLOSED", timeout=20)

        assert rated_contact(hotline, manager, "13800000017")["satisfaction"] == 3
        with hotline.client(agent) as c:
            assert wait_for(lambda: c.get(f"/api/work-orders/{order['id']}").json()["satisfaction"],
                            what="the score on the work order") == 3
    finally:
        watch.close()
