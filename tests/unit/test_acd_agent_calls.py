"""The ACD core's calls placed or moved by agents: click-to-call keeps the agent busy (never offered a queue
call) and wraps up after; a transfer hands the caller to a ready agent or back in line with top priority while
the first agent wraps up; supervision only of a call in progress, on the supervisor's registered seat.
Synchronous, no mocks."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest

from acd.agent_calls import TRANSFER_PRIORITY
from acd.agents import IllegalTransition
from acd.commands import (
    AgentLegGone,
    CallerGone,
    Command,
    DialOut,
    Enqueue,
    LogIn,
    LogOut,
    MarkAnswered,
    MarkNoAnswer,
    Reconcile,
    RegisterSeat,
    SetNotReady,
    SetReady,
    SetTelephonyLink,
    StartSpy,
    Tick,
    Transfer,
)
from acd.core import AcdState, decide, next_deadline
from acd.policy import AcdPolicy, QueuePolicy
from acd.snapshot import from_snapshot, to_snapshot
from kernel.agent_call_events import CallTransferred, OutboundFailed, OutboundStarted, SpyStarted
from kernel.call_events import AgentStateChanged, CallAnswered, CallOffered
from kernel.errors import Conflict, InvalidInput, NotFound, QingquanError, Unavailable
from kernel.events import Event

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
POLICY = AcdPolicy(queues={"general": QueuePolicy("general", wrapup_seconds=10),
                           "billing": QueuePolicy("billing", wrapup_seconds=20, skills={"billing": 2})},
                   offer_timeout_seconds=60)
OUT = "qqo-1"
E = TypeVar("E", bound=Event)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def run(state: AcdState, commands: Iterable[Command], now: datetime = T0) -> tuple[AcdState, list[Event]]:
    events: list[Event] = []
    for command in commands:
        state, new = decide(state, command, now)
        events += new
    return state, events


def refused(state: AcdState, command: Command, error: type[QingquanError], now: datetime = T0) -> str:
    """The command raises ``error`` and leaves the state as it was; returns the error's code."""
    before = copy.deepcopy(state)
    with pytest.raises(error) as raised:
        decide(state, command, now)
    assert state == before
    return raised.value.code


def staffed(*agents: int, ready: bool = True) -> AcdState:
    """Agents on seats s<id>, registered, ready (or not ready)."""
    state = AcdState(policy=POLICY)
    for agent_id in agents:
        state, _ = run(state, [RegisterSeat(f"s{agent_id}", True), LogIn(agent_id, f"s{agent_id}", {"billing": 3}),
                               SetReady(agent_id) if ready else SetNotReady(agent_id, "break")])
    return state


def caller(linkedid: str, queue: str = "general", priority: int = 0) -> Enqueue:
    return Enqueue(linkedid, f"PJSIP/trunk-{linkedid}", queue, priority, account_number="10001234",
                   caller_number="13800000001", ivr_path="main>agent>queue")


def on_call(state: AcdState, linkedid: str, now: datetime = T0) -> AcdState:
    """The call is enqueued and answered by whoever it is offered to."""
    return run(state, [caller(linkedid), MarkAnswered(linkedid)], now)[0]


def states(state: AcdState) -> dict[int, str]:
    return {a.agent_id: a.state.value for a in state.agents.values()}


def of(kind: type[E], events: list[Event]) -> list[E]:
    return [e for e in events if isinstance(e, kind)]


# Click-to-call ---------------------------------------------------------------------------------------------


def test_a_ready_agent_dials_out_and_is_offered_no_queue_call_until_wrap_up_ends() -> None:
    state, events = run(staffed(1), [DialOut(1, OUT, "13900000001", work_order_id=7, callback_id=3,
                                             account_number="10001234")])
    assert states(state) == {1: "dialing"} and state.agents[1].call == OUT
    [started] = of(OutboundStarted, events)
    assert (started.linkedid, started.agent_id, started.seat, started.number, started.work_order_id,
            started.callback_id, started.account_number) == (OUT, 1, "s1", "13900000001", 7, 3, "10001234")

    state, events = run(state, [caller("c1")], at(1))  # a caller arrives: nobody may take them
    assert "c1" in state.waiting and of(CallOffered, events) == []
    state, _ = run(state, [MarkAnswered(OUT, "s1")], at(3))  # the agent answered: the customer is dialled
    assert states(state) == {1: "on_call"} and state.agents[1].answered_at == at(3)
    state, events = run(state, [Tick()], at(30))
    assert of(CallOffered, events) == [] and "c1" in state.waiting

    state, events = run(state, [AgentLegGone(OUT, "s1")], at(40))  # the call is over: wrap-up
    assert states(state) == {1: "wrap_up"} and state.agents[1].wrapup_until == at(50)
    assert state.handle_seconds == {}  # an outbound call is no queue's handle time
    state, events = run(state, [Tick()], at(50))
    assert [e.linkedid for e in of(CallOffered, events)] == ["c1"]


