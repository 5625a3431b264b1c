"""The ACD service: the one writer of routing state.

One task drains a queue of commands, feeds each to the pure core, publishes what the core decided, and
carries out the side effects through the :class:`CallConnector` port (AMI in production). Telephony facts
from the event bus become commands here; agents' requests from the console arrive with a future that
receives the outcome (or the error) of their command."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

from acd.core import (
    AcdState,
    AgentLegGone,
    CallerGone,
    Command,
    Enqueue,
    MarkAnswered,
    MarkNoAnswer,
    RegisterSeat,
    Tick,
    decide,
    next_deadline,
)
from kernel.call_events import (
    AgentLegEnded,
    AgentStateChanged,
    CallEnded,
    CallOffered,
    CallQueued,
    OfferAnswered,
    OfferFailed,
    SeatAvailability,
)
from kernel.clock import Clock
from kernel.events import Event, EventBus

log = logging.getLogger(__name__)


class CallConnector(Protocol):
    """Connects a waiting caller's channel to a seat phone (rings the seat)."""

    async def offer(self, channel: str, seat: str) -> None: ...


@dataclass
class _Pending:
    command: Command
    reply: asyncio.Future[AcdState] | None


class AcdService:
    def __init__(self, bus: EventBus, connector: CallConnector, clock: Clock, *, wrapup_seconds: float) -> None:
        self._bus = bus
        self._connector = connector
        self._clock = clock
        self.state = AcdState(wrapup_seconds=wrapup_seconds)
        self._commands: asyncio.Queue[_Pending] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._effects: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._bus.subscribe("acd", self._on_event)
        self._task = asyncio.create_task(self._run(), name="acd")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for task in list(self._effects):
            task.cancel()
        await asyncio.gather(*self._effects, return_exceptions=True)

    async def execute(self, command: Command) -> AcdState:
        """Runs a command for a user and returns the state after it; raises the core's error if refused."""
        reply: asyncio.Future[AcdState] = asyncio.get_running_loop().create_future()
        await self._commands.put(_Pending(command, reply))
        return await reply

    def submit(self, command: Command) -> None:
        """Queues a command whose outcome nobody waits for (telephony facts)."""
        self._commands.put_nowait(_Pending(command, None))

    async def _on_event(self, event: Event) -> None:
        command = command_for(event)
        if command is not None:
            self.submit(command)

    async def _run(self) -> None:
        while True:
            timeout = self._seconds_to_deadline()
            try:
                pending = await asyncio.wait_for(self._commands.get(), timeout)
            except TimeoutError:
                pending = _Pending(Tick(), None)
            self._handle(pending)

    def _seconds_to_deadline(self) -> float | None:
        deadline = next_deadline(self.state)
        if deadline is None:
            return None
        return max(0.0, (deadline - self._clock.now()).total_seconds())

    def _handle(self, pending: _Pending) -> None:
        now = self._clock.now()
        try:
            self.state, events = decide(self.state, pending.command, now)
        except Exception as exc:  # the core refused: state unchanged, the requester learns why
            if pending.reply is not None and not pending.reply.done():
                pending.reply.set_exception(exc)
            else:
                log.warning("acd refused %s: %s", pending.command, exc)
            return
        if pending.reply is not None and not pending.reply.done():
            pending.reply.set_result(self.state)
        for event in events:
            self._log_event(event)
            self._bus.publish(event)
            if isinstance(event, CallOffered):
                self._start_effect(self._offer(event))

    def _log_event(self, event: Event) -> None:
        if isinstance(event, AgentStateChanged):
            log.info("agent %s %s -[%s]-> %s call=%s", event.agent_id, event.from_state,
                     event.reason or "-", event.to_state, event.linkedid)
        elif isinstance(event, CallOffered):
            log.info("call %s offered to agent %s at %s", event.linkedid, event.agent_id, event.seat)

    def _start_effect(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._effects.add(task)
        task.add_done_callback(self._effects.discard)

    async def _offer(self, offer: CallOffered) -> None:
        try:
            await self._connector.offer(offer.channel, offer.seat)
        except Exception as exc:  # the caller keeps their place; the offer is treated as missed
            log.warning("offer of %s to %s failed: %s", offer.linkedid, offer.seat, exc)
            assert offer.linkedid is not None
            self.submit(MarkNoAnswer(offer.linkedid, "REDIRECT_FAILED"))


def command_for(event: Event) -> Command | None:
    """Translates a telephony fact into the ACD command it implies (None when it implies none)."""
    match event:
        case CallQueued(linkedid=str(linkedid)):
            return Enqueue(linkedid=linkedid, channel=event.channel, queue=event.queue, priority=event.priority,
                           account_number=event.account_number, caller_number=event.caller_number,
                           ivr_path=event.ivr_path)
        case OfferAnswered(linkedid=str(linkedid)):
            return MarkAnswered(linkedid)
        case OfferFailed(linkedid=str(linkedid)):
            return MarkNoAnswer(linkedid, event.status)
        case CallEnded(linkedid=str(linkedid)):
            return CallerGone(linkedid)
        case AgentLegEnded(linkedid=str(linkedid)):
            return AgentLegGone(linkedid, event.seat)
        case SeatAvailability():
            return RegisterSeat(event.seat, event.registered)
    return None
