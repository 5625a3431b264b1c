"""The ACD service: the one writer of routing state.

One task drains a queue of commands, feeds each to the pure core, publishes what the core decided, and
carries out the side effects through the :class:`CallConnector` port (AMI in production). Telephony facts
from the event bus become commands here; agents' requests from the console arrive with a future that
receives the outcome (or the error) of their command. Nothing polls: a command is decided the moment it
arrives, and the task sleeps until the next deadline (a wrap-up ending, a call overflowing) otherwise."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any, Protocol

from acd.commands import (
    AgentLegGone,
    CallerGone,
    Command,
    Enqueue,
    MarkAnswered,
    MarkNoAnswer,
    Reconcile,
    RegisterSeat,
    SetTelephonyLink,
    Tick,
)
from acd.core import AcdState, decide, next_deadline
from acd.policy import AcdPolicy
from kernel.agent_call_events import CallTransferred, OutboundEnded, OutboundStarted, SpyEnded, SpyStarted
from kernel.call_events import (
    AgentLegEnded,
    AgentStateChanged,
    CallEnded,
    CallOffered,
    CallQueued,
    ChannelsResynced,
    OfferAnswered,
    OfferFailed,
    SeatAvailability,
    TelephonyLinkChanged,
)
from kernel.clock import Clock
from kernel.errors import QingquanError
from kernel.events import Event, EventBus

log = logging.getLogger(__name__)


COMMAND_BATCH = 200  # commands decided in one turn of the event loop at most


class LinkDown(QingquanError):
    """The telephony link is down: the action never reached Asterisk."""

    code = "telephony_link_down"
    http_status = 503


class ChannelGone(QingquanError):
    """Asterisk no longer has the caller's channel: the caller hung up, and the hang-up has not reached the ACD
    yet (under load it may come much later)."""

    code = "channel_gone"
    http_status = 409


class CallConnector(Protocol):
    """Rings seats for a waiting caller, places queue callbacks and agents' own calls (agent first, then the
    customer), puts a transferred caller back on hold, and rings a supervisor's seat into an agent's call."""

    def offer(self, channel: str, seats: tuple[str, ...]) -> Awaitable[None]:
        """Sends the offer at once (raises LinkDown if it cannot); the awaitable gives its outcome."""
        ...

    async def call_back(self, linkedid: str, attempt: int, seat: str, number: str) -> bool:
        """Rings the seat; True once the agent answered (the customer is being dialled)."""
        ...

    async def dial_out(self, linkedid: str, seat: str, number: str) -> str:
        """Rings the agent's seat for their own call; "ANSWER" once answered (the customer is being dialled),
        else the seat's status (NOANSWER, BUSY, ...)."""
        ...

    async def supervise(self, linkedid: str, seat: str, agent_seat: str, mode: str) -> str:
        """Rings the supervisor's seat into the agent's call (ChanSpy in ``mode``); "ANSWER" or why not."""
        ...

    def hold(self, channel: str, queue: str, priority: int) -> Awaitable[None]:
        """Takes a caller from their bridge back to hold (a transfer to a queue): sent at once (raises LinkDown
        if it cannot), the awaitable gives its outcome."""
        ...


@dataclass
class _Pending:
    command: Command
    reply: asyncio.Future[AcdState] | None


StateListener = Callable[[AcdState], None]