def test_a_not_ready_agent_may_dial_out_too() -> None:
    state, _ = run(staffed(1, ready=False), [DialOut(1, OUT, "+8613900000001")])
    assert states(state) == {1: "dialing"}


@pytest.mark.parametrize("number", ["", "12", "1390000000a", "++86139", "86+139", "1" * 21, "139 0000",
                                    "13900000001\n"])
def test_a_number_is_digits_with_a_plus_in_front_only(number: str) -> None:
    refused(staffed(1), DialOut(1, OUT, number), InvalidInput)


def test_dialling_out_needs_a_free_agent_on_a_registered_seat() -> None:
    assert refused(AcdState(policy=POLICY), DialOut(1, OUT, "13900000001"), Conflict) == "agent_not_logged_in"
    refused(run(staffed(1), [LogOut(1)])[0], DialOut(1, OUT, "13900000001"), Conflict)
    state = staffed(1)
    state, _ = run(state, [RegisterSeat("s1", False)])
    assert refused(state, DialOut(1, OUT, "13900000001"), Conflict) == "seat_not_registered"
    state = on_call(staffed(1), "c1")
    refused(state, DialOut(1, OUT, "13900000001"), IllegalTransition)  # on a call
    state, _ = run(state, [AgentLegGone("c1", "s1")])
    refused(state, DialOut(1, OUT, "13900000001"), IllegalTransition)  # wrapping up: not ready first
    state, _ = run(staffed(1), [DialOut(1, OUT, "13900000001")])
    refused(state, DialOut(1, "qqo-2", "13900000002"), IllegalTransition)  # one call at a time
    state, _ = run(staffed(1, 2), [caller("c7")])
    assert refused(state, DialOut(2, "c7", "13900000001"), Conflict) == "conflict"  # the id of a known call


@pytest.mark.parametrize("status", ["NOANSWER", "BUSY", "CHANUNAVAIL"])
def test_a_seat_that_does_not_answer_leaves_the_agent_not_ready(status: str) -> None:
    state, _ = run(staffed(1), [DialOut(1, OUT, "13900000001")])
    state, events = run(state, [MarkNoAnswer(OUT, status, "s1")], at(15))
    assert states(state) == {1: "not_ready"} and state.agents[1].reason == "missed"
    assert state.agents[1].call is None
    [failed] = of(OutboundFailed, events)
    assert (failed.linkedid, failed.cause, failed.agent_id) == (OUT, f"agent_{status.lower()}", 1)


def test_an_outbound_call_whose_outcome_never_arrives_fails_after_the_offer_timeout() -> None:
    state, _ = run(staffed(1), [DialOut(1, OUT, "13900000001")], at(5))
    assert next_deadline(state, at(5)) == at(65)
    state, events = run(state, [Tick()], at(65))
    assert states(state) == {1: "not_ready"}
    assert [e.cause for e in of(OutboundFailed, events)] == ["agent_timeout"]


def test_a_reconnect_that_finds_no_channel_ends_the_outbound_call() -> None:
    state, _ = run(staffed(1, 2), [DialOut(1, OUT, "13900000001"), DialOut(2, "qqo-2", "13900000002")], at(1))
    state, _ = run(state, [MarkAnswered("qqo-2", "s2")], at(2))
    state, _ = run(state, [Reconcile(frozenset(), as_of=at(3))], at(4))
    assert states(state) == {1: "not_ready", 2: "wrap_up"}


