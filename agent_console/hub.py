"""The websocket hub: pushes call and agent events to the consoles that should see them.

An agent's consoles receive their own state changes and the screen pop for calls offered to them (at the
moment the seat rings), the progress of the calls they place (``outbound.*``) and their transfers;
supervisors and managers receive every agent state change, every transfer, their own supervision sessions
(``spy.*``) and, after ACD events, a ``wallboard`` snapshot (queues and agents) at most once per second. Wire
payloads are versioned: ``{"type": "call.offered", "v": 1, ...}``."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Protocol

from agent_console.wallboard import WALLBOARD_EVENTS, WallboardPacer
from kernel.agent_call_events import (
    CallTransferred,
    OutboundAgentRinging,
    OutboundAnswered,
    OutboundCustomerRinging,
    OutboundEnded,
    OutboundFailed,
    OutboundStarted,
    SpyEnded,
    SpyStarted,
)
from kernel.call_events import (
    AgentRinging,
    AgentStateChanged,
    CallAnswered,
    CallbackRequested,
    CallEnded,
    CallOffered,
    CallOverflowed,
    EmergencyModeChanged,
    OfferAnswered,
    WrapUpExtended,
)
from kernel.events import Event

log = logging.getLogger(__name__)


class Socket(Protocol):
    async def send_text(self, data: str) -> None: ...


class ScreenPop(Protocol):
    async def screen_pop(self, offer: CallOffered) -> dict[str, Any]: ...


class ConsoleHub:
    def __init__(self, pops: ScreenPop, wallboard: Callable[[], dict[str, Any] | None] | None = None,
                 wallboard_interval: float = 1.0) -> None:
        """``wallboard`` returns the current wallboard snapshot (None while there is none to give)."""
        self._pops = pops
        self._wallboard = wallboard
        self._pacer = WallboardPacer(interval=wallboard_interval)
        self._wallboard_task: asyncio.Task[None] | None = None
        self._agents: dict[int, set[Socket]] = defaultdict(set)
        self._supervisors: set[Socket] = set()
        self._offers: dict[str, CallOffered] = {}  # linkedid -> offer awaiting its ringing event
        self._calls: dict[str, tuple[int, ...]] = {}  # linkedid -> the agents its seat(s) rang for
        self._own: dict[str, int] = {}  # an outbound call or a supervision session -> the agent who placed it

    def connect(self, agent_id: int, socket: Socket, supervisor: bool) -> None:
        self._agents[agent_id].add(socket)
        if supervisor:
            self._supervisors.add(socket)

    def disconnect(self, agent_id: int, socket: Socket) -> None:
        self._agents[agent_id].discard(socket)
        self._supervisors.discard(socket)

    async def on_event(self, event: Event) -> None:
        if isinstance(event, WALLBOARD_EVENTS):
            self._wallboard_changed()
        match event:
            case CallOffered(linkedid=str(linkedid)) if event.callback_number:
                await self._pop(linkedid, event)  # a callback rings the seat by Originate: no DialBegin
            case CallOffered(linkedid=str(linkedid)):
                self._offers[linkedid] = event
            case AgentRinging(linkedid=str(linkedid)) if linkedid in self._offers:
                await self._pop(linkedid, self._offers.pop(linkedid))
            case CallAnswered(linkedid=str(linkedid)):
                self._calls[linkedid] = (event.agent_id,)
            case OfferAnswered(linkedid=str(linkedid)) if linkedid in self._calls:
                await self._send(self._sockets_of(self._calls[linkedid]), event.to_wire())
            case CallEnded(linkedid=str(linkedid)):
                self._offers.pop(linkedid, None)
                agent_ids = self._calls.pop(linkedid, None)
                if agent_ids is not None:
                    await self._send(self._sockets_of(agent_ids), event.to_wire())
            case AgentStateChanged() | WrapUpExtended():
                await self._send(self._agents[event.agent_id] | self._supervisors, event.to_wire())
            case EmergencyModeChanged() | CallbackRequested() | CallOverflowed():
                await self._send(set(self._supervisors), event.to_wire())
            case CallTransferred():
                await self._send(self._agents[event.agent_id] | self._supervisors, event.to_wire())
            case _:
                await self._own_call(event)

    async def _own_call(self, event: Event) -> None:
        """Outbound calls' progress to the agent who placed them; supervision sessions to their supervisor."""
        linkedid = event.linkedid or ""
        match event:
            case OutboundStarted() | SpyStarted():
                placed_by = event.agent_id if isinstance(event, OutboundStarted) else event.supervisor_id
                self._own[linkedid] = placed_by
                await self._send(set(self._agents[placed_by]), event.to_wire())
            case OutboundFailed(agent_id=int(agent_id)):
                await self._send(set(self._agents[agent_id]), event.to_wire())
            case OutboundAgentRinging() | OutboundCustomerRinging() | OutboundAnswered() | OutboundFailed() if (
                    linkedid in self._own):
                await self._send(set(self._agents[self._own[linkedid]]), event.to_wire())
            case OutboundEnded() | SpyEnded() if linkedid in self._own:
                await self._send(set(self._agents[self._own.pop(linkedid)]), event.to_wire())

    def _wallboard_changed(self) -> None:
        if self._wallboard is None or not self._supervisors:
            return
        loop = asyncio.get_running_loop()
        due = self._pacer.event(loop.time())
        if due is not None:
            self._wallboard_task = loop.create_task(self._send_wallboard(due), name="wallboard")

    async def _send_wallboard(self, due: float) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(0.0, due - loop.time()))
        self._pacer.sent(loop.time())
        assert self._wallboard is not None
        try:
            snapshot = self._wallboard()
        except Exception:  # best effort: the next event tries again
            log.warning("wallboard snapshot failed", exc_info=True)
            return
        if snapshot is not None:
            await self._send(set(self._supervisors), snapshot)

    async def _pop(self, linkedid: str, offer: CallOffered) -> None:
        agent_ids = offer.agent_ids or (offer.agent_id,)
        self._calls[linkedid] = agent_ids
        pop = await self._pops.screen_pop(offer)
        await self._send(self._sockets_of(agent_ids), pop)

    def _sockets_of(self, agent_ids: tuple[int, ...]) -> set[Socket]:
        return set().union(*(self._agents[a] for a in agent_ids))

    async def _send(self, sockets: set[Socket], payload: dict[str, Any]) -> None:
        """Sends ``payload`` to every socket, encoded once (a wallboard to 200 supervisors is one encoding)."""
        if not sockets:
            return
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        results = await asyncio.gather(*(s.send_text(text) for s in list(sockets)), return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):
                log.info("console socket send failed: %s", result)
