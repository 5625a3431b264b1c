"""Offers decided in the IVR (Enqueue(direct=True)): the caller's dialplan dials the seat(s) itself, no
Redirect; with no free agent the call is not kept (the holding context enqueues it). An offer that never
rings expires like any offer whose outcome never arrives (policy.offer_timeout_seconds), and the call is
offered again the usual way."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import ivr.runner as runner_module
from acd.commands import CallerGone, Command, Enqueue, MarkNoAnswer, SetTelephonyLink, Tick
from acd.core import AcdState, decide, next_deadline
from acd.lease import InMemoryRoutingLease
from acd.live_state_memory import InMemoryLiveStateStore
from acd.node import AcdNode
from acd.policy import AcdPolicy, QueuePolicy, Strategy
from acd.snapshot import from_snapshot, to_snapshot
from billing.gateway import Bill
from ivr.menu_source import read_menu_document
from ivr.menu_tree import parse_menu
from ivr.runner import IvrRunner
from kernel.call_events import CallOffered, IvrLeft
from kernel.clock import SystemClock
from kernel.events import EventBus
from tests.unit.test_acd_core import T0, at, call, changes, offers, ready, run, waiting_ids


def direct(linkedid: str) -> Enqueue:
    return replace(call(linkedid), direct=True)


def offered_events(events: list[Any]) -> list[CallOffered]:
    return [e for e in events if isinstance(e, CallOffered)]


def test_a_free_agent_is_offered_the_call_without_a_redirect() -> None:
    state, _ = ready(AcdState(), 1, "seat1001")
    state, events = decide(state, direct("c1"), T0)
    [offer] = offered_events(events)
    assert (offer.linkedid, offer.seat, offer.direct) == ("c1", "seat1001", True)
    assert state.offered["c1"].direct
    # the holding context's own event for the same call changes nothing
    again, events = decide(state, call("c1"), at(0.01))
    assert again == state and events == []


def test_a_direct_offer_read_after_the_ivr_stopped_waiting_is_dropped() -> None:
    """Under load the ACD may read the IVR's request after the IVR gave up and sent the caller to hold: no
    seat is offered a call nobody will dial (the agent would sit 'offered' until the offer timed out, then
    be marked missed), and the holding context's own event queues the call."""
    state, _ = ready(AcdState(), 1, "seat1001")
    late = replace(direct("c1"), offer_until=at(1.5).timestamp())
    dropped, events = decide(state, late, at(1.6))
    assert events == [] and dropped.offered == {} and waiting_ids(dropped) == []
    assert dropped.agents[1].state == "ready"
    state, events = decide(dropped, replace(call("c1"), held=True), at(2.0))
    assert offers(events) == [("c1", 1)] and not state.offered["c1"].direct  # offered through hold, by Redirect
    in_time, events = decide(ready(AcdState(), 1, "seat1001")[0], late, at(1.4))
    assert offers(events) == [("c1", 1)] and in_time.offered["c1"].direct


def test_a_direct_offer_the_ivr_missed_is_withdrawn_when_the_caller_is_held() -> None:
    """The ACD offered in time but the IVR had already stopped waiting: the caller reaches hold with no seat to
    dial (QingquanQueued Dial: no). The agent goes back to ready at once, not missed, and the call, first in
    line, is offered again through hold."""
    state, _ = ready(AcdState(), 1, "seat1001")
    state, _ = decide(state, direct("c1"), T0)
    assert state.offered["c1"].direct
    state, events = decide(state, replace(call("c1"), held=True), at(2.1))
    assert ("offered", "ready") in [(f, t) for _, f, t, _ in changes(events)]
    assert "missed" not in [reason for *_, reason in changes(events)]
    assert offers(events) == [("c1", 1)] and not state.offered["c1"].direct  # again, now by Redirect
    assert state.agents[1].state == "offered"


def test_a_caller_going_on_to_dial_its_direct_offer_keeps_it() -> None:
    state, _ = ready(AcdState(), 1, "seat1001")
    state, _ = decide(state, direct("c1"), T0)
    again, events = decide(state, call("c1"), at(0.01))  # QingquanQueued Dial: yes (held=False)
    assert again == state and events == []


def test_no_free_agent_leaves_the_call_to_the_holding_context() -> None:
    state, events = decide(AcdState(), direct("c1"), T0)
    assert events == [] and waiting_ids(state) == [] and state.offered == {}
    state, events = decide(state, call("c1"), at(0.01))  # the UserEvent from acd-hold enqueues it
    assert waiting_ids(state) == ["c1"]


def test_with_every_agent_busy_the_direct_call_goes_to_hold() -> None:
    state, _ = ready(AcdState(), 1, "seat1001")
    state, _ = run(state, [call("c0")], at(1))  # agent 1 is offered c0
    state, events = decide(state, direct("c1"), at(2))
    assert events == [] and waiting_ids(state) == [] and list(state.offered) == ["c0"]


