"""The ACD routing core: agent transitions, routing rules, ring-no-answer, wrap-up, and invariants.

Synchronous, no mocks: commands go in with a hand-set clock, state and events come out.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from acd.agent_calls import TRANSFER_PRIORITY
from acd.agents import BUSY, HOLDS_CALL, TRANSITIONS, Agent, AgentState, IllegalTransition
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
    RegisterSeat,
    SetNotReady,
    SetReady,
    StartSpy,
    Tick,
    Transfer,
)
from acd.core import MISSED_STATUSES, AcdState, WaitingCall, available, decide, next_deadline
from acd.policy import AcdPolicy, QueuePolicy
from acd.views import position_in_queue
from kernel.agent_call_events import SPY_MODES, CallTransferred
from kernel.call_events import AgentStateChanged, CallOffered
from kernel.errors import Conflict, NotFound, QingquanError
from kernel.events import Event

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def run(state: AcdState, commands: Iterable[Command], now: datetime = T0) -> tuple[AcdState, list[Event]]:
    """Feed commands one after another at the same instant; all events in order."""
    events: list[Event] = []
    for command in commands:
        state, new = decide(state, command, now)
        events += new
    return state, events


def call(linkedid: str, priority: int = 0) -> Enqueue:
    return Enqueue(linkedid=linkedid, channel=f"PJSIP/trunk-{linkedid}", queue="general", priority=priority,
                   account_number="10020031", caller_number="13800138000", ivr_path="main>agent>queue")


def ready(state: AcdState, agent_id: int, seat: str, now: datetime = T0) -> tuple[AcdState, list[Event]]:
    """Log an agent in on a registered seat and make them ready."""
    return run(state, [RegisterSeat(seat, True), LogIn(agent_id, seat), SetReady(agent_id)], now)


def offers(events: Iterable[Event]) -> list[tuple[str | None, int]]:
    return [(e.linkedid, e.agent_id) for e in events if isinstance(e, CallOffered)]


def changes(events: Iterable[Event]) -> list[tuple[int, str, str, str]]:
    return [(e.agent_id, e.from_state, e.to_state, e.reason)
            for e in events if isinstance(e, AgentStateChanged)]


def available_agents(state: AcdState) -> list[Agent]:
    """Agents a call could be offered to now, longest idle first."""
    free = [a for a in state.agents.values()
            if available(a, state.registered_seats, state.policy, state.emergency)]
    return sorted(free, key=lambda a: (a.idle_since or T0, a.agent_id))


def queue_order(state: AcdState) -> list[WaitingCall]:
    return state.waiting_in_order()


def with_wrapup(state: AcdState, seconds: float) -> AcdState:
    return replace(state, policy=AcdPolicy(queues={"general": QueuePolicy("general", wrapup_seconds=seconds)}))


def waiting_ids(state: AcdState) -> list[str]:
    return [c.linkedid for c in state.waiting_in_order()]


def agent(state: AcdState, agent_id: int) -> Agent:
    return state.agents[agent_id]


# Agent transitions -----------------------------------------------------------------------------------


def test_log_in_ready_not_ready_log_out() -> None:
    state, events = run(AcdState(), [LogIn(7, "s1")], at(0))
    assert agent(state, 7).state == AgentState.NOT_READY
    assert agent(state, 7).seat == "s1"
    assert agent(state, 7).since == at(0)
    assert changes(events) == [(7, "logged_out", "not_ready", "")]
    assert events[0].at == at(0)

    state, events = run(state, [SetReady(7)], at(5))
    assert agent(state, 7).state == AgentState.READY
    assert agent(state, 7).idle_since == at(5)
    assert changes(events) == [(7, "not_ready", "ready", "")]

    state, events = run(state, [SetNotReady(7, "meal")], at(9))
    assert (agent(state, 7).state, agent(state, 7).reason) == (AgentState.NOT_READY, "meal")
    assert changes(events) == [(7, "ready", "not_ready", "meal")]

    state, events = run(state, [SetNotReady(7, "meal")], at(10))
    assert events == []  # nothing changed, nothing said
    assert agent(state, 7).since == at(9)

    state, events = run(state, [SetNotReady(7, "training")], at(11))
    assert changes(events) == [(7, "not_ready", "not_ready", "training")]

    state, events = run(state, [LogOut(7)], at(12))
    assert agent(state, 7).state == AgentState.LOGGED_OUT
    assert agent(state, 7).reason == ""
    assert changes(events) == [(7, "not_ready", "logged_out", "")]


def test_commands_for_an_unknown_agent_raise_not_found() -> None:
    for command in (SetReady(3), SetNotReady(3, "meal"), LogOut(3)):
        with pytest.raises(NotFound):
            decide(AcdState(), command, T0)


def _agent_in(target: AgentState) -> AcdState:
    """Agent 1 on seat s1 (registered) brought into the given state; call "c1" where one is needed."""
    state, _ = ready(AcdState(), 1, "s1")
    if target == AgentState.READY:
        return state
    if target == AgentState.NOT_READY:
        return run(state, [SetNotReady(1, "break")])[0]
    if target == AgentState.LOGGED_OUT:
        return run(state, [LogOut(1)])[0]
    if target == AgentState.DIALING:
        return run(state, [DialOut(1, "qqo-1", "13900000001")])[0]
    if target == AgentState.SUPERVISING:
        state, _ = run(state, [SetNotReady(1, "break")])
        state, _ = ready(state, 2, "s2")
        state, _ = run(state, [call("c9"), MarkAnswered("c9"), StartSpy(1, 2, "listen", "qqs-1")])
        return state
    state, _ = run(state, [call("c1")])
    if target == AgentState.OFFERED:
        return state
    state, _ = run(state, [MarkAnswered("c1")])
    if target == AgentState.ON_CALL:
        return state
    return run(state, [AgentLegGone("c1", "s1")])[0]


USER_COMMANDS: dict[str, Command] = {
    "log_in": LogIn(1, "s1"),
    "ready": SetReady(1),
    "not_ready": SetNotReady(1, "break"),
    "log_out": LogOut(1),
}


@pytest.mark.parametrize("trigger", sorted(USER_COMMANDS))
@pytest.mark.parametrize("start", list(AgentState))
def test_agent_commands_follow_the_transition_table(start: AgentState, trigger: str) -> None:
    state = _agent_in(start)
    assert agent(state, 1).state == start
    before = copy.deepcopy(state)
    target = TRANSITIONS.get((start, trigger))
    if target is None:
        with pytest.raises(IllegalTransition):
            decide(state, USER_COMMANDS[trigger], at(1))
        assert state == before  # an illegal transition leaves the state unchanged
    else:
        after, _ = decide(state, USER_COMMANDS[trigger], at(1))
        assert agent(after, 1).state == target


def test_not_ready_while_offered_is_illegal_and_changes_nothing() -> None:
    state = _agent_in(AgentState.OFFERED)
    before = copy.deepcopy(state)
    with pytest.raises(IllegalTransition) as raised:
        decide(state, SetNotReady(1, "meal"), at(3))
    assert raised.value.code == "illegal_agent_transition"
    assert state == before
    assert agent(state, 1).call == "c1"
    assert set(state.offered) == {"c1"}


def test_seat_cannot_change_during_a_call() -> None:
    state = _agent_in(AgentState.ON_CALL)
    with pytest.raises(IllegalTransition):
        decide(state, LogIn(1, "s2"), at(1))


def test_two_agents_cannot_log_in_on_the_same_seat() -> None:
    state, _ = run(AcdState(), [LogIn(1, "s1")])
    before = copy.deepcopy(state)
    with pytest.raises(Conflict):
        decide(state, LogIn(2, "s1"), at(1))
    assert state == before
    state, _ = run(state, [LogOut(1)], at(2))
    state, events = run(state, [LogIn(2, "s1")], at(3))  # a logged-out agent frees the seat
    assert agent(state, 2).state == AgentState.NOT_READY
    assert changes(events) == [(2, "logged_out", "not_ready", "")]


# Routing ---------------------------------------------------------------------------------------------


def test_ready_agent_on_an_unregistered_seat_is_never_offered() -> None:
    state, _ = run(AcdState(), [LogIn(1, "s1"), SetReady(1)], at(0))
    state, events = run(state, [call("c1")], at(1))
    state, tick_events = run(state, [Tick()], at(60))
    assert offers(events + tick_events) == []
    assert waiting_ids(state) == ["c1"]
    assert available_agents(state) == []

    state, events = run(state, [RegisterSeat("s1", True)], at(61))
    assert offers(events) == [("c1", 1)]
    offered = next(e for e in events if isinstance(e, CallOffered))
    assert (offered.seat, offered.channel, offered.queue) == ("s1", "PJSIP/trunk-c1", "general")
    assert (offered.account_number, offered.caller_number, offered.ivr_path) == (
        "10020031", "13800138000", "main>agent>queue")
    assert changes(events) == [(1, "ready", "offered", "")]
    assert agent(state, 1).state == AgentState.OFFERED
    assert agent(state, 1).call == "c1"
    assert set(state.offered) == {"c1"}
    assert state.waiting == {}


def test_unregistering_a_seat_stops_offers() -> None:
    state, _ = ready(AcdState(), 1, "s1")
    state, _ = run(state, [RegisterSeat("s1", False), call("c1")], at(1))
    assert waiting_ids(state) == ["c1"]
    assert agent(state, 1).state == AgentState.READY


def test_longest_idle_agent_is_chosen() -> None:
    state, _ = ready(AcdState(), 2, "s2", at(0))
    state, _ = ready(state, 1, "s1", at(1))
    state, _ = ready(state, 3, "s3", at(2))
    state, events = run(state, [call("c1")], at(3))
    assert offers(events) == [("c1", 2)]
    state, events = run(state, [call("c2")], at(4))
    assert offers(events) == [("c2", 1)]
    state, events = run(state, [call("c3")], at(5))
    assert offers(events) == [("c3", 3)]


def test_equal_idle_time_goes_to_the_lowest_agent_id() -> None:
    state, _ = run(AcdState(), [RegisterSeat("s1", True), RegisterSeat("s2", True), LogIn(2, "s2"),
                                LogIn(1, "s1"), SetReady(2), SetReady(1)], at(0))
    state, events = run(state, [call("c1")], at(1))
    assert offers(events) == [("c1", 1)]


def test_fifo_within_a_priority() -> None:
    state = AcdState()
    for i, linkedid in enumerate(("a", "b", "c")):
        state, _ = run(state, [call(linkedid)], at(i))
    assert [position_in_queue(state, x) for x in ("a", "b", "c")] == [1, 2, 3]
    state, events = ready(state, 1, "s1", at(10))
    assert offers(events) == [("a", 1)]
    state, events = ready(state, 2, "s2", at(11))
    assert offers(events) == [("b", 2)]
    assert waiting_ids(state) == ["c"]
    assert position_in_queue(state, "c") == 1


def test_higher_priority_first() -> None:
    state = AcdState()
    state, _ = run(state, [call("low1")], at(0))
    state, _ = run(state, [call("low2")], at(1))
    state, _ = run(state, [call("high", priority=5)], at(2))
    state, _ = run(state, [call("mid", priority=1)], at(3))
    assert [c.linkedid for c in queue_order(state)] == ["high", "mid", "low1", "low2"]
    assert sorted(state.waiting, key=lambda k: state.waiting[k].seq) == ["low1", "low2", "high", "mid"]
    assert position_in_queue(state, "high") == 1
    assert position_in_queue(state, "low2") == 4
    state, events = ready(state, 1, "s1", at(5))
    assert offers(events) == [("high", 1)]
    state, events = ready(state, 2, "s2", at(6))
    assert offers(events) == [("mid", 2)]
    state, events = ready(state, 3, "s3", at(7))
    assert offers(events) == [("low1", 3)]


def test_several_offers_in_one_decision() -> None:
    state, _ = run(AcdState(), [call("a"), call("b"), call("c")], at(0))
    state, _ = run(state, [RegisterSeat("s1", True), RegisterSeat("s2", True), LogIn(1, "s1"),
                           LogIn(2, "s2"), SetReady(2)], at(1))
    state, _ = run(state, [SetReady(1), RegisterSeat("s3", False)], at(2))
    # agent 2 got "a" at t=1; agent 1 gets "b" at t=2
    assert agent(state, 2).call == "a"
    assert agent(state, 1).call == "b"
    assert waiting_ids(state) == ["c"]


def test_position_in_queue() -> None:
    state, _ = run(AcdState(), [call("a"), call("b"), call("vip", priority=2)])
    assert position_in_queue(state, "vip") == 1
    assert position_in_queue(state, "a") == 2
    assert position_in_queue(state, "b") == 3
    assert position_in_queue(state, "nobody") is None
    state, _ = ready(state, 1, "s1", at(1))
    assert position_in_queue(state, "vip") is None  # offered calls are no longer in the queue
    assert position_in_queue(state, "a") == 1


def test_enqueue_of_a_known_linkedid_is_ignored() -> None:
    state, _ = run(AcdState(), [call("a"), call("b")], at(0))
    resynced, events = run(state, [call("a", priority=9)], at(30))
    assert events == []
    assert resynced == state  # same place, same arrival time, same priority
    assert resynced.waiting_in_order()[0].enqueued_at == at(0)
    assert resynced.next_seq == 2

    state, _ = ready(state, 1, "s1", at(31))  # "a" offered
    again, _ = run(state, [call("a")], at(32))
    assert again == state
    state, _ = run(state, [MarkAnswered("a")], at(33))  # "a" on call
    again, _ = run(state, [call("a")], at(34))
    assert again == state


# Ring-no-answer and cancel ---------------------------------------------------------------------------


def test_ring_no_answer_puts_agent_not_ready_and_call_back_in_its_place() -> None:
    state, _ = run(AcdState(), [call("a")], at(0))
    state, _ = ready(state, 1, "s1", at(1))  # "a" offered to agent 1
    state, _ = run(state, [call("b")], at(2))
    state, _ = run(state, [call("c")], at(3))
    state, events = run(state, [MarkNoAnswer("a", "NOANSWER")], at(20))
    assert (agent(state, 1).state, agent(state, 1).reason) == (AgentState.NOT_READY, "missed")
    assert agent(state, 1).call is None
    assert changes(events) == [(1, "offered", "not_ready", "missed")]
    assert events[0].linkedid == "a"
    assert offers(events) == []
    assert waiting_ids(state) == ["a", "b", "c"]  # ahead of the calls that arrived later
    assert position_in_queue(state, "a") == 1
    assert state.waiting_in_order()[0].missed_by == frozenset({1})
    assert state.waiting_in_order()[0].enqueued_at == at(0)
    assert state.offered == {}

    state, events = ready(state, 2, "s2", at(21))
    assert offers(events) == [("a", 2)]

    state, events = run(state, [SetReady(1)], at(22))
    assert offers(events) == [("b", 1)]


@pytest.mark.parametrize("status", sorted(MISSED_STATUSES))
def test_missed_call_goes_straight_to_the_next_ready_agent(status: str) -> None:
    state, _ = ready(AcdState(), 1, "s1", at(0))
    state, _ = ready(state, 2, "s2", at(1))
    state, events = run(state, [call("a")], at(2))
    assert offers(events) == [("a", 1)]
    state, events = run(state, [MarkNoAnswer("a", status)], at(17))
    assert offers(events) == [("a", 2)]
    assert agent(state, 1).state == AgentState.NOT_READY
    assert state.offered["a"].call.missed_by == frozenset({1})


def test_missed_call_is_never_offered_again_to_the_agent_who_missed_it() -> None:
    state, _ = ready(AcdState(), 1, "s1", at(0))
    state, _ = run(state, [call("a")], at(1))
    state, _ = run(state, [MarkNoAnswer("a", "NOANSWER")], at(16))
    state, events = run(state, [SetReady(1)], at(17))
    assert offers(events) == []
    assert agent(state, 1).state == AgentState.READY
    assert waiting_ids(state) == ["a"]
    state, events = run(state, [Tick()], at(100))
    assert offers(events) == []
    # a later call is not held up behind the call this agent missed
    state, events = run(state, [call("b")], at(101))
    assert offers(events) == [("b", 1)]
    assert waiting_ids(state) == ["a"]


def test_call_missed_by_two_agents_remembers_both() -> None:
    state, _ = ready(AcdState(), 1, "s1", at(0))
    state, _ = ready(state, 2, "s2", at(1))
    state, _ = run(state, [call("a")], at(2))
    state, _ = run(state, [MarkNoAnswer("a", "NOANSWER")], at(17))  # now offered to 2
    state, events = run(state, [MarkNoAnswer("a", "BUSY")], at(18))
    assert offers(events) == []
    assert state.waiting_in_order()[0].missed_by == frozenset({1, 2})
    state, events = run(state, [SetReady(1), SetReady(2)], at(19))
    assert offers(events) == []


def test_cancel_while_ringing_drops_the_call_and_frees_the_agent() -> None:
    state, _ = ready(AcdState(), 1, "s1", at(0))
    state, _ = run(state, [call("a")], at(1))
    state, events = run(state, [MarkNoAnswer("a", "CANCEL")], at(5))
    assert state.offered == {}
    assert state.waiting == {}
    assert agent(state, 1).state == AgentState.READY
    assert agent(state, 1).call is None
    assert changes(events) == [(1, "offered", "ready", "")]
    assert events[0].linkedid == "a"


def test_cancel_frees_the_agent_for_the_next_waiting_call() -> None:
    state, _ = ready(AcdState(), 1, "s1", at(0))
    state, _ = run(state, [call("a"), call("b")], at(1))
    state, events = run(state, [MarkNoAnswer("a", "CANCEL")], at(5))
    assert offers(events) == [("b", 1)]


def test_answer_and_no_answer_for_calls_not_offered_are_ignored() -> None:
    state, _ = run(AcdState(), [call("a")], at(0))
    for command in (MarkAnswered("a"), MarkNoAnswer("a", "NOANSWER"), MarkAnswered("zzz"),
                    MarkNoAnswer("zzz", "CANCEL"), CallerGone("zzz"), AgentLegGone("a", "s1")):
        after, events = decide(state, command, at(1))
        assert (after, events) == (state, [])


def test_mark_answered_puts_the_agent_on_call() -> None:
    state, _ = ready(AcdState(), 1, "s1", at(0))
    state, _ = run(state, [call("a")], at(1))
    state, events = run(state, [MarkAnswered("a")], at(4))
    assert agent(state, 1).state == AgentState.ON_CALL
    assert agent(state, 1).call == "a"
    assert state.offered == {}
    assert changes(events) == [(1, "offered", "on_call", "")]
    assert events[0].linkedid == "a"


# Caller and agent hang-ups, wrap-up ------------------------------------------------------------------


def test_caller_gone_while_waiting_removes_the_call() -> None:
    state, _ = run(AcdState(), [call("a"), call("b")], at(0))
    state, events = run(state, [CallerGone("a")], at(9))
    assert events == []
    assert waiting_ids(state) == ["b"]
    assert position_in_queue(state, "a") is None
    assert position_in_queue(state, "b") == 1


def test_caller_gone_while_ringing_frees_the_agent() -> None:
    state, _ = ready(AcdState(), 1, "s1", at(0))
    state, _ = run(state, [call("a")], at(1))
    state, events = run(state, [CallerGone("a")], at(3))
    assert state.offered == {}
    assert agent(state, 1).state == AgentState.READY
    assert changes(events) == [(1, "offered", "ready", "")]


def _on_call(now: datetime = T0) -> AcdState:
    state, _ = ready(AcdState(), 1, "s1", now)
    state, _ = run(state, [call("a"), MarkAnswered("a")], now)
    return state


def test_caller_gone_during_the_talk_starts_wrap_up() -> None:
    state = _on_call(at(0))
    state, events = run(state, [CallerGone("a")], at(100))
    a = agent(state, 1)
    assert a.state == AgentState.WRAP_UP
    assert a.call == "a"
    assert a.wrapup_until == at(100 + 10)
    assert changes(events) == [(1, "on_call", "wrap_up", "")]
    assert events[0].linkedid == "a"
    assert next_deadline(state, T0) == at(110)


def test_agent_leg_gone_starts_wrap_up() -> None:
    state = _on_call(at(0))
    ignored, events = run(state, [AgentLegGone("a", "s9")], at(50))  # not this agent's seat
    assert (ignored, events) == (state, [])
    state, events = run(state, [AgentLegGone("a", "s1")], at(50))
    assert agent(state, 1).state == AgentState.WRAP_UP
    assert changes(events) == [(1, "on_call", "wrap_up", "")]
    # the caller's own hang-up that follows changes nothing more
    after, events = run(state, [CallerGone("a")], at(51))
    assert (after, events) == (state, [])


def test_wrap_up_ends_at_its_deadline_on_a_tick_and_not_before() -> None:
    state = replace_wrapup(_on_call(at(0)), 30.0)
    state, _ = run(state, [AgentLegGone("a", "s1")], at(100))
    deadline = at(130)
    assert next_deadline(state, T0) == deadline
    state, _ = run(state, [call("b")], at(101))
    assert waiting_ids(state) == ["b"]

    early, events = run(state, [Tick()], deadline - timedelta(microseconds=1))
    assert events == []
    assert agent(early, 1).state == AgentState.WRAP_UP

    state, events = run(early, [Tick()], deadline)
    assert changes(events) == [(1, "wrap_up", "ready", ""), (1, "ready", "offered", "")]
    assert offers(events) == [("b", 1)]
    assert agent(state, 1).call == "b"
    assert next_deadline(state, T0) == deadline + timedelta(seconds=60)  # the offer's own expiry


def replace_wrapup(state: AcdState, seconds: float) -> AcdState:
    return with_wrapup(state, seconds)


def test_ready_during_wrap_up_ends_it_early() -> None:
    state = _on_call(at(0))
    state, _ = run(state, [CallerGone("a")], at(10))
    state, events = run(state, [SetReady(1)], at(12))
    assert agent(state, 1).state == AgentState.READY
    assert agent(state, 1).wrapup_until is None
    assert next_deadline(state, T0) is None
    assert changes(events) == [(1, "wrap_up", "ready", "")]


def test_any_command_after_the_deadline_releases_the_wrap_up() -> None:
    state = _on_call(at(0))
    state, _ = run(state, [CallerGone("a"), call("b")], at(5))
    state, events = run(state, [RegisterSeat("s7", True)], at(60))
    assert changes(events) == [(1, "wrap_up", "ready", ""), (1, "ready", "offered", "")]
    assert agent(state, 1).call == "b"


def test_next_deadline_is_the_earliest_wrap_up() -> None:
    assert next_deadline(AcdState(), T0) is None
    state, _ = ready(AcdState(), 1, "s1", at(0))
    state, _ = ready(state, 2, "s2", at(0))
    state, _ = run(state, [call("a"), call("b"), MarkAnswered("a"), MarkAnswered("b")], at(1))
    state, _ = run(state, [CallerGone("b")], at(5))
    state, _ = run(state, [CallerGone("a")], at(7))
    assert next_deadline(state, T0) == at(15)
    state, _ = run(state, [Tick()], at(15))
    assert next_deadline(state, T0) == at(17)


# Invariants under random command sequences -----------------------------------------------------------

AGENT_IDS = (1, 2, 3)
SEAT_NAMES = ("s1", "s2", "s3")
STATUSES = (*sorted(MISSED_STATUSES), "CANCEL")


class AcdMachine(RuleBasedStateMachine):
    """Random commands with increasing time; the test keeps its own record of calls to check the core."""

    def __init__(self) -> None:
        super().__init__()
        self.state = AcdState(policy=AcdPolicy(offer_timeout_seconds=1e9))  # expiry: see test_acd_policy
        self.now = T0
        self.calls_made = 0
        self.live: set[str] = set()  # enqueued, not gone, not answered, not cancelled
        self.arrival: dict[str, tuple[int, int]] = {}  # linkedid -> (priority, arrival number)
        self.missed: set[tuple[str, int]] = set()  # (linkedid, agent_id) pairs that rang unanswered (or that
        #                                                the agent transferred away: never offered to them again)
        self.own_calls = 0  # outbound calls and supervision sessions placed

    @initialize(staffed=st.lists(st.sampled_from(AGENT_IDS), unique=True))
    def start(self, staffed: list[int]) -> None:
        for agent_id in staffed:
            self.agent_to_work(agent_id, 0)

    # --- driving ---

    def step(self, command: Command, seconds: int) -> list[Event]:
        self.now += timedelta(seconds=seconds)
        before = self.state
        snapshot = copy.deepcopy(before)
        try:
            after, events = decide(before, command, self.now)
        except QingquanError:
            assert before == snapshot  # an illegal command leaves the state unchanged
            return []
        self.check_step(before, after, events)
        self.state = after
        return events

    def call_ids(self, data: st.DataObject) -> str:
        """Mostly a call being offered or handled; sometimes any call ever seen, or an unknown one."""
        busy = sorted(a.call for a in self.state.agents.values() if a.call is not None)
        prefer_busy: bool = data.draw(st.booleans())
        if busy and prefer_busy:
            return data.draw(st.sampled_from(busy))
        return data.draw(st.sampled_from([*sorted(self.arrival), "unknown"]))

    @rule(agent_id=st.sampled_from(AGENT_IDS), dt=st.integers(0, 4))
    def agent_to_work(self, agent_id: int, dt: int) -> None:
        """The usual start of a shift: own seat registered, log in, ready."""
        seat = f"s{agent_id}"
        self.step(RegisterSeat(seat, True), dt)
        self.step(LogIn(agent_id, seat), 0)
        self.step(SetReady(agent_id), 0)

    @rule(agent_id=st.sampled_from(AGENT_IDS), seat=st.sampled_from(SEAT_NAMES), dt=st.integers(0, 4))
    def log_in(self, agent_id: int, seat: str, dt: int) -> None:
        self.step(LogIn(agent_id, seat), dt)

    @rule(agent_id=st.sampled_from(AGENT_IDS), dt=st.integers(0, 4))
    def log_out(self, agent_id: int, dt: int) -> None:
        self.step(LogOut(agent_id), dt)

    @rule(agent_id=st.sampled_from(AGENT_IDS), dt=st.integers(0, 4))
    def set_ready(self, agent_id: int, dt: int) -> None:
        self.step(SetReady(agent_id), dt)

    @rule(agent_id=st.sampled_from(AGENT_IDS), reason=st.sampled_from(("", "meal", "training")),
          dt=st.integers(0, 4))
    def set_not_ready(self, agent_id: int, reason: str, dt: int) -> None:
        self.step(SetNotReady(agent_id, reason), dt)

    @rule(seat=st.sampled_from(SEAT_NAMES), registered=st.booleans(), dt=st.integers(0, 4))
    def register_seat(self, seat: str, registered: bool, dt: int) -> None:
        self.step(RegisterSeat(seat, registered), dt)

    @rule(priority=st.integers(0, 2), dt=st.integers(0, 4))
    def enqueue(self, priority: int, dt: int) -> None:
        linkedid = f"c{self.calls_made}"
        self.calls_made += 1
        self.arrival[linkedid] = (priority, self.calls_made)
        self.live.add(linkedid)
        self.step(call(linkedid, priority), dt)
        assert linkedid in self.ids_in_queue() | set(self.state.offered)

    @rule(data=st.data(), priority=st.integers(0, 2))
    def enqueue_again(self, data: st.DataObject, priority: int) -> None:
        self.step(Tick(), 0)  # let time catch up first: a wrap-up ending lets its call go
        held = {a.call for a in self.state.agents.values() if a.call is not None}
        known = sorted(self.live | held)
        if not known:
            return
        linkedid = data.draw(st.sampled_from(known))
        before = self.state
        events = self.step(call(linkedid, priority), 0)
        assert self.state == before  # a resync keeps the call's place
        assert events == []

    @rule(data=st.data(), dt=st.integers(0, 6))
    def answer(self, data: st.DataObject, dt: int) -> None:
        linkedid = self.call_ids(data)
        if linkedid in self.state.offered:
            self.live.discard(linkedid)
        holder = self.holder(linkedid) if linkedid in self.state.offered else None
        self.step(MarkAnswered(linkedid), dt)
        if holder is not None:
            assert self.state.agents[holder].state == AgentState.ON_CALL
            assert self.state.agents[holder].call == linkedid

    @rule(priority=st.integers(0, 2), dt=st.integers(0, 6))
    def a_call_is_answered(self, priority: int, dt: int) -> None:
        """A new call, answered at once if it rang somewhere: agents on calls (to transfer, or to listen to)
        are more frequent with this one."""
        self.enqueue(priority, dt)
        linkedid = f"c{self.calls_made - 1}"
        if linkedid in self.state.offered:
            self.live.discard(linkedid)
            self.step(MarkAnswered(linkedid), 0)

    @rule(data=st.data(), status=st.sampled_from(STATUSES), dt=st.integers(0, 6))
    def no_answer(self, data: st.DataObject, status: str, dt: int) -> None:
        linkedid = self.call_ids(data)
        if linkedid in self.state.offered:
            if status == "CANCEL":
                self.live.discard(linkedid)
            else:
                self.missed.add((linkedid, self.holder(linkedid)))
        self.step(MarkNoAnswer(linkedid, status), dt)

    @rule(data=st.data(), dt=st.integers(0, 6))
    def caller_gone(self, data: st.DataObject, dt: int) -> None:
        linkedid = self.call_ids(data)
        self.live.discard(linkedid)
        self.step(CallerGone(linkedid), dt)
        assert linkedid not in self.ids_in_queue() | set(self.state.offered)

    @rule(data=st.data(), seat=st.sampled_from(SEAT_NAMES), dt=st.integers(0, 6))
    def agent_leg_gone(self, data: st.DataObject, seat: str, dt: int) -> None:
        self.step(AgentLegGone(self.call_ids(data), seat), dt)

    @rule(dt=st.integers(0, 12))
    def tick(self, dt: int) -> None:
        self.step(Tick(), dt)

    @rule(agent_id=st.sampled_from(AGENT_IDS), dt=st.integers(0, 4))
    def dial_out(self, agent_id: int, dt: int) -> None:
        """Click-to-call: its seat's outcome and end come through answer / no_answer / agent_leg_gone."""
        self.own_calls += 1
        self.step(DialOut(agent_id, f"qqo-{self.own_calls}", "13900000001"), dt)

    def talking(self, data: st.DataObject) -> int:
        """Mostly an agent on a call; sometimes any agent."""
        talking = sorted(a.agent_id for a in self.state.agents.values() if a.state == AgentState.ON_CALL)
        return data.draw(st.sampled_from(talking if talking and data.draw(st.booleans()) else AGENT_IDS))

    @rule(data=st.data(), dt=st.integers(0, 4))
    def transfer(self, data: st.DataObject, dt: int) -> None:
        """The agent's call goes back in line (first) or to a ready agent; the agent never gets it back."""
        agent_id = self.talking(data)
        ready = sorted(a.agent_id for a in self.state.agents.values() if a.state == AgentState.READY)
        to_agent = data.draw(st.sampled_from([None, *AGENT_IDS, *ready, *ready]))
        agent = self.state.agents.get(agent_id)
        linkedid = agent.call if agent is not None and agent.state == AgentState.ON_CALL else None
        if linkedid is None or linkedid.startswith("qq"):
            self.step(Transfer(agent_id, to_agent_id=to_agent, to_queue=None if to_agent else "general"), dt)
            return
        before = (set(self.live), set(self.missed), dict(self.arrival), self.calls_made)
        self.live.add(linkedid)  # expected where a transfer puts it, before the step checks its offer
        self.missed.add((linkedid, agent_id))
        self.calls_made += 1
        self.arrival[linkedid] = (TRANSFER_PRIORITY, self.calls_made)
        events = self.step(Transfer(agent_id, to_agent_id=to_agent, to_queue=None if to_agent else "general"), dt)
        if not any(isinstance(e, CallTransferred) for e in events):
            self.live, self.missed, self.arrival, self.calls_made = before

    @rule(data=st.data(), supervisor=st.sampled_from(AGENT_IDS), mode=st.sampled_from(SPY_MODES),
          dt=st.integers(0, 4))
    def spy(self, data: st.DataObject, supervisor: int, mode: str, dt: int) -> None:
        agent_id = self.talking(data)
        self.own_calls += 1
        self.step(StartSpy(supervisor, agent_id, mode, f"qqs-{self.own_calls}"), dt)

    # --- helpers ---

    def holder(self, linkedid: str) -> int:
        holders = [a.agent_id for a in self.state.agents.values() if a.call == linkedid and a.state in BUSY]
        assert len(holders) == 1
        return holders[0]

    def ids_in_queue(self) -> set[str]:
        return set(self.state.waiting)

    # --- checks of one decision ---

    def check_step(self, before: AcdState, after: AcdState, events: list[Event]) -> None:
        """Replay the events over the agents' previous states: they must explain the new states exactly,
        and every offer must respect readiness, registration, missed calls, priority, FIFO and idle time."""
        tracked = {a.agent_id: a.state.value for a in before.agents.values()}
        offered_now: list[tuple[str, int]] = []
        chosen_by_agent: set[str] = set()  # transfers to a named agent: no idle order applies
        previous: Event | None = None
        for event in events:
            assert event.at == self.now
            if isinstance(event, AgentStateChanged):
                assert tracked.get(event.agent_id, "logged_out") == event.from_state
                tracked[event.agent_id] = event.to_state
            elif isinstance(event, CallOffered):
                assert event.linkedid is not None
                # the agent was ready a moment ago (never not_ready or logged_out) and is now ringing
                assert isinstance(previous, AgentStateChanged)
                assert (previous.agent_id, previous.from_state, previous.to_state, previous.linkedid) == (
                    event.agent_id, "ready", "offered", event.linkedid)
                assert event.seat in after.registered_seats
                assert event.seat == after.agents[event.agent_id].seat
                if event.transferred_by is not None:  # a colleague chose this agent: an earlier miss is forgiven
                    self.missed.discard((event.linkedid, event.agent_id))
                assert (event.linkedid, event.agent_id) not in self.missed
                assert event.linkedid in self.live
                offered_now.append((event.linkedid, event.agent_id))
                if event.transferred_by is not None:
                    chosen_by_agent.add(event.linkedid)
            previous = event
        assert tracked == {a.agent_id: a.state.value for a in after.agents.values()}
        # every accepted command releases the wrap-ups that are over by now
        for a in after.agents.values():
            if a.state == AgentState.WRAP_UP:
                assert a.wrapup_until is not None and a.wrapup_until > self.now
        offered_ids = [linkedid for linkedid, _ in offered_now]
        assert len(offered_ids) == len(set(offered_ids))
        self.check_offer_order(after, offered_now, chosen_by_agent)

    def check_offer_order(self, after: AcdState, offered_now: list[tuple[str, int]],
                          chosen_by_agent: set[str]) -> None:
        for i, (linkedid, agent_id) in enumerate(offered_now):
            later = offered_now[i + 1:]
            # calls still waiting at the moment of this offer
            still_waiting = [c.linkedid for c in after.waiting_in_order()] + [lid for lid, _ in later]
            for other in still_waiting:
                if (other, agent_id) in self.missed:
                    continue
                # nothing this agent could take was ahead of the offered call
                priority, number = self.arrival[linkedid]
                other_priority, other_number = self.arrival[other]
                assert (-priority, number) < (-other_priority, other_number), (linkedid, other)
            # no agent who had waited longer (and had not missed this call) was passed over
            if linkedid in chosen_by_agent:
                continue
            chosen = after.agents[agent_id]
            free = [*available_agents(after), *(after.agents[aid] for _, aid in later)]
            for other_agent in free:
                if (linkedid, other_agent.agent_id) in self.missed:
                    continue
                assert chosen.idle_since is not None and other_agent.idle_since is not None
                assert (chosen.idle_since, chosen.agent_id) <= (other_agent.idle_since, other_agent.agent_id)

    # --- invariants of every state ---

    @invariant()
    def no_call_both_waiting_and_offered(self) -> None:
        waiting = [c.linkedid for c in self.state.waiting_in_order()]
        assert len(waiting) == len(set(waiting))
        assert not set(waiting) & set(self.state.offered)

    @invariant()
    def offers_and_agents_match_one_to_one(self) -> None:
        ringing = [a for a in self.state.agents.values() if a.state == AgentState.OFFERED]
        assert sorted(a.call or "" for a in ringing) == sorted(self.state.offered)
        holding = [a.call for a in self.state.agents.values() if a.call is not None and a.state in BUSY]
        assert len(holding) == len(set(holding))  # no call with two agents (but those wrapping it up)
        for a in self.state.agents.values():
            assert (a.call is not None) == (a.state in HOLDS_CALL)

    @invariant()
    def answered_calls_are_kept_while_their_agent_talks(self) -> None:
        talking = {a.call for a in self.state.agents.values() if a.state == AgentState.ON_CALL}
        assert set(self.state.connected) == {c for c in talking if c is not None and not c.startswith("qqo-")}
        assert not set(self.state.connected) & (set(self.state.waiting) | set(self.state.offered))

    @invariant()
    def an_agent_busy_with_their_own_call_holds_it(self) -> None:
        for a in self.state.agents.values():
            if a.state == AgentState.DIALING:
                assert a.call is not None and a.call.startswith("qqo-")
            if a.state == AgentState.SUPERVISING:
                assert a.call is not None and a.call.startswith("qqs-")

    @invariant()
    def no_call_is_lost(self) -> None:
        assert self.live == self.ids_in_queue() | set(self.state.offered)

    @invariant()
    def missed_calls_remember_who_missed_them(self) -> None:
        for c in (*self.state.waiting.values(), *(o.call for o in self.state.offered.values())):
            assert c.missed_by == {aid for lid, aid in self.missed if lid == c.linkedid}

    @invariant()
    def line_is_in_priority_then_arrival_order(self) -> None:
        served = [(-self.arrival[c.linkedid][0], self.arrival[c.linkedid][1]) for c in self.state.waiting_in_order()]
        assert served == sorted(served)

    @invariant()
    def routing_is_complete(self) -> None:
        """After a decision no waiting call could still go to an available agent."""
        for c in self.state.waiting_in_order():
            for a in available_agents(self.state):
                assert a.agent_id in c.missed_by

    @invariant()
    def seats_are_not_shared(self) -> None:
        seats = [a.seat for a in self.state.agents.values() if a.state != AgentState.LOGGED_OUT]
        assert len(seats) == len(set(seats))

    @invariant()
    def next_deadline_is_the_earliest_wrap_up_end(self) -> None:
        ends = [a.wrapup_until for a in self.state.agents.values() if a.state == AgentState.WRAP_UP]
        assert None not in ends
        ends += [o.at + timedelta(seconds=1e9) for o in self.state.offered.values()]  # offers expire (never here)
        ends += [a.since + timedelta(seconds=1e9) for a in self.state.agents.values()  # so do outbound calls
                 if a.state == AgentState.DIALING and a.since is not None]
        assert next_deadline(self.state, T0) == min((e for e in ends if e is not None), default=None)


AcdMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=40, deadline=None,
                                        suppress_health_check=[HealthCheck.too_slow])
TestAcdInvariants = AcdMachine.TestCase


def test_waiting_call_fields_come_from_enqueue() -> None:
    state, _ = run(AcdState(), [call("a", priority=3)], at(4))
    assert state.waiting == {"a": WaitingCall(linkedid="a", channel="PJSIP/trunk-a", queue="general",
                                              enqueued_at=at(4), seq=0, priority=3, account_number="10020031",
                                              caller_number="13800138000", ivr_path="main>agent>queue")}
