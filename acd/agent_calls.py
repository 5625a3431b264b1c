"""Calls an agent places or moves from the console, and supervision. Pure: each function changes one decision
in progress (:class:`acd.state.Work`) or raises and changes nothing.

- Click-to-call (:func:`dial_out`): the agent (ready or not ready) goes ``dialing`` while their own seat rings
  (an Originate), ``on_call`` once they answer (the dialplan then dials the customer), ``wrap_up`` when their
  leg ends; a seat that does not answer leaves them not ready ("missed"). They are never offered a queue call
  meanwhile.
- Transfer (:func:`transfer`): the agent on an answered call hands it to another agent, who must be ready now
  (offered at once), or to a queue (back in line ahead of every call the IVR queued, FIFO among transfers).
  The agent who transferred goes to wrap-up and is never offered that call again.
- Supervision (:func:`start_spy`): a supervisor on a registered seat, not busy, listens to, whispers to or
  barges into an agent's answered call; their seat is ``supervising`` until their leg ends, then not ready."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

from acd.agents import Agent, AgentState
from acd.commands import DialOut, StartSpy, Transfer
from acd.lifecycle import call_over
from acd.state import Offer, WaitingCall, Work
from kernel.agent_call_events import SPY_MODES, CallTransferred, OutboundFailed, OutboundStarted, SpyStarted
from kernel.call_events import CallOffered
from kernel.errors import Conflict, InvalidInput, NotFound, Unavailable

# A number an agent may dial: digits, "+" allowed in front, 3 to 20 digits.
DIAL_NUMBER = re.compile(r"\+?[0-9]{3,20}")
# A call transferred to a queue is served before every call the IVR queued (their priorities are small).
TRANSFER_PRIORITY = 1000


class TelephonyDown(Unavailable):
    """The link to Asterisk is down: a call placed or moved now would never reach it."""

    code = "telephony_link_down"


def _link_up(w: Work) -> None:
    if not w.link_up:
        raise TelephonyDown("the link to the telephone system is down; try again in a moment")


class NotLoggedIn(Conflict):
    code = "agent_not_logged_in"


class SeatNotRegistered(Conflict):
    code = "seat_not_registered"


class AgentNotOnCall(Conflict):
    code = "agent_not_on_call"


class NotTransferable(Conflict):
    code = "call_not_transferable"


class TransferTargetNotReady(Conflict):
    code = "transfer_target_not_ready"


def _on_seat(w: Work, agent_id: int) -> tuple[Agent, str]:
    """The agent, logged in on a registered seat, and the seat."""
    agent = w.agents.get(agent_id)
    if agent is None or agent.seat is None or agent.state == AgentState.LOGGED_OUT:
        raise NotLoggedIn(f"user {agent_id} is not logged in on a seat: bind a seat first (PUT /api/agent/seat)")
    if agent.seat not in w.registered_seats:
        raise SeatNotRegistered(f"seat {agent.seat} is not registered: its phone must be on line")
    return agent, agent.seat


# Click-to-call ---------------------------------------------------------------------------------------------


def dial_out(w: Work, cmd: DialOut) -> None:
    if not DIAL_NUMBER.fullmatch(cmd.number):
        raise InvalidInput("a number is 3 to 20 digits, with + allowed in front")
    _, seat = _on_seat(w, cmd.agent_id)
    _link_up(w)
    if w.holder(cmd.linkedid) is not None or cmd.linkedid in w.waiting:
        raise Conflict(f"call {cmd.linkedid} exists already")
    w.move(cmd.agent_id, "dial_out", call=cmd.linkedid)
    w.events.append(OutboundStarted(at=w.now, linkedid=cmd.linkedid, agent_id=cmd.agent_id, seat=seat,
                                    number=cmd.number, work_order_id=cmd.work_order_id,
                                    callback_id=cmd.callback_id, account_number=cmd.account_number))


def _placing(w: Work, linkedid: str, seat: str) -> Agent | None:
    """The agent whose own outbound call or supervision session this is, while their seat rings or talks."""
    agent = w.holder(linkedid)
    if agent is None or agent.state not in (AgentState.DIALING, AgentState.SUPERVISING):
        return None
    return agent if not seat or agent.seat == seat else None


def seat_answered(w: Work, linkedid: str, seat: str) -> None:
    """The agent answered their own outbound call (the customer is dialled now); for a supervision session
    nothing changes."""
    agent = _placing(w, linkedid, seat)
    if agent is not None and agent.state == AgentState.DIALING:
        w.move(agent.agent_id, "answer", call=linkedid)


def seat_failed(w: Work, linkedid: str, status: str, seat: str) -> None:
    """The agent's seat did not answer their own outbound call (or supervision session)."""
    agent = _placing(w, linkedid, seat)
    if agent is None:
        return
    if agent.state == AgentState.SUPERVISING:
        w.move(agent.agent_id, "spy_over", reason="supervision", linkedid=linkedid)
        return
    w.move(agent.agent_id, "dial_failed", reason="missed", linkedid=linkedid)
    w.events.append(OutboundFailed(at=w.now, linkedid=linkedid, cause=f"agent_{status.lower()}"[:24],
                                   agent_id=agent.agent_id))


def leg_gone(w: Work, agent: Agent) -> None:
    """The seat's leg of a supervision session ended (an outbound call's ends through ``call_over``)."""
    if agent.state == AgentState.SUPERVISING:
        w.move(agent.agent_id, "spy_over", reason="supervision")


