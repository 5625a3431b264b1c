"""What happens to a call in the ACD: it joins the line, may become a callback, is answered or missed at a
seat, overflows, leaves; and what a reconnect to Asterisk reveals. Each function changes one decision in
progress (:class:`acd.state.Work`). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from acd.agents import Agent, AgentState
from acd.commands import Enqueue, RequestCallback
from acd.routing import overflow_queues
from acd.state import HANDLE_TIME_WEIGHT, WaitingCall, Work
from acd.views import position_of
from kernel.call_events import CallAnswered, CallbackRequested, CallOverflowed
from kernel.errors import InvalidInput, NotFound


def known(w: Work, linkedid: str) -> bool:
    return linkedid in w.waiting or linkedid in w.offered or w.holder(linkedid) is not None


NOT_DIALLED = "NOT_DIALLED"  # a direct offer's status when its caller went to hold instead of dialling


def enqueue(w: Work, cmd: Enqueue) -> bool:
    """True if the call joined the line (False: it was known already)."""
    if known(w, cmd.linkedid):
        return False  # a resync or a repeated event: the call keeps its place
    policy = w.policy.queue(cmd.queue)
    queue = policy.name
    if policy.emergency_only and not w.emergency:
        queue = w.policy.default_queue
        policy = w.policy.queue(queue)
    w.add_waiting(WaitingCall(
        linkedid=cmd.linkedid, channel=cmd.channel, queue=queue, enqueued_at=w.now, seq=w.next_seq,
        priority=cmd.priority, account_number=cmd.account_number, caller_number=cmd.caller_number,
        ivr_path=cmd.ivr_path, skills=dict(policy.skills if cmd.skills is None else cmd.skills),
        owner_agent=cmd.owner_agent))
    w.next_seq += 1
    return True


def request_callback(w: Work, cmd: RequestCallback) -> None:
    linkedid, number = cmd.linkedid, cmd.number
    if cmd.queue is not None and not known(w, linkedid):
        enqueue(w, Enqueue(linkedid=linkedid, channel="", queue=cmd.queue, account_number=cmd.account_number,
                           caller_number=number, ivr_path=cmd.ivr_path))
    call = w.waiting.get(linkedid)
    if call is None:
        raise NotFound(f"call {linkedid} is not waiting in a queue")
    if not number.isdigit():
        raise InvalidInput("a callback number is digits only")
    if call.is_callback:
        return  # asked twice: one callback
    pending = (*w.waiting.values(), *(offer.call for offer in w.offered.values()))
    twin = next((c for c in pending if c.callback_number == number and c.linkedid != linkedid), None)
    if twin is not None:  # this number already has a callback in line or ringing: keep that one, call once
        w.remove_waiting(linkedid)
        call = twin
    else:
        call = replace(call, channel="", callback_number=number)
        w.waiting[linkedid] = call
    w.events.append(CallbackRequested(at=w.now, linkedid=linkedid, number=number, queue=call.queue,
                                      position=position_of(w.waiting, w.line, call) or 0))  # 0: being placed


def answered(w: Work, linkedid: str, seat: str) -> None:
    offer = w.offered.get(linkedid)
    if offer is None:
        return
    ringing = [w.agents[i] for i in sorted(offer.agent_ids)]
    taker = next((a for a in ringing if not seat or a.seat == seat), None)
    if taker is None:
        return
    del w.offered[linkedid]
    w.connected[linkedid] = offer.call  # kept while they talk: the agent may transfer the call
    w.move(taker.agent_id, "answer", call=linkedid)
    for other in ringing:
        if other.agent_id != taker.agent_id:
            w.move(other.agent_id, "released", linkedid=linkedid)
    w.events.append(CallAnswered(at=w.now, linkedid=linkedid, agent_id=taker.agent_id, seat=taker.seat or "",
                                 queue=offer.call.queue, waited_seconds=offer.call.waited(w.now),
                                 callback=offer.call.is_callback))


def no_answer(w: Work, linkedid: str, status: str, seat: str) -> None:
    offer = w.offered.get(linkedid)
    if offer is None:
        return
    failed = frozenset(i for i in offer.agent_ids if not seat or w.agents[i].seat == seat)
    if not failed:
        return
    remaining = offer.agent_ids - failed
    call = offer.call
    # CANCEL: the caller hung up while the seats rang. LINK_DOWN: the offer never reached Asterisk.
    # NOT_DIALLED: a direct offer the caller's dialplan never dialled. Nobody missed anything and the agents
    # are free again.
    if status in ("CANCEL", "LINK_DOWN", NOT_DIALLED):
        for agent_id in sorted(failed):
            w.move(agent_id, "released", linkedid=linkedid)
        if status == "LINK_DOWN":
            w.link_up = False
    else:
        for agent_id in sorted(failed):
            w.move(agent_id, "no_answer", reason="missed", linkedid=linkedid)
        call = replace(call, missed_by=call.missed_by | failed)
    if remaining:
        w.offered[linkedid] = replace(offer, call=call, agent_ids=remaining)
        return
    del w.offered[linkedid]
    if status != "CANCEL" or call.is_callback:
        w.add_waiting(call)  # the call keeps its place in line


def withdraw_direct_offer(w: Work, linkedid: str) -> None:
    """The holding context queued a call whose direct offer is still out with no seat to dial: the IVR gave up
    waiting for the ACD's answer (it came too late, under load) and sent the caller to hold, so the seats were
    never rung. The agents go back to ready, not missed, and the call keeps its place in line."""
    offer = w.offered.get(linkedid)
    if offer is not None and offer.direct:
        no_answer(w, linkedid, NOT_DIALLED, "")


def caller_gone(w: Work, linkedid: str) -> None:
    waiting = w.waiting.get(linkedid)
    if waiting is not None:
        if not waiting.is_callback:  # a virtual caller stays in line after the real one hangs up
            w.remove_waiting(linkedid)
        return
    offer = w.offered.get(linkedid)
    if offer is not None:
        if offer.call.is_callback:
            return  # the original caller's hang-up says nothing about the callback in progress
        del w.offered[linkedid]
        for agent_id in sorted(offer.agent_ids):
            w.move(agent_id, "released", linkedid=linkedid)
        return
    agent = w.holder(linkedid)
    if agent is not None and agent.state == AgentState.ON_CALL:
        call_over(w, agent)


def reconcile(w: Work, live: frozenset[str], as_of: datetime, talking: Mapping[str, str]) -> None:
    for linkedid, seat in talking.items():  # answered while the link was down (or the app away)
        if linkedid in w.offered and not w.offered[linkedid].call.is_callback:
            answered(w, linkedid, seat)
    for call in list(w.waiting.values()):
        if call.linkedid not in live and not call.is_callback and call.enqueued_at <= as_of:
            w.remove_waiting(call.linkedid)
    for linkedid, offer in list(w.offered.items()):
        if linkedid not in live and not offer.call.is_callback and offer.at <= as_of:
            caller_gone(w, linkedid)
    for agent in list(w.agents.values()):
        if (agent.state == AgentState.ON_CALL and agent.call not in live and agent.answered_at is not None
                and agent.answered_at <= as_of):
            call_over(w, agent)


def call_over(w: Work, agent: Agent) -> None:
    """The agent's part of their call is over: wrap-up (an outbound call has no queue: the default queue's)."""
    if agent.call is not None:
        w.connected.pop(agent.call, None)
    queue = agent.call_queue or w.policy.default_queue
    wrapup = w.policy.queue(queue).wrapup_seconds
    if agent.answered_at is not None and agent.call_queue is not None:  # a queue's handle time: its calls only
        handled = (w.now - agent.answered_at).total_seconds() + wrapup
        previous = w.handle_seconds.get(queue, w.policy.queue(queue).default_handle_seconds)
        average = (1 - HANDLE_TIME_WEIGHT) * previous + HANDLE_TIME_WEIGHT * handled
        w.handle_seconds = {**w.handle_seconds, queue: average}
    w.move(agent.agent_id, "call_over", wrapup_seconds=wrapup)


def release_finished_wrapups(w: Work) -> None:
    for agent in list(w.agents.values()):
        if agent.state == AgentState.WRAP_UP and agent.wrapup_until is not None and agent.wrapup_until <= w.now:
            w.move(agent.agent_id, "wrapup_done")


def expire_offers(w: Work) -> None:
    limit = timedelta(seconds=w.policy.offer_timeout_seconds)
    for linkedid, offer in list(w.offered.items()):
        if offer.at + limit <= w.now:
            no_answer(w, linkedid, "OFFER_TIMEOUT", "")


def record_overflows(w: Work) -> None:
    for key in w.line:
        call = w.waiting[key[2]]
        note_overflow(w, call)


def note_overflow(w: Work, call: WaitingCall) -> WaitingCall:
    reached = overflow_queues(w.policy, call.queue, call.waited(w.now), w.emergency)
    new = tuple(q for q in reached if q not in call.overflowed_to)
    if not new:
        return call
    for to_queue in new:
        w.events.append(CallOverflowed(at=w.now, linkedid=call.linkedid, from_queue=call.queue,
                                       to_queue=to_queue, waited_seconds=call.waited(w.now)))
    updated = replace(call, overflowed_to=call.overflowed_to + new)
    if call.linkedid in w.waiting:
        w.waiting[call.linkedid] = updated
    return updated