def test_another_seat_or_a_late_outcome_says_nothing_about_an_outbound_call_in_progress() -> None:
    state, _ = run(staffed(1), [DialOut(1, OUT, "13900000001"), MarkAnswered(OUT, "s1")])
    for command in (AgentLegGone(OUT, "s9"), MarkNoAnswer(OUT, "NOANSWER", "s1"), MarkAnswered(OUT, "s1")):
        assert run(state, [command])[0].agents == state.agents


# Transfer --------------------------------------------------------------------------------------------------


def test_transfer_to_a_ready_agent_offers_the_call_at_once_and_the_first_agent_wraps_up() -> None:
    state = on_call(staffed(1), "c1", at(0))
    state, _ = run(state, [RegisterSeat("s2", True), LogIn(2, "s2"), SetReady(2)], at(1))
    state, events = run(state, [Transfer(1, to_agent_id=2)], at(30))
    assert states(state) == {1: "wrap_up", 2: "offered"}
    assert state.agents[1].call == "c1" and state.agents[2].call == "c1"
    assert "c1" not in state.connected
    [moved] = of(CallTransferred, events)
    assert (moved.agent_id, moved.seat, moved.to_agent_id, moved.to_queue, moved.queue, moved.channel) == (
        1, "s1", 2, None, "general", "PJSIP/trunk-c1")
    [offer] = of(CallOffered, events)
    assert (offer.agent_id, offer.seat, offer.transferred_by, offer.account_number, offer.ivr_path) == (
        2, "s2", 1, "10001234", "main>agent>queue")
    assert offer.channel == "PJSIP/trunk-c1" and not offer.direct
    # the wrap-up comes first, then the offer: the events explain each agent's state in order
    assert [(e.agent_id, e.to_state) for e in of(AgentStateChanged, events)] == [(1, "wrap_up"), (2, "offered")]

    # the first agent's leg is hung up by the Redirect: nothing changes for the agent now ringing
    state, _ = run(state, [AgentLegGone("c1", "s1")], at(31))
    assert states(state) == {1: "wrap_up", 2: "offered"}
    state, events = run(state, [MarkAnswered("c1", "s2")], at(33))
    assert states(state) == {1: "wrap_up", 2: "on_call"} and "c1" in state.connected
    assert [e.agent_id for e in of(CallAnswered, events)] == [2]
    state, _ = run(state, [CallerGone("c1")], at(60))
    assert states(state) == {1: "ready", 2: "wrap_up"}


def test_transfer_to_an_agent_who_is_not_ready_is_refused() -> None:
    state = on_call(staffed(1), "c1")
    state, _ = run(state, [RegisterSeat("s2", True), LogIn(2, "s2")])  # not ready
    assert refused(state, Transfer(1, to_agent_id=2), Conflict) == "transfer_target_not_ready"
    refused(state, Transfer(1, to_agent_id=9), Conflict)  # not logged in
    refused(state, Transfer(1, to_agent_id=1), InvalidInput)
    state, _ = run(state, [SetReady(2), RegisterSeat("s2", False)])
    refused(state, Transfer(1, to_agent_id=2), Conflict)  # ready, but the phone is off line


def test_a_transfer_needs_an_agent_on_an_answered_inbound_call() -> None:
    refused(staffed(1), Transfer(1, to_queue="billing"), Conflict)  # ready, no call
    state, _ = run(staffed(1), [caller("c1")])
    assert refused(state, Transfer(1, to_queue="billing"), Conflict) == "agent_not_on_call"  # still ringing
    state, _ = run(staffed(1), [DialOut(1, OUT, "13900000001"), MarkAnswered(OUT, "s1")])
    assert refused(state, Transfer(1, to_queue="billing"), Conflict) == "call_not_transferable"  # outbound
    state = on_call(staffed(1), "c1")
    refused(state, Transfer(1), InvalidInput)
    refused(state, Transfer(1, to_agent_id=2, to_queue="billing"), InvalidInput)
    refused(state, Transfer(1, to_queue="nowhere"), NotFound)