def reconcile_own_calls(w: Work, live: frozenset[str], as_of: datetime) -> None:
    """After a reconnect: a seat's own call (outbound, or a supervision session) with no channel left ended
    unseen."""
    for agent in list(w.agents.values()):
        if (agent.state in (AgentState.DIALING, AgentState.SUPERVISING) and agent.call is not None
                and agent.call not in live and agent.since is not None and agent.since <= as_of):
            seat_failed(w, agent.call, "GONE", "")


def expire_dialing(w: Work) -> None:
    """An outbound call whose seat's outcome never arrived (events lost in a reconnect or a takeover) fails
    after the offer timeout, as an offer would."""
    limit = timedelta(seconds=w.policy.offer_timeout_seconds)
    for agent in list(w.agents.values()):
        if agent.state == AgentState.DIALING and agent.since is not None and agent.since + limit <= w.now:
            assert agent.call is not None
            seat_failed(w, agent.call, "TIMEOUT", "")


# Transfer --------------------------------------------------------------------------------------------------


def transfer(w: Work, cmd: Transfer) -> None:
    """Hands the agent's call on; the agent's part ends as if they had hung up (wrap-up, handle time)."""
    if (cmd.to_agent_id is None) == (cmd.to_queue is None):
        raise InvalidInput("transfer to one agent or to one queue")
    agent = w.agent(cmd.agent_id)
    if agent.state != AgentState.ON_CALL or agent.call is None:
        raise AgentNotOnCall(f"agent {cmd.agent_id} is not on a call")
    call = w.connected.get(agent.call)
    if call is None or not call.channel:
        raise NotTransferable("only a caller who came in through the hotline can be transferred "
                              "(not an outbound call or a queue callback)")
    target = _transfer_target(w, cmd) if cmd.to_agent_id is not None else None
    queue = cmd.to_queue or call.queue
    if cmd.to_queue is not None and cmd.to_queue not in w.policy.queues:
        raise NotFound(f"unknown queue {cmd.to_queue}")
    _link_up(w)
    call_over(w, agent)
    if w.policy.queue(queue).emergency_only and not w.emergency:
        queue = w.policy.default_queue  # as for a caller the IVR queues (lifecycle.enqueue)
    policy = w.policy.queue(queue)
    moved = replace(call, queue=queue, priority=max(call.priority, TRANSFER_PRIORITY), enqueued_at=w.now,
                    seq=w.next_seq, skills=dict(policy.skills) if cmd.to_queue else call.skills, owner_agent=None,
                    missed_by=call.missed_by | {cmd.agent_id}, overflowed_to=())
    w.next_seq += 1
    w.events.append(CallTransferred(at=w.now, linkedid=call.linkedid, agent_id=cmd.agent_id,
                                    seat=agent.seat or "", to_agent_id=cmd.to_agent_id, to_queue=cmd.to_queue,
                                    queue=queue, channel=call.channel))
    if target is None:
        w.add_waiting(moved)  # routed at the end of this decision, like any call in line
        return
    # the transferring agent chose this colleague: an earlier missed offer of the call no longer bars them
    _offer_transfer(w, replace(moved, missed_by=moved.missed_by - {target.agent_id}), target, cmd.agent_id)


def _transfer_target(w: Work, cmd: Transfer) -> Agent:
    assert cmd.to_agent_id is not None
    if cmd.to_agent_id == cmd.agent_id:
        raise InvalidInput("an agent cannot transfer a call to themselves")
    target = w.agents.get(cmd.to_agent_id)
    if (target is None or target.state != AgentState.READY or target.seat not in w.registered_seats
            or not w.policy.seat_open(target.seat, w.emergency)):
        raise TransferTargetNotReady(f"agent {cmd.to_agent_id} is not ready to take a call now; "
                                     "transfer to a queue instead")
    return target


def _offer_transfer(w: Work, call: WaitingCall, target: Agent, by: int) -> None:
    w.offered[call.linkedid] = Offer(call, frozenset({target.agent_id}), w.now)
    w.move(target.agent_id, "offer", call=call.linkedid, call_queue=call.queue)
    assert target.seat is not None
    w.events.append(CallOffered(
        at=w.now, linkedid=call.linkedid, agent_id=target.agent_id, seat=target.seat, channel=call.channel,
        queue=call.queue, account_number=call.account_number, caller_number=call.caller_number,
        ivr_path=call.ivr_path, agent_ids=(target.agent_id,), seats=(target.seat,), transferred_by=by))


# Supervision -----------------------------------------------------------------------------------------------


def start_spy(w: Work, cmd: StartSpy) -> None:
    if cmd.mode not in SPY_MODES:
        raise InvalidInput(f"mode is one of {', '.join(SPY_MODES)}")
    if cmd.supervisor_id == cmd.agent_id:
        raise InvalidInput("a supervisor cannot listen to their own call")
    target = w.agents.get(cmd.agent_id)
    if target is None or target.state != AgentState.ON_CALL or target.call is None or target.seat is None:
        raise AgentNotOnCall(f"agent {cmd.agent_id} is not on a call")
    _, seat = _on_seat(w, cmd.supervisor_id)  # the supervisor listens on their own phone
    _link_up(w)
    w.move(cmd.supervisor_id, "spy", call=cmd.linkedid)
    w.events.append(SpyStarted(at=w.now, linkedid=cmd.linkedid, supervisor_id=cmd.supervisor_id, seat=seat,
                               agent_id=cmd.agent_id, agent_seat=target.seat, call_linkedid=target.call,
                               mode=cmd.mode))