class AcdService:
    def __init__(self, bus: EventBus, connector: CallConnector, clock: Clock, policy: AcdPolicy) -> None:
        self._bus = bus
        self._connector = connector
        self._clock = clock
        self.state = AcdState(policy=policy)
        self._commands: asyncio.Queue[_Pending] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._effects: set[asyncio.Task[None]] = set()
        self._callback_attempts: dict[str, int] = {}
        self._listeners: list[StateListener] = []

    def start(self, initial: AcdState | None = None) -> None:
        if initial is not None:
            self.state = replace_policy(initial, self.state.policy)
        self._bus.tap(self._on_event)
        self._task = asyncio.create_task(self._run(), name="acd")

    def on_change(self, listener: StateListener) -> None:
        """``listener`` is called with the new state after every decision that changed it."""
        self._listeners.append(listener)

    async def stop(self) -> None:
        self._bus.untap(self._on_event)  # a stopped service decides nothing more (a node may route again later)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for task in list(self._effects):
            task.cancel()
        await asyncio.gather(*self._effects, return_exceptions=True)

    async def execute(self, command: Command) -> AcdState:
        """Runs a command for a user and returns the state after it; raises the core's error if refused."""
        reply: asyncio.Future[AcdState] = asyncio.get_running_loop().create_future()
        self._commands.put_nowait(_Pending(command, reply))
        return await reply

    def submit(self, command: Command) -> None:
        """Queues a command whose outcome nobody waits for (telephony facts)."""
        self._commands.put_nowait(_Pending(command, None))

    def _on_event(self, event: Event) -> None:
        command = command_for(event)
        if command is not None:
            self.submit(command)

    async def _run(self) -> None:
        while True:
            if self._commands.empty():
                try:
                    pending = await asyncio.wait_for(self._commands.get(), self._seconds_to_deadline())
                except TimeoutError:
                    pending = _Pending(Tick(), None)
                self._handle(pending)
            # Every command already queued is decided before the next deadline's Tick: under load the queue
            # lags behind the event loop, and a seat's answer waiting in it must not lose to the offer's timer
            # (the agent would be marked missed while talking, and the call offered again). A due deadline is
            # then decided after each batch, so a steady stream of commands never starves the timers.
            for _ in range(COMMAND_BATCH):
                if self._commands.empty():
                    break
                self._handle(self._commands.get_nowait())
            due = self._seconds_to_deadline()
            if due is not None and due <= 0:
                self._handle(_Pending(Tick(), None))
            await asyncio.sleep(0)  # a long batch lets the rest of the app run

    def _seconds_to_deadline(self) -> float | None:
        now = self._clock.now()
        deadline = next_deadline(self.state, now)
        if deadline is None:
            return None
        return max(0.0, (deadline - now).total_seconds())

    def _handle(self, pending: _Pending) -> None:
        now = self._clock.now()
        try:
            new_state, events = decide(self.state, pending.command, now)
        except Exception as exc:  # the core refused: state unchanged, the requester learns why
            if pending.reply is not None and not pending.reply.done():
                pending.reply.set_exception(exc)
            else:
                log.warning("acd refused %s: %s", pending.command, exc)
            return
        # Only a listener needs to know whether anything changed; the comparison walks the whole state.
        changed = bool(self._listeners) and new_state != self.state
        self.state = new_state
        offered = {e.linkedid for e in events if isinstance(e, CallOffered)}
        for event in events:  # side effects first: the seat should ring as soon as possible
            if isinstance(event, CallOffered):
                self._carry_out(event)
            elif isinstance(event, CallTransferred) and event.to_queue and event.linkedid not in offered:
                self._hold(event)  # (offered in this decision already: that Redirect takes the caller there)
            elif isinstance(event, OutboundStarted | SpyStarted):
                self._start_effect(self._place_own_call(event))
        if pending.reply is not None and not pending.reply.done():
            pending.reply.set_result(self.state)
        for event in events:
            self._log_event(event)
            self._bus.publish(event)
        if changed:
            for listener in self._listeners:
                listener(self.state)

    def _log_event(self, event: Event) -> None:
        if isinstance(event, AgentStateChanged):
            log.info("agent %s %s -[%s]-> %s call=%s", event.agent_id, event.from_state,
                     event.reason or "-", event.to_state, event.linkedid)
        elif isinstance(event, CallOffered):
            log.info("call %s offered to agent(s) %s at %s%s", event.linkedid, event.agent_ids or event.agent_id,
                     ",".join(event.seats) or event.seat,
                     f" (callback to {event.callback_number})" if event.callback_number
                     else " (decided in the IVR: its dialplan dials)" if event.direct
                     else f" (transferred by agent {event.transferred_by})" if event.transferred_by else "")
        else:
            log.info("acd %s %s", event.wire_type, event.linkedid or "")

    def _start_effect(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._effects.add(task)
        task.add_done_callback(self._effects.discard)

    def _carry_out(self, offer: CallOffered) -> None:
        """Sends the offer to Asterisk now, inside the decision; a task awaits the outcome."""
        assert offer.linkedid is not None
        if offer.callback_number is not None:
            self._start_effect(self._call_back(offer, offer.linkedid, offer.callback_number))
            return
        if offer.direct:  # the IVR hands the seat(s) to the caller's dialplan; an offer that never rings
            return        # expires as any other whose outcome never arrives (policy.offer_timeout_seconds)
        try:
            outcome = self._connector.offer(offer.channel, offer.seats or (offer.seat,))
        except LinkDown as exc:
            self._offer_failed(offer, exc)
            return
        self._start_effect(self._await_offer(offer, outcome))

    async def _await_offer(self, offer: CallOffered, outcome: Awaitable[None]) -> None:
        try:
            await outcome
        except Exception as exc:
            self._offer_failed(offer, exc)

    def _offer_failed(self, offer: CallOffered, exc: Exception) -> None:
        assert offer.linkedid is not None
        if isinstance(exc, LinkDown):  # nobody missed anything: the call keeps its place until the link is back
            log.warning("offer of %s not sent, telephony link down: %s", offer.linkedid, exc)
            self.submit(MarkNoAnswer(offer.linkedid, "LINK_DOWN"))
        elif isinstance(exc, ChannelGone):  # the caller is gone: nobody missed anything, the agents are free
            log.warning("offer of %s to %s: the caller has gone (%s)", offer.linkedid, offer.seat, exc)
            self.submit(CallerGone(offer.linkedid))
        else:  # the caller keeps their place; the offer is treated as missed
            log.warning("offer of %s to %s failed: %s", offer.linkedid, offer.seat, exc)
            self.submit(MarkNoAnswer(offer.linkedid, "REDIRECT_FAILED"))

    async def _call_back(self, offer: CallOffered, linkedid: str, number: str) -> None:
        attempt = self._callback_attempts.get(linkedid, 0) + 1
        self._callback_attempts[linkedid] = attempt
        try:
            answered = await self._connector.call_back(linkedid, attempt, offer.seat, number)
        except LinkDown:
            self.submit(MarkNoAnswer(linkedid, "LINK_DOWN"))
            return
        except Exception as exc:
            log.warning("callback %s via %s failed: %s", linkedid, offer.seat, exc)
            answered = False
        if answered:
            self._callback_attempts.pop(linkedid, None)
            self.submit(MarkAnswered(linkedid, offer.seat))
        else:
            self.submit(MarkNoAnswer(linkedid, "NOANSWER", offer.seat))

    def _hold(self, event: CallTransferred) -> None:
        priority = state_priority(self.state, event.linkedid)
        try:
            outcome = self._connector.hold(event.channel, event.queue, priority)
        except LinkDown as exc:
            log.warning("transfer of %s to %s not sent, telephony link down: %s", event.linkedid, event.queue, exc)
            return
        self._start_effect(self._await_hold(event, outcome))

    async def _await_hold(self, event: CallTransferred, outcome: Awaitable[None]) -> None:
        try:
            await outcome
        except Exception as exc:  # the caller is still in line: a later offer's Redirect reaches them
            log.warning("transfer of %s to queue %s: hold Redirect failed: %s", event.linkedid, event.queue, exc)

    async def _place_own_call(self, event: OutboundStarted | SpyStarted) -> None:
        """An agent's outbound call or a supervisor's session: their seat rings; the outcome goes back in."""
        assert event.linkedid is not None
        try:
            if isinstance(event, OutboundStarted):
                status = await self._connector.dial_out(event.linkedid, event.seat, event.number)
            else:
                status = await self._connector.supervise(event.linkedid, event.seat, event.agent_seat, event.mode)
        except LinkDown:
            status = "LINK_DOWN"
        except Exception as exc:
            log.warning("%s %s at %s failed: %s", event.wire_type, event.linkedid, event.seat, exc)
            status = "FAILED"
        if status == "ANSWER":
            self.submit(MarkAnswered(event.linkedid, event.seat))
        else:
            self.submit(MarkNoAnswer(event.linkedid, status, event.seat))


def state_priority(state: AcdState, linkedid: str | None) -> int:
    call = state.waiting.get(linkedid or "")
    return call.priority if call is not None else 0


def replace_policy(state: AcdState, policy: AcdPolicy) -> AcdState:
    """A state restored from elsewhere runs under this node's policy."""
    return replace(state, policy=policy)


def command_for(event: Event) -> Command | None:
    """Translates a telephony fact into the ACD command it implies (None when it implies none)."""
    match event:
        case CallQueued(linkedid=str(linkedid)):
            return Enqueue(linkedid=linkedid, channel=event.channel, queue=event.queue, priority=event.priority,
                           account_number=event.account_number, caller_number=event.caller_number,
                           ivr_path=event.ivr_path, owner_agent=event.owner_agent, held=event.held)
        case OfferAnswered(linkedid=str(linkedid)):
            return MarkAnswered(linkedid, event.seat)
        case OfferFailed(linkedid=str(linkedid)):
            return MarkNoAnswer(linkedid, event.status, event.seat)
        case CallEnded(linkedid=str(linkedid)):
            return CallerGone(linkedid)
        case AgentLegEnded(linkedid=str(linkedid)) | OutboundEnded(linkedid=str(linkedid)) | SpyEnded(
                linkedid=str(linkedid)):
            return AgentLegGone(linkedid, event.seat)
        case SeatAvailability():
            return RegisterSeat(event.seat, event.registered)
        case TelephonyLinkChanged():
            return SetTelephonyLink(event.up)
        case ChannelsResynced():
            return Reconcile(frozenset(event.live), as_of=event.at, talking=event.seat_talking())
    return None