def test_transfer_to_a_queue_puts_the_caller_first_in_line_and_offers_them_when_an_agent_is_ready() -> None:
    state, _ = run(staffed(1), [caller("c0", priority=5)], at(0))  # answered by agent 1
    state, _ = run(state, [MarkAnswered("c0")], at(1))
    state, _ = run(state, [RegisterSeat("s2", True), LogIn(2, "s2", {"billing": 2}), caller("c2", "billing", 9)],
                   at(2))
    state, events = run(state, [Transfer(1, to_queue="billing")], at(20))
    assert states(state) == {1: "wrap_up", 2: "not_ready"}
    assert [c.linkedid for c in state.waiting_in_order()] == ["c0", "c2"]  # ahead of every IVR priority
    moved = state.waiting["c0"]
    assert (moved.queue, moved.priority, moved.enqueued_at, dict(moved.skills), moved.missed_by) == (
        "billing", TRANSFER_PRIORITY, at(20), {"billing": 2}, frozenset({1}))
    assert of(CallOffered, events) == []

    state, _ = run(state, [AgentLegGone("c0", "s1")], at(21))  # the first agent's leg hung up: no change
    assert states(state) == {1: "wrap_up", 2: "not_ready"}
    state, events = run(state, [Tick()], at(40))  # the agent who transferred it never gets it back
    assert [(e.linkedid, e.agent_id) for e in of(CallOffered, events)] == [("c2", 1)]
    state, events = run(state, [SetReady(2)], at(41))
    assert [(e.linkedid, e.agent_id) for e in of(CallOffered, events)] == [("c0", 2)]


def test_a_transfer_to_an_agent_who_does_not_answer_goes_back_in_line_first() -> None:
    state = on_call(staffed(1), "c1")
    state, _ = run(state, [RegisterSeat("s2", True), LogIn(2, "s2"), SetReady(2), caller("c2")])
    assert states(state) == {1: "on_call", 2: "offered"}
    state, _ = run(state, [MarkNoAnswer("c2", "NOANSWER", "s2"), SetReady(2), Transfer(1, to_agent_id=2)])
    state, _ = run(state, [MarkNoAnswer("c1", "NOANSWER", "s2")], at(5))
    assert [c.linkedid for c in state.waiting_in_order()] == ["c1", "c2"]
    assert state.waiting["c1"].missed_by == frozenset({1, 2})


def test_a_colleague_who_missed_the_call_earlier_may_still_be_chosen_for_a_transfer() -> None:
    state = staffed(1, 2)
    state, _ = run(state, [caller("c1")])
    first = state.offered["c1"].agent_ids
    [missed] = first
    other = 2 if missed == 1 else 1
    state, _ = run(state, [MarkNoAnswer("c1", "BUSY", f"s{missed}")], at(1))  # offered on to the other agent
    state, _ = run(state, [MarkAnswered("c1", f"s{other}"), SetReady(missed)], at(2))
    assert states(state)[other] == "on_call" and states(state)[missed] == "ready"
    state, events = run(state, [Transfer(other, to_agent_id=missed)], at(30))
    [offer] = of(CallOffered, events)
    assert (offer.agent_id, offer.transferred_by) == (missed, other)
    assert missed not in state.offered["c1"].call.missed_by  # chosen by a colleague: the earlier miss is forgiven


def test_the_caller_hanging_up_after_a_transfer_frees_whoever_has_the_call() -> None:
    state = on_call(staffed(1), "c1")
    state, _ = run(state, [RegisterSeat("s2", True), LogIn(2, "s2"), SetReady(2), Transfer(1, to_agent_id=2)])
    state, _ = run(state, [CallerGone("c1")], at(2))
    assert states(state) == {1: "wrap_up", 2: "ready"} and not state.offered
    state = on_call(staffed(1), "c1")
    state, _ = run(state, [Transfer(1, to_queue="general"), CallerGone("c1")], at(2))
    assert not state.waiting and states(state) == {1: "wrap_up"}


def test_answered_calls_are_kept_while_the_agent_talks_and_survive_a_snapshot() -> None:
    state = on_call(staffed(1), "c1")
    assert set(state.connected) == {"c1"} and state.connected["c1"].channel == "PJSIP/trunk-c1"
    assert from_snapshot(to_snapshot(state), AcdState(policy=POLICY)) == state
    legacy = to_snapshot(state)
    del legacy["connected"]  # a snapshot written before transfers existed still loads
    assert from_snapshot(legacy, AcdState(policy=POLICY)).connected == {}
    state, _ = run(state, [AgentLegGone("c1", "s1")])
    assert state.connected == {}


