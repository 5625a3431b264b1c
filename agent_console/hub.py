"""The websocket hub: pushes call and agent events to the consoles that should see them.

An agent's consoles receive their own state changes and the screen pop for calls offered to them (at the
moment the seat rings); supervisors and managers receive every agent state change. Wire payloads are
versioned: ``{"type": "call.offered", "v": 1, ...}``."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Any, Protocol

from kernel.call_events import AgentRinging, AgentStateChanged, CallEnded, CallOffered, OfferAnswered
from kernel.events import Event

log = logging.getLogger(__name__)


class Socket(Protocol):
    async def send_json(self, data: Any) -> None: ...


class ScreenPop(Protocol):
    async def screen_pop(self, offer: CallOffered) -> dict[str, Any]: ...


class ConsoleHub:
    def __init__(self, pops: ScreenPop) -> None:
        self._pops = pops
        self._agents: dict[int, set[Socket]] = defaultdict(set)
        self._supervisors: set[Socket] = set()
        self._offers: dict[str, CallOffered] = {}  # linkedid -> offer awaiting its ringing event
        self._calls: dict[str, int] = {}  # linkedid -> agent

    def connect(self, agent_id: int, socket: Socket, supervisor: bool) -> None:
        self._agents[agent_id].add(socket)
        if supervisor:
            self._supervisors.add(socket)

    def disconnect(self, agent_id: int, socket: Socket) -> None:
        self._agents[agent_id].discard(socket)
        self._supervisors.discard(socket)

    async def on_event(self, event: Event) -> None:
        match event:
            case CallOffered(linkedid=str(linkedid)):
                self._offers[linkedid] = event
            case AgentRinging(linkedid=str(linkedid)) if linkedid in self._offers:
                offer = self._offers.pop(linkedid)
                self._calls[linkedid] = offer.agent_id
                pop = await self._pops.screen_pop(offer)
                await self._send(self._agents[offer.agent_id], pop)
            case OfferAnswered(linkedid=str(linkedid)) if linkedid in self._calls:
                await self._send(self._agents[self._calls[linkedid]], event.to_wire())
            case CallEnded(linkedid=str(linkedid)):
                self._offers.pop(linkedid, None)
                agent_id = self._calls.pop(linkedid, None)
                if agent_id is not None:
                    await self._send(self._agents[agent_id], event.to_wire())
            case AgentStateChanged():
                await self._send(self._agents[event.agent_id] | self._supervisors, event.to_wire())

    async def _send(self, sockets: set[Socket], payload: dict[str, Any]) -> None:
        results = await asyncio.gather(*(s.send_json(payload) for s in list(sockets)), return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):
                log.info("console socket send failed: %s", result)
