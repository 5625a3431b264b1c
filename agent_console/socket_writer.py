"""One writer task per console socket, so that the hub never waits on a socket.

The hub puts each message in the socket's outbox (agent_console.outbox) and goes on to the next event; the
socket's own task writes them in order. A slow console therefore delays nobody but itself, and a console that
falls ``limit`` messages behind is given up (the hub closes it; the console reconnects and re-reads its state).
A message may be a task still building its text (the screen pop reads the account): the writer waits for it
in its place, so what follows it on that socket waits too, and nothing else does."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Protocol

from agent_console.outbox import Outbox

log = logging.getLogger(__name__)

# A socket more messages behind than this cannot keep up (at the busiest, tens of messages a second).
OUTBOX_LIMIT = 500
CLOSE_TIMEOUT_SECONDS = 1.0
TRY_AGAIN_LATER = 1013  # the websocket close code of a console given up for falling behind

Message = str | asyncio.Future[str | None]  # text, or the text once built (None: nothing to send)


class Socket(Protocol):
    async def send_text(self, data: str) -> None: ...

    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


class SocketWriter:
    def __init__(self, socket: Socket, on_broken: Callable[[], None], limit: int = OUTBOX_LIMIT) -> None:
        """``on_broken`` is called (once) when this socket can no longer be written to."""
        self._socket = socket
        self._on_broken = on_broken
        self._outbox: Outbox[Message] = Outbox(limit)
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="console-writer")

    def put(self, message: Message, *, replaceable: bool = False) -> bool:
        """Queues ``message``; False when the socket is too far behind or already given up."""
        if self._task.done() or not self._outbox.put(message, replaceable=replaceable):
            return False
        self._idle.clear()
        self._wake.set()
        return True

    async def drained(self) -> None:
        """Returns once everything put so far has been written (or the writer has ended)."""
        await self._idle.wait()

    def stop(self) -> None:
        self._task.cancel()
        self._idle.set()

    async def give_up(self, reason: str) -> None:
        """Stops writing and closes the socket (best effort: a socket whose peer reads nothing may not even take
        the close frame; the keepalive ping ends it then)."""
        self.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._socket.close(TRY_AGAIN_LATER, reason), CLOSE_TIMEOUT_SECONDS)

    async def _run(self) -> None:
        while True:
            message = self._outbox.take()
            if message is None:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            text = message if isinstance(message, str) else await self._built(message)
            if text is None:
                continue
            try:
                await self._socket.send_text(text)
            except Exception as exc:  # the socket is closed or broken: nothing more can go out on it
                log.info("console socket send failed: %s", exc)
                self._idle.set()
                self._on_broken()
                return

    @staticmethod
    async def _built(message: asyncio.Future[str | None]) -> str | None:
        try:
            return await asyncio.shield(message)  # a pop to several seats: one cancelled writer is not all
        except Exception:  # best effort: that one message is lost, the socket goes on
            log.warning("a console message could not be built", exc_info=True)
            return None