# Supervision -----------------------------------------------------------------------------------------------


def supervised() -> AcdState:
    """Agent 1 on call c1; supervisor 5 logged in on registered seat s5, not ready."""
    state = on_call(staffed(1), "c1")
    return run(state, [RegisterSeat("s5", True), LogIn(5, "s5")])[0]


@pytest.mark.parametrize("mode", ["listen", "whisper", "barge"])
def test_a_supervisor_spies_on_a_call_in_progress_from_their_own_seat(mode: str) -> None:
    state, events = run(supervised(), [StartSpy(5, 1, mode, "qqs-1")], at(3))
    assert states(state) == {1: "on_call", 5: "supervising"} and state.agents[5].call == "qqs-1"
    [spy] = of(SpyStarted, events)
    assert (spy.linkedid, spy.supervisor_id, spy.seat, spy.agent_id, spy.agent_seat, spy.call_linkedid,
            spy.mode) == ("qqs-1", 5, "s5", 1, "s1", "c1", mode)
    state, events = run(state, [caller("c2"), MarkAnswered("qqs-1", "s5")], at(4))
    assert states(state) == {1: "on_call", 5: "supervising"} and of(CallOffered, events) == []
    state, _ = run(state, [AgentLegGone("qqs-1", "s5")], at(60))  # the supervisor hung up
    assert states(state) == {1: "on_call", 5: "not_ready"} and state.agents[5].reason == "supervision"


def test_nothing_is_placed_or_moved_while_the_telephony_link_is_down() -> None:
    down = [SetTelephonyLink(False)]
    assert refused(run(staffed(1), down)[0], DialOut(1, OUT, "13900000001"), Unavailable) == "telephony_link_down"
    refused(run(on_call(staffed(1), "c1"), down)[0], Transfer(1, to_queue="general"), Unavailable)
    refused(run(supervised(), down)[0], StartSpy(5, 1, "listen", "qqs-1"), Unavailable)


def test_supervision_preconditions() -> None:
    state = supervised()
    refused(state, StartSpy(5, 1, "shout", "qqs-1"), InvalidInput)
    refused(state, StartSpy(1, 1, "listen", "qqs-1"), InvalidInput)
    assert refused(state, StartSpy(5, 2, "listen", "qqs-1"), Conflict) == "agent_not_on_call"  # unknown agent
    assert refused(run(state, [LogOut(5)])[0], StartSpy(5, 1, "listen", "qqs-1"), Conflict) == (
        "agent_not_logged_in")  # no seat bound
    refused(run(supervised(), [RegisterSeat("s5", False)])[0], StartSpy(5, 1, "listen", "qqs-1"), Conflict)
    ringing, _ = run(staffed(1), [caller("c1")])
    ringing, _ = run(ringing, [RegisterSeat("s5", True), LogIn(5, "s5")])
    assert refused(ringing, StartSpy(5, 1, "listen", "qqs-1"), Conflict) == "agent_not_on_call"
    wrapping, _ = run(state, [AgentLegGone("c1", "s1")])
    refused(wrapping, StartSpy(5, 1, "listen", "qqs-1"), Conflict)
    dialing, _ = run(staffed(1), [DialOut(1, OUT, "13900000001"), RegisterSeat("s5", True), LogIn(5, "s5")])
    refused(dialing, StartSpy(5, 1, "listen", "qqs-1"), Conflict)  # the agent's own seat still rings
    spying, _ = run(state, [StartSpy(5, 1, "listen", "qqs-1")])
    refused(spying, StartSpy(5, 1, "barge", "qqs-2"), IllegalTransition)  # one session at a time


def test_a_supervision_session_whose_seat_does_not_answer_ends() -> None:
    state, _ = run(supervised(), [StartSpy(5, 1, "listen", "qqs-1")])
    state, events = run(state, [MarkNoAnswer("qqs-1", "NOANSWER", "s5")], at(15))
    assert states(state) == {1: "on_call", 5: "not_ready"}
    assert of(OutboundFailed, events) == []
    state, _ = run(supervised(), [StartSpy(5, 1, "listen", "qqs-1")])
    state, _ = run(state, [Reconcile(frozenset({"c1"}), as_of=at(1))], at(2))
    assert states(state) == {1: "on_call", 5: "not_ready"}
