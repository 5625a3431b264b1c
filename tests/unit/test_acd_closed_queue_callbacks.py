"""Callbacks and opening hours in the ACD core: a caller the IVR found a queue closed for joins its line as a
virtual caller in one decision; a callback is placed only while its queue is open, and the ACD wakes up when
the queue opens. Callers already waiting when a queue closes are still served.

Synchronous, no mocks: commands go in with a hand-set clock, state and events come out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from acd.command_codec import decode, encode
from acd.commands import Command, Enqueue, LogIn, RegisterSeat, RequestCallback, SetReady, Tick
from acd.core import AcdState, decide, next_deadline
from acd.hours import OpeningHours, week_from
from acd.policy import AcdPolicy, QueuePolicy
from kernel.call_events import CallbackRequested, CallOffered
from kernel.errors import InvalidInput
from kernel.events import Event

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVENING = datetime(2026, 1, 20, 19, 0, tzinfo=SHANGHAI)  # a Tuesday, after the billing queue closed
OPENS = datetime(2026, 1, 21, 8, 0, tzinfo=SHANGHAI)
OFFICE = OpeningHours(week_from({"mon-fri": ["08:00-18:00"]}))


def hotline() -> AcdState:
    return AcdState(policy=AcdPolicy(queues={"general": QueuePolicy("general"),
                                             "billing": QueuePolicy("billing", hours=OFFICE)},
                                     timezone=SHANGHAI))


def run(state: AcdState, commands: Iterable[Command], now: datetime) -> tuple[AcdState, list[Event]]:
    events: list[Event] = []
    for command in commands:
        state, new = decide(state, command, now)
        events += new
    return state, events


def staffed(state: AcdState, now: datetime) -> AcdState:
    """Agent 1 ready on a registered seat, serving every queue (e.g. the 24-hour general line's agent)."""
    state, _ = run(state, [RegisterSeat("s1", True), LogIn(1, "s1"), SetReady(1)], now)
    return state


def night_callback(linkedid: str = "n1", number: str = "13900001111", queue: str = "billing") -> RequestCallback:
    return RequestCallback(linkedid, number, queue=queue, account_number="10001234", ivr_path="main>agent>queue>closed")


def test_a_closed_queue_callback_joins_the_line_as_a_virtual_caller() -> None:
    state, events = run(hotline(), [night_callback()], EVENING)
    call = state.waiting["n1"]
    assert (call.queue, call.channel, call.callback_number, call.caller_number) == ("billing", "", "13900001111",
                                                                                    "13900001111")
    assert (call.account_number, call.ivr_path) == ("10001234", "main>agent>queue>closed")
    assert [(e.linkedid, e.number, e.queue, e.position) for e in events if isinstance(e, CallbackRequested)] == [
        ("n1", "13900001111", "billing", 1)]


def test_it_is_placed_when_the_queue_opens_not_while_it_is_closed() -> None:
    state = staffed(hotline(), EVENING)  # an agent is ready all night (for the general line)
    state, events = run(state, [night_callback()], EVENING)
    assert not [e for e in events if isinstance(e, CallOffered)] and "n1" in state.waiting
    assert next_deadline(state, EVENING) == OPENS  # the ACD wakes up when the queue opens
    state, events = run(state, [Tick()], OPENS - timedelta(seconds=1))
    assert "n1" in state.waiting
    state, events = run(state, [Tick()], OPENS)
    [offer] = [e for e in events if isinstance(e, CallOffered)]
    assert (offer.linkedid, offer.callback_number, offer.agent_id) == ("n1", "13900001111", 1)


def test_while_open_it_is_offered_at_once_and_only_as_a_callback() -> None:
    noon = datetime(2026, 1, 20, 12, 0, tzinfo=SHANGHAI)
    state = staffed(hotline(), noon)
    state, events = run(state, [night_callback()], noon)
    [offer] = [e for e in events if isinstance(e, CallOffered)]
    assert offer.callback_number == "13900001111" and state.offered["n1"].call.is_callback


def test_callers_already_waiting_when_the_queue_closes_are_still_served() -> None:
    late = datetime(2026, 1, 20, 17, 59, tzinfo=SHANGHAI)
    state, _ = run(hotline(), [Enqueue("c1", "PJSIP/trunk-1", "billing", caller_number="139")], late)
    state = staffed(state, EVENING)
    assert "c1" in state.offered


def test_a_bad_number_changes_nothing() -> None:
    state = hotline()
    with pytest.raises(InvalidInput):
        decide(state, night_callback(number="139-0000"), EVENING)
    assert state.waiting == {}


def test_a_second_night_callback_for_the_same_number_is_the_same_callback() -> None:
    state, _ = run(hotline(), [night_callback("n1")], EVENING)
    state, events = run(state, [night_callback("n2")], EVENING + timedelta(minutes=5))
    assert list(state.waiting) == ["n1"]
    assert [e.linkedid for e in events if isinstance(e, CallbackRequested)] == ["n2"]


def test_a_caller_already_in_line_keeps_their_place_and_queue() -> None:
    state, _ = run(hotline(), [Enqueue("c1", "PJSIP/trunk-1", "general", caller_number="139"),
                               Enqueue("c2", "PJSIP/trunk-2", "general", caller_number="138")], EVENING)
    state, _ = run(state, [RequestCallback("c2", "138", queue="billing")], EVENING)
    assert [c.linkedid for c in state.waiting_in_order()] == ["c1", "c2"]
    assert state.waiting["c2"].queue == "general" and state.waiting["c2"].is_callback


def test_no_deadline_for_a_closed_queue_without_callbacks_or_an_open_one() -> None:
    state, _ = run(hotline(), [Enqueue("c1", "PJSIP/trunk-1", "billing", caller_number="139")], EVENING)
    assert next_deadline(state, EVENING) is None


def test_the_request_is_relayed_between_nodes_with_its_queue() -> None:
    command = night_callback()
    assert decode(encode(command)) == command
    assert decode(encode(RequestCallback("c1", "139"))) == RequestCallback("c1", "139")
