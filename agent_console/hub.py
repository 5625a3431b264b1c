"""The websocket hub: pushes call and agent events to the consoles that should see them.

An agent's consoles receive their own state changes and the screen pop for calls offered to them (at the
moment the seat rings), the progress of the calls they place (``outbound.*``) and their transfers;
supervisors and managers receive every agent state change, every transfer, their own supervision sessions
(``spy.*``) and, after ACD events, a ``wallboard`` snapshot (queues and agents) at most once per second. Wire
payloads are versioned: ``{"type": "call.offered", "v": 1, ...}``.

Handling an event never waits on a socket: each socket has its own writer (agent_console.socket_writer) and
the hub only queues the encoded message for it, so one slow console, the wallboard's size or a screen pop still
reading the account never holds up the next event for the others. A wallboard snapshot still waiting for a
slow socket is replaced by the newer one."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Protocol

from agent_console.socket_writer import CLOSE_TIMEOUT_SECONDS, OUTBOX_LIMIT, Message, Socket, SocketWriter
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
        self._writers: dict[Socket, SocketWriter] = {}

    def connect(self, agent_id: int, socket: Socket, supervisor: bool) -> None:
        """Starts the socket's writer (call from the event loop)."""
        self._writers[socket] = SocketWriter(socket, on_broken=lambda: self._forget(socket))
        self._agents[agent_id].add(socket)
        if supervisor:
            self._supervisors.add(socket)

    def disconnect(self, agent_id: int, socket: Socket) -> None:
        self._agents[agent_id].discard(socket)
        self._forget(socket)

    def reply(self, socket: Socket, payload: dict[str, Any]) -> None:
        """Sends ``payload`` to one connected socket, in order with what the hub sends it (the hello, a pong)."""
        self._send({socket}, payload)

    async def close(self, agent_id: int, socket: Socket, code: int, reason: str) -> None:
        """Closes ``socket`` once what is queued for it has been written (for at most a second)."""
        writer = self._writers.get(socket)
        if writer is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(writer.drained(), CLOSE_TIMEOUT_SECONDS)
        self.disconnect(agent_id, socket)
        await socket.close(code=code, reason=reason)

    async def settle(self) -> None:
        """Waits until every socket has been written everything queued so far."""
        await asyncio.gather(*(writer.drained() for writer in list(self._writers.values())))

    async def on_event(self, event: Event) -> None:
        """Queues what ``event`` means for each socket, then lets the writers run before the next event (the
        bus hands over a backlog without yielding: healthy sockets must not fill their outboxes meanwhile)."""
        self._route(event)
        await asyncio.sleep(0)

    def _route(self, event: Event) -> None:
        if isinstance(event, WALLBOARD_EVENTS):
            self._wallboard_changed()
        match event:
            case CallOffered(linkedid=str(linkedid)) if event.callback_number:
                self._pop(linkedid, event)  # a callback rings the seat by Originate: no DialBegin
            case CallOffered(linkedid=str(linkedid)):
                self._offers[linkedid] = event
            case AgentRinging(linkedid=str(linkedid)) if linkedid in self._offers:
                self._pop(linkedid, self._offers.pop(linkedid))
            case CallAnswered(linkedid=str(linkedid)):
                self._calls[linkedid] = (event.agent_id,)
            case OfferAnswered(linkedid=str(linkedid)) if linkedid in self._calls:
                self._send(self._sockets_of(self._calls[linkedid]), event.to_wire())
            case CallEnded(linkedid=str(linkedid)):
                self._offers.pop(linkedid, None)
                agent_ids = self._calls.pop(linkedid, None)
                if agent_ids is not None:
                    self._send(self._sockets_of(agent_ids), event.to_wire())
            case AgentStateChanged() | WrapUpExtended():
                self._send(self._agents[event.agent_id] | self._supervisors, event.to_wire())
            case EmergencyModeChanged() | CallbackRequested() | CallOverflowed():
                self._send(set(self._supervisors), event.to_wire())
            case CallTransferred():
                self._send(self._agents[event.agent_id] | self._supervisors, event.to_wire())
            case _:
                self._own_call(event)

    def _own_call(self, event: Event) -> None:
        """Outbound calls' progress to the agent who placed them; supervision sessions to their supervisor."""
        linkedid = event.linkedid or ""
        match event:
            case OutboundStarted() | SpyStarted():
                placed_by = event.agent_id if isinstance(event, OutboundStarted) else event.supervisor_id
                self._own[linkedid] = placed_by
                self._send(set(self._agents[placed_by]), event.to_wire())
            case OutboundFailed(agent_id=int(agent_id)):
                self._send(set(self._agents[agent_id]), event.to_wire())
            case OutboundAgentRinging() | OutboundCustomerRinging() | OutboundAnswered() | OutboundFailed() if (
                    linkedid in self._own):
                self._send(set(self._agents[self._own[linkedid]]), event.to_wire())
            case OutboundEnded() | SpyEnded() if linkedid in self._own:
                self._send(set(self._agents[self._own.pop(linkedid)]), event.to_wire())

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
            self._send(self._supervisors, snapshot, replaceable=True)

    def _pop(self, linkedid: str, offer: CallOffered) -> None:
        """The screen pop takes its place on the seats' sockets now and is written once the account is read:
        what follows it on those sockets waits for it, the next event does not."""
        agent_ids = offer.agent_ids or (offer.agent_id,)
        self._calls[linkedid] = agent_ids
        sockets = self._sockets_of(agent_ids)
        if sockets:
            pop = asyncio.get_running_loop().create_task(self._pop_text(offer), name=f"screen-pop:{linkedid}")
            for socket in sockets:
                self._put(socket, pop)

    async def _pop_text(self, offer: CallOffered) -> str | None:
        return encode(await self._pops.screen_pop(offer))

    def _sockets_of(self, agent_ids: tuple[int, ...]) -> set[Socket]:
        return set().union(*(self._agents[a] for a in agent_ids))

    def _send(self, sockets: set[Socket], payload: dict[str, Any], *, replaceable: bool = False) -> None:
        """Queues ``payload`` for every socket, encoded once (a wallboard to 200 supervisors is one encoding)."""
        if not sockets:
            return
        text = encode(payload)
        for socket in list(sockets):
            self._put(socket, text, replaceable=replaceable)

    def _put(self, socket: Socket, message: Message, *, replaceable: bool = False) -> None:
        writer = self._writers.get(socket)
        if writer is not None and not writer.put(message, replaceable=replaceable):
            log.warning("a console socket is %s messages behind: closing it (it reconnects)", OUTBOX_LIMIT)
            self._forget(socket)
            asyncio.get_running_loop().create_task(writer.give_up("too far behind"), name="console-give-up")

    def _forget(self, socket: Socket) -> None:
        """No more messages for ``socket``: disconnected, broken or given up."""
        writer = self._writers.pop(socket, None)
        if writer is not None:
            writer.stop()
        self._supervisors.discard(socket)
        for sockets in self._agents.values():
            sockets.discard(socket)


def encode(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
