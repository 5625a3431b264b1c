"""Queue policies in the ACD core: strategies, skills relaxed as calls wait, overflow, first-responder
stickiness, queue callbacks, emergency mode, per-queue wrap-up, reason codes, the telephony link, and the
views the IVR and the console read (position, estimated wait).

Synchronous, no mocks: commands go in with a hand-set clock, state and events come out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

import pytest

from acd.commands import (
    AgentLegGone,
    CallerGone,
    Command,
    Enqueue,
    ExtendWrapUp,
    LogIn,
    MarkAnswered,
    MarkNoAnswer,
    Reconcile,
    RegisterSeat,
    RequestCallback,
    SetEmergency,
    SetNotReady,
    SetReady,
    SetTelephonyLink,
    Tick,
)
from acd.core import AcdState, decide, next_deadline
from acd.policy import AcdPolicy, OverflowRule, QueuePolicy, SkillStep, Strategy
from acd.views import call_status, estimated_wait, position_in_queue, queue_summaries
from kernel.call_events import (
    AgentStateChanged,
    CallAnswered,
    CallbackRequested,
    CallOffered,
    CallOverflowed,
    EmergencyModeChanged,
    WrapUpExtended,
)
from kernel.errors import InvalidInput, NotFound
from kernel.events import Event

T0 = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def hotline(*queues: QueuePolicy, default: str = "general", emergency_seats: Iterable[str] = ()) -> AcdState:
    policies = {q.name: q for q in queues} or {"general": QueuePolicy("general")}
    return AcdState(policy=AcdPolicy(queues=policies, default_queue=default,
                                     emergency_seats=frozenset(emergency_seats)))


def run(state: AcdState, commands: Iterable[Command], now: datetime = T0) -> tuple[AcdState, list[Event]]:
    events: list[Event] = []
    for command in commands:
        state, new = decide(state, command, now)
        events += new
    return state, events


def staff(state: AcdState, agent_id: int, now: datetime = T0, skills: Mapping[str, int] | None = None,
          queues: Iterable[str] = ()) -> AcdState:
    seat = f"s{agent_id}"
    state, _ = run(state, [RegisterSeat(seat, True), LogIn(agent_id, seat, dict(skills or {}), frozenset(queues)),
                           SetReady(agent_id)], now)
    return state


def call(linkedid: str, queue: str = "general", priority: int = 0, owner: int | None = None,
         skills: Mapping[str, int] | None = None) -> Enqueue:
    return Enqueue(linkedid=linkedid, channel=f"PJSIP/trunk-{linkedid}", queue=queue, priority=priority,
                   caller_number="13900000000", owner_agent=owner, skills=skills)


def offers(events: Iterable[Event]) -> list[tuple[str | None, tuple[int, ...]]]:
    return [(e.linkedid, e.agent_ids) for e in events if isinstance(e, CallOffered)]


def state_of(state: AcdState, agent_id: int) -> tuple[str, str]:
    agent = state.agents[agent_id]
    return agent.state.value, agent.reason


def finish(state: AcdState, linkedid: str, now: datetime) -> tuple[AcdState, list[Event]]:
    """The offered agent answers and hangs up."""
    agent = next(a for a in state.agents.values() if a.call == linkedid)
    return run(state, [MarkAnswered(linkedid), AgentLegGone(linkedid, agent.seat or "")], now)


# Strategies -------------------------------------------------------------------------------------------


def test_fewest_calls_prefers_the_agent_who_answered_least() -> None:
    state = hotline(QueuePolicy("general", Strategy.FEWEST_CALLS, wrapup_seconds=0))
    state = staff(staff(state, 1, at(0)), 2, at(1))
    state, events = run(state, [call("a")], at(2))
    assert offers(events) == [("a", (1,))]  # equal counts: longest idle
    state, _ = finish(state, "a", at(3))
    assert state.agents[1].calls_answered == 1
    state, events = run(state, [call("b")], at(4))
    assert offers(events) == [("b", (2,))]  # agent 1 has been idle longer but has answered more


def test_fewest_calls_tie_goes_to_longest_idle() -> None:
    state = hotline(QueuePolicy("general", Strategy.FEWEST_CALLS, wrapup_seconds=0))
    state = staff(staff(state, 1, at(0)), 2, at(1))
    state, _ = run(state, [call("a")], at(2))
    state, _ = finish(state, "a", at(3))  # 1: one call, ready since 3
    state, _ = run(state, [call("b")], at(4))
    state, _ = finish(state, "b", at(5))  # 2: one call, ready since 5
    state, events = run(state, [call("c")], at(6))
    assert offers(events) == [("c", (1,))]


def test_skills_strategy_picks_the_best_match_and_refuses_the_unskilled() -> None:
    state = hotline(QueuePolicy("billing", Strategy.SKILLS, skills={"billing": 3}), default="billing")
    state = staff(state, 1, at(0), {"billing": 3})
    state = staff(state, 2, at(1), {"billing": 5})
    state = staff(state, 3, at(2), {"billing": 1})
    state, events = run(state, [call("a", "billing")], at(3))
    assert offers(events) == [("a", (2,))]  # the best skill, though agent 1 waited longer
    state, events = run(state, [call("b", "billing")], at(4))
    assert offers(events) == [("b", (1,))]
    state, events = run(state, [call("c", "billing")], at(5))
    assert offers(events) == []  # agent 3's level 1 is not enough yet


def test_required_skills_relax_step_by_step_as_the_call_waits() -> None:
    relax = (SkillStep(30, 1), SkillStep(60, 2))
    state = hotline(QueuePolicy("repair", Strategy.SKILLS, skills={"repair": 3}, relax=relax), default="repair")
    state = staff(state, 1, at(0), {"repair": 1})
    state, events = run(state, [call("a", "repair")], at(0))
    assert offers(events) == []
    assert next_deadline(state, at(0)) == at(30)
    state, events = run(state, [Tick()], at(30))
    assert offers(events) == []  # level 2 needed now
    assert next_deadline(state, at(30)) == at(60)
    state, events = run(state, [Tick()], at(60))
    assert offers(events) == [("a", (1,))]  # level 1 is enough after a minute


def test_a_call_may_carry_its_own_skills() -> None:
    state = hotline(QueuePolicy("general", skills={"mandarin": 1}))
    state = staff(state, 1, at(0), {"mandarin": 2})
    state = staff(state, 2, at(1), {"mandarin": 2, "cantonese": 3})
    state, events = run(state, [call("a", skills={"cantonese": 2})], at(2))
    assert offers(events) == [("a", (2,))]


def test_ring_all_rings_every_eligible_agent_and_the_first_to_answer_takes_it() -> None:
    state = hotline(QueuePolicy("general", Strategy.RING_ALL))
    state = staff(staff(staff(state, 1, at(0)), 2, at(1)), 3, at(2))
    state, _ = run(state, [SetNotReady(3, "meeting")], at(2))
    state, events = run(state, [call("a")], at(3))
    assert offers(events) == [("a", (1, 2))]
    offer = next(e for e in events if isinstance(e, CallOffered))
    assert offer.seats == ("s1", "s2")
    state, events = run(state, [MarkNoAnswer("a", "CANCEL", "s1"), MarkAnswered("a", "s2")], at(5))
    assert state_of(state, 1) == ("ready", "")
    assert state_of(state, 2) == ("on_call", "")
    assert [e.agent_id for e in events if isinstance(e, CallAnswered)] == [2]
    assert state.offered == {}


def test_ring_all_answer_first_releases_the_others() -> None:
    state = hotline(QueuePolicy("general", Strategy.RING_ALL))
    state = staff(staff(state, 1, at(0)), 2, at(1))
    state, _ = run(state, [call("a"), MarkAnswered("a", "s1")], at(2))
    assert state_of(state, 1) == ("on_call", "")
    assert state_of(state, 2) == ("ready", "")
    state, events = run(state, [MarkNoAnswer("a", "CANCEL", "s2")], at(2))  # a late CANCEL changes nothing
    assert events == []


def test_ring_all_no_answer_sets_everyone_missed_and_the_call_keeps_its_place() -> None:
    state = hotline(QueuePolicy("general", Strategy.RING_ALL))
    state = staff(staff(state, 1, at(0)), 2, at(1))
    state, _ = run(state, [call("a"), call("b")], at(2))
    state, _events = run(state, [MarkNoAnswer("a", "NOANSWER", "s1"), MarkNoAnswer("a", "NOANSWER", "s2")], at(20))
    assert state_of(state, 1) == ("not_ready", "missed")
    assert state_of(state, 2) == ("not_ready", "missed")
    assert [c.linkedid for c in state.waiting_in_order()] == ["a", "b"]
    assert state.waiting["a"].missed_by == {1, 2}


# Overflow ---------------------------------------------------------------------------------------------


def test_a_call_overflows_to_another_queue_after_its_threshold() -> None:
    state = hotline(QueuePolicy("billing", overflow=(OverflowRule(45, "general"),)), QueuePolicy("general"))
    state = staff(state, 1, at(0), queues=["general"])
    state, events = run(state, [call("a", "billing")], at(0))
    assert offers(events) == []
    assert next_deadline(state, at(0)) == at(45)
    state, events = run(state, [Tick()], at(45))
    assert [(e.from_queue, e.to_queue) for e in events if isinstance(e, CallOverflowed)] == [("billing", "general")]
    assert offers(events) == [("a", (1,))]


def test_overflow_is_recorded_once_even_when_the_offer_comes_from_another_command() -> None:
    state = hotline(QueuePolicy("billing", overflow=(OverflowRule(10, "general"),)), QueuePolicy("general"))
    state, _ = run(state, [call("a", "billing")], at(0))
    state = staff(state, 1, at(12), queues=["general"])  # no tick in between: the agent's ready routes it
    state, events = run(state, [Tick()], at(13))
    assert events == []
    assert state.offered["a"].call.overflowed_to == ("general",)


# First-responder stickiness ---------------------------------------------------------------------------


def test_a_repeat_caller_goes_to_the_owner_when_the_owner_is_ready() -> None:
    state = staff(staff(hotline(), 1, at(0)), 2, at(1))
    state, events = run(state, [call("a", owner=2)], at(2))
    assert offers(events) == [("a", (2,))]  # agent 1 has waited longer, but agent 2 owns the matter


def test_a_repeat_caller_waits_for_a_busy_owner_then_goes_to_anyone() -> None:
    state = hotline(QueuePolicy("general", sticky_seconds=20))
    state = staff(staff(state, 1, at(0)), 2, at(1))
    state, _ = run(state, [SetNotReady(2, "meeting")], at(1))
    state, events = run(state, [call("a", owner=2), call("b")], at(2))
    assert offers(events) == [("b", (1,))]  # b is behind a but a is waiting for its owner
    assert next_deadline(state, at(2)) == at(22)
    state, _ = finish(state, "b", at(3))
    state, events = run(state, [Tick()], at(21))
    assert offers(events) == []
    state, events = run(state, [Tick()], at(22))
    assert offers(events) == [("a", (1,))]


def test_the_owner_coming_free_within_the_wait_takes_the_call() -> None:
    state = hotline(QueuePolicy("general", sticky_seconds=20))
    state = staff(staff(state, 1, at(0)), 2, at(1))
    state, _ = run(state, [SetNotReady(2, "meeting")], at(1))
    state, _ = run(state, [call("a", owner=2)], at(2))
    state, events = run(state, [SetReady(2)], at(10))
    assert offers(events) == [("a", (2,))]


def test_a_logged_out_owner_or_an_owner_who_missed_the_call_is_not_waited_for() -> None:
    state = hotline(QueuePolicy("general", sticky_seconds=60))
    state = staff(state, 1, at(0))
    state, events = run(state, [call("a", owner=9)], at(1))  # the owner is not logged in
    assert offers(events) == [("a", (1,))]
    state = staff(hotline(QueuePolicy("general", sticky_seconds=60)), 1, at(0))
    state = staff(state, 2, at(1))
    state, events = run(state, [call("b", owner=2)], at(2))
    assert offers(events) == [("b", (2,))]
    state, events = run(state, [MarkNoAnswer("b", "NOANSWER")], at(10))
    assert offers(events) == [("b", (1,))]


# Queue callbacks --------------------------------------------------------------------------------------


def test_a_callback_keeps_the_callers_place_and_survives_the_hang_up() -> None:
    state, _ = run(hotline(), [call("a"), call("b"), call("c")], at(0))
    state, events = run(state, [RequestCallback("b", "13911112222"), CallerGone("b")], at(30))
    requested = [e for e in events if isinstance(e, CallbackRequested)]
    assert [(e.linkedid, e.number, e.position) for e in requested] == [("b", "13911112222", 2)]
    assert [c.linkedid for c in state.waiting_in_order()] == ["a", "b", "c"]
    assert state.waiting["b"].is_callback and state.waiting["b"].channel == ""
    state = staff(state, 1, at(40))
    state, _ = finish(state, "a", at(41))
    state, _ = run(state, [Tick()], at(60))  # wrap-up over: the virtual caller's turn
    offered = state.offered["b"]
    assert offered.agent_ids == {1}
    state, events = run(state, [MarkAnswered("b", "s1")], at(62))
    answered = [e for e in events if isinstance(e, CallAnswered)]
    assert [(e.agent_id, e.callback) for e in answered] == [(1, True)]
    state, _ = run(state, [AgentLegGone("b", "s1")], at(120))
    assert state_of(state, 1) == ("wrap_up", "")
    assert [c.linkedid for c in state.waiting_in_order()] == ["c"]


def test_a_callback_the_agent_misses_goes_back_to_its_place() -> None:
    state, _ = run(hotline(), [call("a"), RequestCallback("a", "13911112222"), call("b")], at(0))
    state = staff(state, 1, at(5))
    assert state.offered["a"].call.callback_number == "13911112222"
    state, _ = run(state, [MarkNoAnswer("a", "NOANSWER", "s1"), CallerGone("a")], at(20))
    assert [c.linkedid for c in state.waiting_in_order()] == ["a", "b"]
    assert state_of(state, 1) == ("not_ready", "missed")


def test_a_callback_is_never_placed_twice() -> None:
    state, _ = run(hotline(), [call("a"), call("b")], at(0))
    state, events = run(state, [RequestCallback("a", "139"), RequestCallback("a", "139")], at(1))
    assert len([e for e in events if isinstance(e, CallbackRequested)]) == 1
    state, events = run(state, [RequestCallback("b", "139")], at(2))  # same number from another call
    assert [c.linkedid for c in state.waiting_in_order()] == ["a"]
    assert [e.position for e in events if isinstance(e, CallbackRequested)] == [1]


def test_a_callback_needs_a_waiting_call_and_a_number() -> None:
    state = staff(hotline(), 1, at(0))
    state, _ = run(state, [call("a")], at(1))  # offered at once
    with pytest.raises(NotFound):
        decide(state, RequestCallback("a", "139"), at(2))
    state, _ = run(hotline(), [call("b")], at(0))
    with pytest.raises(InvalidInput):
        decide(state, RequestCallback("b", "13x"), at(2))


# Emergency mode ---------------------------------------------------------------------------------------


def test_emergency_seats_take_calls_only_in_emergency_mode() -> None:
    state = staff(hotline(emergency_seats={"s9"}), 9, at(0))
    state, events = run(state, [call("a")], at(1))
    assert offers(events) == []
    state, events = run(state, [SetEmergency(True, actor_id=5, note="cold snap")], at(2))
    switched = [e for e in events if isinstance(e, EmergencyModeChanged)]
    assert [(e.on, e.actor_id, e.note, e.emergency_seats) for e in switched] == [(True, 5, "cold snap", ("s9",))]
    assert offers(events) == [("a", (9,))]
    state, events = run(state, [SetEmergency(True, actor_id=5)], at(3))
    assert events == []  # already on: nothing changes, nothing is logged twice


def test_emergency_only_queues_and_emergency_overflow() -> None:
    state = hotline(QueuePolicy("general", overflow=(OverflowRule(120, "leak"),),
                                emergency_overflow=(OverflowRule(10, "leak"),)),
                    QueuePolicy("leak", emergency_only=True))
    state, _ = run(state, [call("a", "leak")], at(0))
    assert state.waiting["a"].queue == "general"  # closed queue: the caller still reaches the hotline
    state, events = run(state, [SetEmergency(True)], at(1))
    assert [e.overflow for e in events if isinstance(e, EmergencyModeChanged)] == [("general>10>leak",)]
    state, _ = run(state, [call("b", "leak")], at(2))
    assert state.waiting["b"].queue == "leak"
    state = staff(state, 1, at(3), queues=["leak"])
    assert list(state.offered) == ["b"]
    state, _ = finish(state, "b", at(4))
    state, events = run(state, [Tick()], at(20))  # a has waited 20 s: over the emergency threshold
    assert offers(events) == [("a", (1,))]


# Agent states -----------------------------------------------------------------------------------------


def test_wrap_up_time_comes_from_the_calls_queue_and_can_be_extended() -> None:
    state = hotline(QueuePolicy("general", wrapup_seconds=5), QueuePolicy("complaint", wrapup_seconds=60))
    state = staff(state, 1, at(0))
    state, _ = run(state, [call("a", "complaint")], at(1))
    state, _ = finish(state, "a", at(2))
    assert state.agents[1].wrapup_until == at(62)
    state, events = run(state, [ExtendWrapUp(1, 30)], at(10))
    assert [e.until for e in events if isinstance(e, WrapUpExtended)] == [at(92)]
    assert state.agents[1].wrapup_until == at(92)
    with pytest.raises(InvalidInput):
        decide(state, ExtendWrapUp(1, 0), at(11))
    state, events = run(state, [Tick()], at(92))
    assert state_of(state, 1) == ("ready", "")


def test_wrap_up_cannot_be_extended_outside_wrap_up() -> None:
    state = staff(hotline(), 1, at(0))
    with pytest.raises(Exception, match="extend_wrapup is not allowed"):
        decide(state, ExtendWrapUp(1, 30), at(1))


def test_not_ready_needs_a_known_reason() -> None:
    state = staff(hotline(), 1, at(0))
    with pytest.raises(InvalidInput, match="unknown not-ready reason"):
        decide(state, SetNotReady(1, "napping"), at(1))
    state, events = run(state, [SetNotReady(1, "training")], at(2))
    assert [(e.to_state, e.reason) for e in events if isinstance(e, AgentStateChanged)] == [("not_ready",
                                                                                           "training")]


# The telephony link -----------------------------------------------------------------------------------


def test_an_offer_that_never_reached_asterisk_costs_nobody_anything() -> None:
    state = staff(staff(hotline(), 1, at(0)), 2, at(1))
    state, _ = run(state, [call("a"), call("b")], at(2))
    state, events = run(state, [MarkNoAnswer("a", "LINK_DOWN")], at(3))
    assert state_of(state, 1) == ("ready", "")  # not "missed": the seat never rang
    assert offers(events) == []  # nothing is offered while the link is down
    assert [c.linkedid for c in state.waiting_in_order()] == ["a"]
    state, events = run(state, [SetTelephonyLink(True)], at(5))
    assert offers(events) == [("a", (1,))]


def test_link_down_stops_offers_until_it_is_back() -> None:
    state = staff(hotline(), 1, at(0))
    state, _ = run(state, [SetTelephonyLink(False), call("a")], at(1))
    assert state.offered == {}
    state, events = run(state, [SetTelephonyLink(True)], at(2))
    assert offers(events) == [("a", (1,))]


# Views ------------------------------------------------------------------------------------------------


def test_position_and_estimated_wait() -> None:
    state = hotline(QueuePolicy("general", default_handle_seconds=120, callback_after_seconds=200),
                    QueuePolicy("billing"))
    state, _ = run(state, [call("a"), call("x", "billing"), call("b"), call("c", priority=1)], at(0))
    assert [position_in_queue(state, c) for c in ("c", "a", "b", "x")] == [1, 2, 3, 1]
    assert estimated_wait(state, "general", 2) is None  # nobody on duty: unknown
    status = call_status(state, "b", at(30))
    assert status is not None and status.offer_callback  # unknown wait: offer a callback
    state = staff(state, 3, at(1), queues=["general"])  # 3 takes c; a and b wait
    state, _ = run(state, [LogIn(4, "s4", {}, frozenset({"general"}))], at(1))  # not ready: not staffing
    assert estimated_wait(state, "general", 1) == 120.0
    status = call_status(state, "b", at(30))
    assert status is not None and (status.position, status.estimated_wait, status.waited) == (2, 240.0, 30.0)
    assert status.offer_callback
    summaries = {s.queue: s for s in queue_summaries(state, at(30))}
    assert (summaries["general"].waiting, summaries["general"].longest_wait, summaries["general"].staffed) == (
        2, 30.0, 1)
    assert call_status(state, "c", at(30)) is None  # with an agent: not waiting


def test_handle_time_estimate_learns_from_finished_calls() -> None:
    state = staff(hotline(QueuePolicy("general", wrapup_seconds=0, default_handle_seconds=100)), 1, at(0))
    state, _ = run(state, [call("a"), MarkAnswered("a")], at(0))
    state, _ = run(state, [AgentLegGone("a", "s1")], at(300))
    assert state.handle_seconds["general"] == pytest.approx(0.8 * 100 + 0.2 * 300)


# Reconciling with Asterisk ----------------------------------------------------------------------------


def test_reconcile_drops_calls_that_have_no_channel_any_more_and_frees_their_agents() -> None:
    state = staff(staff(hotline(), 1, at(0)), 2, at(0))
    state, _ = run(state, [call("talking"), call("ringing"), MarkAnswered("talking")], at(1))
    state, _ = run(state, [call("gone"), call("held"), call("cb"), RequestCallback("cb", "139")], at(2))
    state, events = run(state, [Reconcile(frozenset({"held"}))], at(3))
    assert state_of(state, 1) == ("wrap_up", "")  # its call ended while nobody was looking
    assert offers(events) == [("held", (2,))]  # agent 2 was freed from the vanished "ringing" call
    assert [c.linkedid for c in state.waiting_in_order()] == ["cb"]  # a callback has no channel: it stays


def test_reconcile_answers_an_offer_found_talking_at_its_seat() -> None:
    state = staff(staff(hotline(), 1, at(0)), 2, at(0))
    state, _ = run(state, [call("a")], at(1))
    (agent,) = state.offered["a"].agent_ids
    seat = state.agents[agent].seat
    assert seat is not None
    state, events = run(state, [Reconcile(frozenset({"a"}), as_of=at(5), talking={"a": seat})], at(6))
    assert state_of(state, agent)[0] == "on_call" and state.agents[agent].call == "a"
    assert [e.agent_id for e in events if isinstance(e, CallAnswered)] == [agent]
    assert "a" not in state.offered and "a" in state.connected


def test_an_offer_whose_outcome_never_arrives_expires_and_the_call_keeps_its_place() -> None:
    state = staff(staff(hotline(), 1, at(0)), 2, at(1))
    state, _ = run(state, [call("a")], at(2))
    assert next_deadline(state, at(2)) == at(62)
    state, events = run(state, [Tick()], at(62))
    assert state_of(state, 1) == ("not_ready", "missed")
    assert offers(events) == [("a", (2,))]


def test_a_callback_in_a_ring_all_queue_goes_to_one_agent() -> None:
    state = hotline(QueuePolicy("general", Strategy.RING_ALL))
    state, _ = run(state, [call("a"), RequestCallback("a", "139"), CallerGone("a")], at(0))
    state = staff(staff(state, 1, at(1)), 2, at(2))
    assert state.offered["a"].agent_ids == {1}
    state, events = run(state, [MarkNoAnswer("a", "NOANSWER", "s1")], at(20))
    assert offers(events) == [("a", (2,))]


def test_reconcile_leaves_alone_the_calls_that_arrived_after_the_channel_list_was_taken() -> None:
    state, _ = run(hotline(), [call("old")], at(0))
    state, _ = run(state, [call("new")], at(5))
    state, _ = run(state, [Reconcile(frozenset(), as_of=at(3))], at(6))
    assert [c.linkedid for c in state.waiting_in_order()] == ["new"]


def test_a_second_request_for_a_number_whose_callback_is_ringing_is_the_same_callback() -> None:
    state = staff(hotline(), 1, at(0))
    state, _ = run(state, [SetNotReady(1, "meal"), call("a"), RequestCallback("a", "139"), SetReady(1)], at(1))
    assert state.offered["a"].call.callback_number == "139"
    state, events = run(state, [call("b"), RequestCallback("b", "139")], at(2))
    assert [e.position for e in events if isinstance(e, CallbackRequested)] == [0]
    assert "b" not in state.waiting
    state, _ = run(state, [MarkNoAnswer("a", "NOANSWER", "s1")], at(20))
    assert [c.callback_number for c in state.waiting_in_order()] == ["139"]
