"""The FastAGI server: panoramisk's Application and Request, with the header reader guarded.

panoramisk 1.4 reads the AGI headers in a loop that never ends if the socket closes early, and swallows
cancellation; this server reads the headers itself (bounded in time and size), rejects unknown scripts,
and hands each call to an ``async def`` route with a panoramisk Request."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from panoramisk.fast_agi import Application, Request

log = logging.getLogger(__name__)

Route = Callable[[Request], Awaitable[None]]
MAX_HEADER_BYTES = 16_384


class AgiHeaderError(ValueError):
    pass


def parse_agi_headers(raw: bytes) -> dict[str, str]:
    """``agi_name: value`` lines up to the blank line; anything else is an error."""
    text = raw.decode("utf-8", errors="replace")
    headers: dict[str, str] = {}
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if not line:
            break
        name, sep, value = line.partition(":")
        if not sep or not name.startswith("agi_"):
            raise AgiHeaderError(f"not an AGI header line: {line[:80]!r}")
        headers[name] = value.strip()
    if "agi_network_script" not in headers:
        raise AgiHeaderError("no agi_network_script header")
    return headers


async def read_agi_headers(reader: asyncio.StreamReader, timeout: float) -> dict[str, str]:
    async def read() -> bytes:
        buffer = b""
        while b"\n\n" not in buffer.replace(b"\r\n", b"\n"):
            chunk = await reader.read(4096)
            if not chunk:
                raise AgiHeaderError("connection closed before the AGI headers ended")
            buffer += chunk
            if len(buffer) > MAX_HEADER_BYTES:
                raise AgiHeaderError("AGI headers too long")
        return buffer

    return parse_agi_headers(await asyncio.wait_for(read(), timeout))


class FastAgiServer(Application):  # type: ignore[misc]
    def __init__(self, host: str, port: int, header_timeout: float) -> None:
        super().__init__(loop=asyncio.get_running_loop())
        self.host = host
        self.port = port
        self.header_timeout = header_timeout
        self._server: asyncio.Server | None = None
        self._calls: set[asyncio.Task[Any]] = set()

    def add_route(self, path: str, endpoint: Route) -> None:
        if not asyncio.iscoroutinefunction(endpoint):
            raise TypeError("FastAGI routes must be async def (panoramisk 1.4 cannot wrap plain functions)")
        super().add_route(path, endpoint)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self.handler, self.host, self.port)
        log.info("FastAGI listening on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._calls):
            task.cancel()
        await asyncio.gather(*self._calls, return_exceptions=True)

    async def handler(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._calls.add(task)
        try:
            await self._serve(reader, writer)
        finally:
            if task is not None:
                self._calls.discard(task)
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        try:
            headers = await read_agi_headers(reader, self.header_timeout)
        except (AgiHeaderError, TimeoutError) as exc:
            log.warning("FastAGI request from %s rejected: %s", peer, exc)
            return
        script = headers["agi_network_script"]
        route = self._route.get(script)
        if route is None:
            log.error("FastAGI: no route for %r", script)
            return
        request = Request(app=self, headers=headers, reader=reader, writer=writer)
        try:
            await route(request)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            log.info("FastAGI %s: connection ended (%s)", script, exc)
        except Exception:
            log.exception("FastAGI route %s failed", script)