def test_no_direct_offer_while_the_telephony_link_is_down() -> None:
    state, _ = ready(AcdState(), 1, "seat1001")
    state, _ = decide(state, SetTelephonyLink(False), T0)
    state, events = decide(state, direct("c1"), at(1))
    assert events == [] and state.offered == {} and waiting_ids(state) == []


def test_an_agent_free_besides_a_busy_one_takes_the_call_direct() -> None:
    state, _ = run(AcdState(), [call("c0")])
    state, _ = ready(state, 1, "seat1001")
    state, _ = ready(state, 2, "seat1002")  # agent 1 took c0; agent 2 is free
    state, events = decide(state, direct("c1"), at(1))
    assert offers(events) == [("c1", 2)] and offered_events(events)[0].direct
    state, _ = run(state, [MarkNoAnswer("c1", "NOANSWER")], at(2))
    state, events = ready(state, 3, "seat1003", at(3))  # re-offered after a miss: an ordinary offer
    [offer] = offered_events(events)
    assert not offer.direct and not state.offered["c1"].direct


def test_ring_all_gives_every_seat_of_the_group() -> None:
    policy = AcdPolicy(queues={"general": QueuePolicy("general", Strategy.RING_ALL)}, default_queue="general")
    state = AcdState(policy=policy)
    state, _ = ready(state, 1, "seat1001")
    state, _ = ready(state, 2, "seat1002")
    state, events = decide(state, replace(direct("c1"), queue="general"), at(1))
    [offer] = offered_events(events)
    assert offer.direct and offer.seats == ("seat1001", "seat1002")


def test_an_offer_that_never_rings_expires_like_any_other_and_is_made_again_by_redirect() -> None:
    state, _ = ready(AcdState(), 1, "seat1001")
    state, _ = ready(state, 2, "seat1002")
    state, _ = decide(state, direct("c1"), T0)
    limit = state.policy.offer_timeout_seconds
    assert next_deadline(state, T0) == at(limit)
    state, events = decide(state, Tick(), at(limit - 0.5))
    assert events == [] and state.offered["c1"].direct
    state, events = decide(state, Tick(), at(limit))
    [offer] = offered_events(events)
    assert not offer.direct and offer.agent_id == 2  # the agent who was offered it first counts it missed
    assert (1, "offered", "not_ready", "missed") in changes(events)
    assert state.offered["c1"].call.enqueued_at == T0  # the call kept its place


def test_a_caller_hanging_up_before_the_dial_frees_the_agent() -> None:
    state, _ = ready(AcdState(), 1, "seat1001")
    state, _ = decide(state, direct("c1"), T0)
    state, _ = decide(state, CallerGone("c1"), at(0.5))
    assert state.offered == {} and state.agents[1].state.value == "ready"


def test_the_flag_survives_a_snapshot() -> None:
    state, _ = ready(AcdState(), 1, "seat1001")
    state, _ = decide(state, direct("c1"), T0)
    assert from_snapshot(json.loads(json.dumps(to_snapshot(state))), AcdState()) == state
    older = to_snapshot(state)
    del older["offered"][0]["direct"]  # a snapshot written before the field existed
    assert not from_snapshot(older, AcdState()).offered["c1"].direct


# The node ----------------------------------------------------------------------------------------------


def test_a_node_that_does_not_route_offers_nothing() -> None:
    async def never(_: AcdState) -> Any:
        raise AssertionError("not started")

    async def nothing(_: Any) -> None:
        return None

    async def scenario() -> tuple[str, ...]:
        lease = InMemoryRoutingLease()
        node = AcdNode(InMemoryLiveStateStore(lease), lease, "b", AcdPolicy(), lease_ttl=5, shared=True,
                       start_router=never, stop_router=nothing)
        return await node.offer_now(direct("c1"))

    assert asyncio.run(scenario()) == ()


# The IVR's side ----------------------------------------------------------------------------------------


class FakeAgi:
    def __init__(self) -> None:
        self.headers: Mapping[str, str] = {"agi_uniqueid": "c1", "agi_channel": "PJSIP/trunk-00000001",
                                           "agi_callerid": "13800138000"}
        self.sent: list[str] = []

    async def send_command(self, command: str) -> dict[str, Any]:
        self.sent.append(command)
        if command.startswith("GET FULL VARIABLE"):  # what Read() collected: the caller keys 0, an agent
            return {"result": ("1", "0|OK")}
        return {"result": ("1", "")}


class NoBilling:
    async def bill_for(self, account_number: str) -> Bill | None:
        return None


class FakeAcd:
    def __init__(self, seats: tuple[str, ...] | Exception) -> None:
        self.seats = seats
        self.asked: list[Enqueue] = []
        self.executed: list[Command] = []
        self.seen: list[str] | None = None

    async def offer_now(self, command: Enqueue) -> tuple[str, ...]:
        self.asked.append(command)
        if self.seen is not None:
            self.seen.append("asked")
        if isinstance(self.seats, Exception):
            raise self.seats
        return self.seats

    async def execute(self, command: Command) -> Any:
        self.executed.append(command)


