"""The FastAGI server: panoramisk's Application and Request, with the header and result readers guarded.

panoramisk 1.4 reads the AGI headers in a loop that never ends if the socket closes early, and swallows
cancellation; this server reads the headers itself (bounded in time, size and count), rejects unknown scripts,
and hands each call to an ``async def`` route with a :class:`GuardedRequest`. panoramisk's own Request turns
a closed socket, a line that is not an AGI result or bytes that are not UTF-8 into ValueError or
UnicodeDecodeError deep in the IVR; the guarded one raises :class:`AgiConnectionClosed` or
:class:`AgiProtocolError`, reads lines of at most ``MAX_LINE_BYTES`` and a bounded number of ``100 Trying``
lines."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from panoramisk.fast_agi import Application, Request
from panoramisk.utils import parse_agi_result

log = logging.getLogger(__name__)

Route = Callable[[Request], Awaitable[None]]
MAX_HEADER_BYTES = 16_384
MAX_HEADERS = 100  # Asterisk sends about 25, plus one agi_arg_N per script argument
MAX_LINE_BYTES = 8_192  # an AGI result line (GET VARIABLE's value included)
MAX_TRYING = 50  # "100 Trying" lines before the real result
MAX_USAGE_LINES = 200  # the usage text after "520-Invalid command syntax"
_RESULT_LINE = re.compile(r"^[1-5][0-9]{2}[ -]")


class AgiProtocolError(ValueError):
    """What the peer sent is not AGI: the dialogue ends (the documented error of the readers)."""


class AgiHeaderError(AgiProtocolError):
    pass


class AgiConnectionClosed(ConnectionError):
    """The socket closed while an AGI result was awaited (the caller hung up, Asterisk went away)."""


def parse_agi_headers(raw: bytes) -> dict[str, str]:
    """``agi_name: value`` lines up to the blank line; anything else is an error."""
    text = raw.decode("utf-8", errors="replace")
    headers: dict[str, str] = {}
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if not line:
            break
        if len(headers) >= MAX_HEADERS:
            raise AgiHeaderError(f"more than {MAX_HEADERS} AGI headers")
        name, sep, value = line.partition(":")
        if not sep or not name.startswith("agi_"):
            raise AgiHeaderError(f"not an AGI header line: {line[:80]!r}")
        headers[name] = value.strip()
    if "agi_network_script" not in headers:
        raise AgiHeaderError("no agi_network_script header")
    return headers


async def read_agi_headers(reader: asyncio.StreamReader, timeout: float) -> dict[str, str]:
    """The header lines up to the blank line, and not a byte more (what follows is the dialogue's)."""
    async def read() -> bytes:
        buffer = b""
        while True:
            try:
                line = await reader.readuntil(b"\n")
            except asyncio.IncompleteReadError as exc:
                raise AgiHeaderError("connection closed before the AGI headers ended") from exc
            except asyncio.LimitOverrunError as exc:
                raise AgiHeaderError("AGI header line too long") from exc
            buffer += line
            if len(buffer) > MAX_HEADER_BYTES:
                raise AgiHeaderError("AGI headers too long")
            if line in (b"\n", b"\r\n"):
                return buffer

    return parse_agi_headers(await asyncio.wait_for(read(), timeout))


def parse_result_line(raw: bytes) -> dict[str, Any]:
    """One AGI result line as panoramisk's dict (``status_code``, ``result``, or ``error``); raises
    AgiProtocolError for a line that is not one."""
    line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
    if line == "HANGUP" or _RESULT_LINE.match(line + " "):
        return dict(parse_agi_result(line))
    raise AgiProtocolError(f"not an AGI result line: {line[:80]!r}")


async def read_line(reader: asyncio.StreamReader) -> bytes:
    """One line, at most ``MAX_LINE_BYTES`` (or the reader's own limit, if lower)."""
    try:
        line = await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as exc:
        raise AgiConnectionClosed("the AGI connection closed before the result") from exc
    except asyncio.LimitOverrunError as exc:
        raise AgiProtocolError("AGI result line too long") from exc
    if len(line) > MAX_LINE_BYTES:
        raise AgiProtocolError("AGI result line too long")
    return line


class GuardedRequest(Request):  # type: ignore[misc]
    """panoramisk's Request with bounded, strict result reading (the same result dicts)."""

    async def send_command(self, command: str) -> dict[str, Any]:
        self.writer.write((command + "\n").encode(self.encoding))
        await self.writer.drain()
        result = await self._read_result()
        for _ in range(MAX_TRYING):
            if result.get("status_code") != 100:
                break
            result = await self._read_result()
        else:
            raise AgiProtocolError(f"more than {MAX_TRYING} '100 Trying' lines")
        if result.get("error") == "AGIUsageError":
            result["msg"] += await self._usage_text()
        return result

    async def _read_result(self) -> dict[str, Any]:
        return parse_result_line(await read_line(self.reader))

    async def _usage_text(self) -> str:
        """The usage lines after ``520-``, up to ``520 End of proper usage.``"""
        lines = []
        for _ in range(MAX_USAGE_LINES):
            line = (await read_line(self.reader)).decode("utf-8", errors="replace")
            lines.append(line)
            if line.startswith("520 "):
                return "".join(lines)
        raise AgiProtocolError(f"usage text longer than {MAX_USAGE_LINES} lines")


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
        self._server = await asyncio.start_server(self.handler, self.host, self.port, limit=MAX_LINE_BYTES)
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
        except (AgiProtocolError, TimeoutError) as exc:
            log.warning("FastAGI request from %s rejected: %s", peer, exc)
            return
        script = headers["agi_network_script"]
        route = self._route.get(script)
        if route is None:
            log.error("FastAGI: no route for %r", script)
            return
        request = GuardedRequest(app=self, headers=headers, reader=reader, writer=writer)
        try:
            await route(request)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            log.info("FastAGI %s: connection ended (%s)", script, exc)
        except AgiProtocolError as exc:
            log.warning("FastAGI %s: dialogue ended, Asterisk's answer was not AGI: %s", script, exc)
        except Exception:
            log.exception("FastAGI route %s failed", script)
