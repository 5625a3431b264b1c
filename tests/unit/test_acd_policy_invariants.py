"""Invariants of the ACD core under random command sequences with every policy feature at once: several
queues (longest idle, fewest calls, skills with relaxation, ring-all), overflow, first-responder owners,
queue callbacks (from held callers, and from callers the IVR found a queue closed for: a callback is placed
only while its queue is open), emergency seats, the telephony link going down and up, and calls the IVR
hands over for an offer at once (direct), and agents' own calls: click-to-call, transfers (to a ready agent
or back in line) and supervision sessions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from acd.agents import AgentState
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
    RequestCallback,
    SetEmergency,
    SetNotReady,
    SetReady,
    SetTelephonyLink,
    StartSpy,
    Tick,
    Transfer,
)
from acd.core import AcdState, decide
from acd.hours import OpeningHours, week_from
from acd.policy import AcdPolicy, OverflowRule, QueuePolicy, SkillStep, Strategy
from acd.snapshot import from_snapshot, to_snapshot
from kernel.agent_call_events import SPY_MODES, CallTransferred
from kernel.call_events import AgentStateChanged, CallOffered
from kernel.errors import QingquanError
from kernel.events import Event

T0 = datetime(2026, 1, 1, tzinfo=UTC)
AGENTS = (1, 2, 3, 4)
SEATS = {1: "s1", 2: "s2", 3: "s3", 4: "e4"}  # e4 is an emergency seat
QUEUES = ("general", "billing", "repair", "small")
STATUSES = ("NOANSWER", "BUSY", "CHANUNAVAIL", "CANCEL", "REDIRECT_FAILED", "LINK_DOWN")

POLICY = AcdPolicy(queues={
    "general": QueuePolicy("general", wrapup_seconds=3, overflow=(OverflowRule(20, "billing"),)),
    "billing": QueuePolicy("billing", Strategy.SKILLS, 2, {"billing": 3}, (SkillStep(10, 1), SkillStep(20, 3))),
    "repair": QueuePolicy("repair", Strategy.FEWEST_CALLS, 0, emergency_overflow=(OverflowRule(5, "general"),),
                          hours=OpeningHours(week_from({"mon-sun": ["00:02-24:00"]}))),  # opens 2 minutes in
    "small": QueuePolicy("small", Strategy.RING_ALL, 1, sticky_seconds=8),
}, emergency_seats=frozenset({"e4"}))


class PolicyMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state = AcdState(policy=POLICY)
        self.now = T0
        self.count = 0
        self.live: set[str] = set()  # calls that must be somewhere: waiting or ringing (not yet answered)

    @initialize()
    def seats_registered(self) -> None:
        for seat in SEATS.values():
            self.step(RegisterSeat(seat, True), 0)

    def step(self, command: Command, dt: int) -> list[Event]:
        self.now += timedelta(seconds=dt)
        before = self.state
        try:
            self.state, events = decide(self.state, command, self.now)
        except QingquanError:
            assert self.state is before
            return []
        self.check_offers(before, events)
        return events

    def check_offers(self, before: AcdState, events: list[Event]) -> None:
        """Every agent offered a call was ready (never not ready), on a registered seat, and on an emergency
        seat only in emergency mode."""
        became_offered = {e.agent_id: e.from_state for e in events
                          if isinstance(e, AgentStateChanged) and e.to_state == "offered"}
        for event in events:
            if isinstance(event, CallOffered):
                assert event.linkedid in self.live
                for agent_id in event.agent_ids:
                    assert became_offered[agent_id] == "ready"
                    seat = self.state.agents[agent_id].seat
                    assert seat in self.state.registered_seats
                    assert self.state.emergency or seat not in POLICY.emergency_seats
                    assert agent_id not in self.state.offered[event.linkedid].call.missed_by
                if event.callback_number is not None:
                    assert POLICY.is_open(event.queue, self.now)

    def pick_call(self, data: st.DataObject) -> str:
        known = sorted(self.live | {a.call for a in self.state.agents.values() if a.call}) or ["none"]
        return data.draw(st.sampled_from(known))

    @rule(agent_id=st.sampled_from(AGENTS), billing=st.integers(0, 5), dt=st.integers(0, 3),
          queues=st.sets(st.sampled_from(QUEUES), max_size=2))
    def log_in_and_ready(self, agent_id: int, billing: int, dt: int, queues: set[str]) -> None:
        self.step(LogIn(agent_id, SEATS[agent_id], {"billing": billing}, frozenset(queues)), dt)
        self.step(SetReady(agent_id), 0)

    @rule(agent_id=st.sampled_from(AGENTS), choice=st.sampled_from(("ready", "meal", "out")), dt=st.integers(0, 3))
    def agent_changes(self, agent_id: int, choice: str, dt: int) -> None:
        command = {"ready": SetReady(agent_id), "meal": SetNotReady(agent_id, "meal"), "out": LogOut(agent_id)}
        self.step(command[choice], dt)

    @rule(queue=st.sampled_from(QUEUES), priority=st.integers(0, 2), owner=st.sampled_from((None, 1, 2, 9)),
          dt=st.integers(0, 4))
    def enqueue(self, queue: str, priority: int, owner: int | None, dt: int) -> None:
        self.count += 1
        linkedid = f"c{self.count}"
        self.live.add(linkedid)
        self.step(Enqueue(linkedid, f"PJSIP/trunk-{self.count}", queue, priority, owner_agent=owner), dt)

    @rule(queue=st.sampled_from(QUEUES), owner=st.sampled_from((None, 1, 2, 9)), dt=st.integers(0, 4))
    def enqueue_direct(self, queue: str, owner: int | None, dt: int) -> None:
        """The IVR hands a call over: offered at once (the dialplan dials) or not kept (hold enqueues it)."""
        self.count += 1
        linkedid = f"c{self.count}"
        self.live.add(linkedid)
        waiting_before = set(self.state.waiting)
        events = self.step(Enqueue(linkedid, f"PJSIP/trunk-{self.count}", queue, owner_agent=owner, direct=True),
                           dt)
        assert linkedid not in self.state.waiting
        offered = [e for e in events if isinstance(e, CallOffered) and e.linkedid == linkedid]
        if linkedid in self.state.offered:
            assert self.state.offered[linkedid].direct and len(offered) == 1 and offered[0].direct
        else:
            assert offered == []
            self.live.discard(linkedid)
        assert all(not e.direct for e in events if isinstance(e, CallOffered) and e.linkedid != linkedid)
        assert waiting_before - set(self.state.waiting) <= set(self.state.offered)  # only routed away

    @rule(data=st.data(), dt=st.integers(0, 4))
    def callback(self, data: st.DataObject, dt: int) -> None:
        linkedid = self.pick_call(data)
        number = data.draw(st.sampled_from(("1390001", "1390002", "1390003")))
        pending = (*self.state.waiting.values(), *(o.call for o in self.state.offered.values()))
        twin = next((c.linkedid for c in pending if c.callback_number == number and c.linkedid != linkedid), None)
        waiting = self.state.waiting.get(linkedid)
        merges = twin is not None and waiting is not None and not waiting.is_callback  # asked twice: kept
        events = self.step(RequestCallback(linkedid, number), dt)
        if events and merges:
            self.live.discard(linkedid)  # merged into the callback already in line for that number

    @rule(queue=st.sampled_from(QUEUES), number=st.sampled_from(("1390001", "1390002", "1390003")),
          dt=st.integers(0, 4))
    def night_callback(self, queue: str, number: str, dt: int) -> None:
        """A caller the IVR found the queue closed for asks to be called back: a virtual caller joins the line."""
        self.count += 1
        linkedid = f"n{self.count}"
        pending = (*self.state.waiting.values(), *(o.call for o in self.state.offered.values()))
        twin = any(c.callback_number == number for c in pending)
        self.live.add(linkedid)
        events = self.step(RequestCallback(linkedid, number, queue=queue), dt)
        if not events or twin:
            self.live.discard(linkedid)  # merged into the callback already in line for that number

    @rule(data=st.data(), dt=st.integers(0, 4))
    def answer(self, data: st.DataObject, dt: int) -> None:
        linkedid = self.pick_call(data)
        offer = self.state.offered.get(linkedid)
        seat = data.draw(st.sampled_from(["", *(SEATS[a] for a in sorted(offer.agent_ids))])) if offer else ""
        self.step(MarkAnswered(linkedid, seat), dt)
        if offer is not None:
            self.live.discard(linkedid)

    @rule(data=st.data(), status=st.sampled_from(STATUSES), dt=st.integers(0, 4))
    def no_answer(self, data: st.DataObject, status: str, dt: int) -> None:
        linkedid = self.pick_call(data)
        offer = self.state.offered.get(linkedid)
        seat = data.draw(st.sampled_from(["", *(SEATS[a] for a in sorted(offer.agent_ids))])) if offer else ""
        self.step(MarkNoAnswer(linkedid, status, seat), dt)
        if (offer is not None and status == "CANCEL" and not offer.call.is_callback
                and linkedid not in self.state.offered):
            self.live.discard(linkedid)  # the caller left while the seats rang

    @rule(data=st.data(), dt=st.integers(0, 4))
    def caller_gone(self, data: st.DataObject, dt: int) -> None:
        linkedid = self.pick_call(data)
        was_callback = (linkedid in self.state.waiting and self.state.waiting[linkedid].is_callback) or (
            linkedid in self.state.offered and self.state.offered[linkedid].call.is_callback)
        self.step(CallerGone(linkedid), dt)
        if not was_callback:
            self.live.discard(linkedid)

    @rule(data=st.data(), dt=st.integers(0, 4))
    def agent_hangs_up(self, data: st.DataObject, dt: int) -> None:
        linkedid = self.pick_call(data)
        holder = next((a for a in self.state.agents.values() if a.call == linkedid), None)
        self.step(AgentLegGone(linkedid, holder.seat if holder and holder.seat else "s1"), dt)

    @rule(data=st.data(), dt=st.integers(0, 4))
    def reconcile(self, data: st.DataObject, dt: int) -> None:
        known = sorted(self.live | {a.call for a in self.state.agents.values() if a.call})
        alive = frozenset(data.draw(st.sets(st.sampled_from(known))) if known else set())
        callbacks = {c.linkedid for c in self.state.waiting.values() if c.is_callback} | {
            k for k, o in self.state.offered.items() if o.call.is_callback}
        self.step(Reconcile(alive), dt)
        self.live = {c for c in self.live if c in alive or c in callbacks}

    @rule(agent_id=st.sampled_from(AGENTS[:3]), dt=st.integers(0, 4))
    def an_agent_takes_a_call(self, agent_id: int, dt: int) -> None:
        """The agent comes to work if they were not, and a new call for the general queue is answered where it
        rang: agents on calls (to transfer, to listen to) are more frequent with this one."""
        self.step(SetTelephonyLink(True), dt)
        if self.state.agents.get(agent_id) is None or self.state.agents[agent_id].state.value == "logged_out":
            self.log_in_and_ready(agent_id, 0, 0, set())
        self.enqueue("general", 0, None, 0)
        linkedid = f"c{self.count}"
        if linkedid in self.state.offered:
            self.step(MarkAnswered(linkedid), 0)
            self.live.discard(linkedid)

    @rule(agent_id=st.sampled_from(AGENTS), dt=st.integers(0, 4))
    def dial_out(self, agent_id: int, dt: int) -> None:
        self.count += 1
        self.step(DialOut(agent_id, f"qqo-{self.count}", "+8613900000001"), dt)

    @rule(data=st.data(), dt=st.integers(0, 4))
    def transfer(self, data: st.DataObject, dt: int) -> None:
        """An agent on a call hands it to another agent (ready now) or to a queue; either way it is a live call
        again (waiting or ringing) until answered."""
        talking = sorted(a.agent_id for a in self.state.agents.values() if a.state == AgentState.ON_CALL)
        agent_id = data.draw(st.sampled_from(talking or list(AGENTS)))
        to_agent = data.draw(st.sampled_from((None, *AGENTS)))
        to_queue = None if to_agent is not None else data.draw(st.sampled_from(QUEUES))
        linkedid = self.state.agents[agent_id].call if agent_id in self.state.agents else None
        was_live = linkedid in self.live
        if linkedid is not None:
            self.live.add(linkedid)  # where a transfer puts it, before the step checks its offer
        events = self.step(Transfer(agent_id, to_agent_id=to_agent, to_queue=to_queue), dt)
        if linkedid is not None and not was_live and not any(isinstance(e, CallTransferred) for e in events):
            self.live.discard(linkedid)

    @rule(data=st.data(), mode=st.sampled_from(SPY_MODES), dt=st.integers(0, 4))
    def spy(self, data: st.DataObject, mode: str, dt: int) -> None:
        talking = sorted(a.agent_id for a in self.state.agents.values() if a.state == AgentState.ON_CALL)
        agent_id = data.draw(st.sampled_from(talking or list(AGENTS)))
        supervisor = data.draw(st.sampled_from([a for a in AGENTS if a != agent_id]))
        self.count += 1
        self.step(StartSpy(supervisor, agent_id, mode, f"qqs-{self.count}"), dt)

    @rule(on=st.booleans(), dt=st.integers(0, 4))
    def emergency(self, on: bool, dt: int) -> None:
        self.step(SetEmergency(on), dt)

    @rule(up=st.booleans(), dt=st.integers(0, 4))
    def link(self, up: bool, dt: int) -> None:
        self.step(SetTelephonyLink(up), dt)

    @rule(dt=st.integers(1, 15))
    def tick(self, dt: int) -> None:
        self.step(Tick(), dt)

    @invariant()
    def no_call_is_lost_and_each_is_in_one_place(self) -> None:
        waiting, offered = set(self.state.waiting), set(self.state.offered)
        assert not waiting & offered
        assert waiting | offered == self.live
        assert [k[2] for k in self.state.line] == [c.linkedid for c in self.state.waiting_in_order()]
        assert sorted(k[2] for k in self.state.line) == sorted(waiting)

    @invariant()
    def agents_and_offers_match(self) -> None:
        ringing = {a.agent_id: a.call for a in self.state.agents.values() if a.state == AgentState.OFFERED}
        from_offers = {agent_id: linkedid for linkedid, offer in self.state.offered.items()
                       for agent_id in offer.agent_ids}
        assert ringing == from_offers
        talking = [a.call for a in self.state.agents.values() if a.state == AgentState.ON_CALL]
        assert len(talking) == len(set(talking))  # a call is answered by one agent
        assert set(self.state.connected) <= set(talking)  # kept for a transfer only while answered
        own = [a.call for a in self.state.agents.values()
               if a.state in (AgentState.DIALING, AgentState.SUPERVISING)]
        assert not set(own) & (set(self.state.waiting) | set(self.state.offered) | set(talking))
        for offer in self.state.offered.values():
            if POLICY.queue(offer.call.queue).strategy != Strategy.RING_ALL:
                assert len(offer.agent_ids) == 1  # one agent at a time, except ring-all

    @invariant()
    def seats_are_not_shared(self) -> None:
        seats = [a.seat for a in self.state.agents.values() if a.state != AgentState.LOGGED_OUT]
        assert len(seats) == len(set(seats))

    @invariant()
    def one_callback_per_number_in_line(self) -> None:
        pending = (*self.state.waiting.values(), *(o.call for o in self.state.offered.values()))
        numbers = [c.callback_number for c in pending if c.callback_number]
        assert len(numbers) == len(set(numbers))


    @invariant()
    def the_snapshot_round_trips_through_json(self) -> None:
        restored = from_snapshot(json.loads(json.dumps(to_snapshot(self.state))), AcdState(policy=POLICY))
        assert restored == self.state


PolicyMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None,
                                           suppress_health_check=[HealthCheck.too_slow])
TestPolicyInvariants = PolicyMachine.TestCase