def transfer_commands(acd: FakeAcd, agi: FakeAgi | None = None, bus: EventBus | None = None) -> list[str]:
    tree = parse_menu(read_menu_document(None))
    runner = IvrRunner(bus or EventBus(), NoBilling(), SystemClock(), lambda: tree, Path("/prompts"), 1000,
                       acd=acd)
    agi = agi or FakeAgi()
    asyncio.run(runner.handle(agi))
    return [c for c in agi.sent if not c.startswith(("ANSWER", "STREAM", "EXEC Read", "GET FULL VARIABLE"))]


def test_the_ivr_gives_the_dialplan_the_seat_of_an_offer_made_now() -> None:
    acd = FakeAcd(("seat1001",))
    sent = transfer_commands(acd)
    assert sent[-1] == "EXEC MSet QQ_CONNECT=seat1001,QQ_NEXT=queue"
    assert len(sent) == 7  # as many commands as without an offer
    [command] = acd.asked
    assert (command.linkedid, command.channel, command.direct) == ("c1", "PJSIP/trunk-00000001", True)
    assert command.caller_number == "13800138000" and command.ivr_path.endswith("queue")


def test_a_ring_all_group_goes_through_the_ring_group_variable() -> None:
    sent = transfer_commands(FakeAcd(("seat1001", "seat1002")))
    assert sent[-1] == ("EXEC MSet QQ_RING_GROUP=PJSIP/seat1001&PJSIP/seat1002,QQ_CONNECT=ring-group,"
                        "QQ_NEXT=queue")


def test_without_a_free_agent_or_when_the_acd_fails_the_caller_goes_to_hold() -> None:
    for acd in (FakeAcd(()), FakeAcd(RuntimeError("acd gone"))):
        sent = transfer_commands(acd)
        assert sent[-1] == 'SET VARIABLE QQ_NEXT "queue"' and not any("QQ_CONNECT" in c for c in sent)
        assert acd.executed == []


def test_an_acd_that_does_not_answer_in_time_sends_the_caller_to_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stuck(FakeAcd):
        async def offer_now(self, command: Enqueue) -> tuple[str, ...]:
            await asyncio.sleep(3600)  # e.g. the routing service stopped with the command queued
            return ("seat1001",)

    monkeypatch.setattr(runner_module, "DIRECT_OFFER_SECONDS", 0.05)
    sent = transfer_commands(Stuck(()))
    assert sent[-1] == 'SET VARIABLE QQ_NEXT "queue"'


def test_the_caller_leaves_the_ivr_before_the_acd_is_asked_and_a_hang_up_withdraws_the_offer() -> None:
    bus = EventBus()
    seen: list[str] = []
    bus.tap(lambda event: seen.append(f"left:{event.next}") if isinstance(event, IvrLeft) else None)

    class HangsUpAtTheEnd(FakeAgi):
        async def send_command(self, command: str) -> dict[str, Any]:
            if command.startswith("EXEC MSet"):
                return {"error": "AGIResultHangup"}
            return await super().send_command(command)

    acd = FakeAcd(("seat1001",))
    acd.seen = seen
    transfer_commands(acd, HangsUpAtTheEnd(), bus)
    assert seen == ["left:queue", "asked"]
    assert acd.executed == [CallerGone("c1")]


def test_the_ivr_answers_after_its_lookups_with_its_first_prompt() -> None:
    """The caller hears ringing while the IVR looks up the company and the outage notice; the first Read()
    answers and starts its prompts in one step, so keys pressed after the answer always fall into it."""
    agi = FakeAgi()

    async def outage(number: str) -> tuple[str, ...]:
        agi.sent.append(f"outage lookup {number}")
        return ()

    tree = parse_menu(read_menu_document(None))
    runner = IvrRunner(EventBus(), NoBilling(), SystemClock(), lambda: tree, Path("/prompts"), 1000,
                       acd=FakeAcd(()), outage_notice=outage)
    asyncio.run(runner.handle(agi))
    assert agi.sent[0] == "outage lookup 13800138000"  # Read() answers, its prompts start in the same step
    assert agi.sent[1].startswith("EXEC Read ") and "welcome" in agi.sent[1] and "ANSWER" not in agi.sent


def test_the_ivr_answers_before_a_prompt_played_outside_read() -> None:
    agi = FakeAgi()
    tree = parse_menu(read_menu_document(None))
    runner = IvrRunner(EventBus(), NoBilling(), SystemClock(), lambda: tree, Path("/prompts"), 1000,
                       acd=FakeAcd(()), notices=lambda: ("holiday-notice",))
    asyncio.run(runner.handle(agi))
    assert agi.sent[:2] == ["ANSWER", agi.sent[1]] and agi.sent[1].startswith("STREAM FILE ")
    assert agi.sent.count("ANSWER") == 1
