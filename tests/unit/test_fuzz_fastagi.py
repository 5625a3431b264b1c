"""Fuzzing the FastAGI readers: the request headers and the results of AGI commands, from arbitrary bytes
(truncated, oversized, not UTF-8, not AGI). The only errors that come out are the documented ones
(AgiProtocolError, AgiConnectionClosed, TimeoutError), nothing hangs, and the server goes on serving."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from panoramisk.fast_agi import Request

from telephony.fastagi import (
    MAX_HEADERS,
    MAX_LINE_BYTES,
    AgiConnectionClosed,
    AgiHeaderError,
    AgiProtocolError,
    FastAgiServer,
    GuardedRequest,
    parse_agi_headers,
    parse_result_line,
    read_agi_headers,
)

FUZZ = settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADERS = b"agi_network: yes\nagi_network_script: ivr\nagi_uniqueid: 1700.1\n\n"
agi_lines = st.one_of(
    st.binary(max_size=40),
    st.sampled_from([b"200 result=1\n", b"200 result=-1\n", b"100 Trying...\n", b"510 Invalid\n", b"HANGUP\n",
                     b"520-Invalid command syntax.  Proper usage follows:\n", b"520 End of proper usage.\n",
                     b"200 result=0 (timeout)\n", b"\xff\xfe\n", b"\n", b"agi_network_script: x\n",
                     b"200 result=49 endpos=1234\n", "200 result=1 (水)\n".encode()]),
)


class Writer:
    """The socket's writing side: records what the app sent."""

    def __init__(self) -> None:
        self.sent = b""
        self.closed = False

    def write(self, data: bytes) -> None:
        self.sent += data

    async def drain(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, _name: str) -> Any:
        return ("127.0.0.1", 40000)


def fed(data: bytes, eof: bool = True, limit: int = MAX_LINE_BYTES) -> asyncio.StreamReader:
    reader = asyncio.StreamReader(limit=limit)
    reader.feed_data(data)
    if eof:
        reader.feed_eof()
    return reader


@FUZZ
@given(st.binary(max_size=400))
def test_header_parser_accepts_or_raises_its_own_error(raw: bytes) -> None:
    try:
        headers = parse_agi_headers(raw)
    except AgiHeaderError:
        return
    assert "agi_network_script" in headers and len(headers) <= MAX_HEADERS


@FUZZ
@given(st.lists(agi_lines, max_size=12), st.booleans())
def test_header_reader_never_hangs_or_raises_anything_else(lines: list[bytes], eof: bool) -> None:
    async def read() -> None:
        with contextlib.suppress(AgiProtocolError, TimeoutError):
            await read_agi_headers(fed(b"".join(lines), eof=eof), timeout=0.01)

    asyncio.run(read())


def test_too_many_headers_are_refused() -> None:
    raw = b"agi_network_script: ivr\n" + b"".join(b"agi_arg_%d: x\n" % i for i in range(MAX_HEADERS + 1)) + b"\n"
    with pytest.raises(AgiHeaderError, match="more than"):
        parse_agi_headers(raw)


@FUZZ
@given(st.binary(max_size=100))
def test_result_line_parser(raw: bytes) -> None:
    try:
        result = parse_result_line(raw)
    except AgiProtocolError:
        return
    assert "status_code" in result or "error" in result


@FUZZ
@given(st.lists(agi_lines, max_size=10), st.booleans())
def test_commands_end_in_a_result_or_a_documented_error(lines: list[bytes], eof: bool) -> None:
    async def dialogue() -> None:
        request = GuardedRequest(app=None, headers={}, reader=fed(b"".join(lines), eof=eof), writer=Writer())
        for _ in range(3):
            try:
                result = await asyncio.wait_for(request.send_command("WAIT FOR DIGIT 1000"), 0.01)
            except (AgiProtocolError, AgiConnectionClosed):
                return
            except TimeoutError:
                assert not eof  # only a silent, open socket waits; a closed one ends the dialogue
                return
            assert "status_code" in result or "error" in result

    asyncio.run(dialogue())


async def test_a_result_line_longer_than_the_limit_is_refused() -> None:
    request = GuardedRequest(app=None, headers={}, reader=fed(b"200 result=" + b"1" * 20_000 + b"\n"), writer=Writer())
    with pytest.raises(AgiProtocolError, match="too long"):
        await request.send_command("GET VARIABLE X")


async def test_the_usage_text_is_read_to_its_end_so_the_next_result_is_in_step() -> None:
    reader = fed(b"520-Invalid command syntax.  Proper usage follows:\nUsage: WAIT FOR DIGIT <timeout>\n"
                 b"520 End of proper usage.\n200 result=50\n")
    request = GuardedRequest(app=None, headers={}, reader=reader, writer=Writer())
    assert (await request.send_command("WAIT FOR DIGIT"))["error"] == "AGIUsageError"
    assert (await request.send_command("WAIT FOR DIGIT 5"))["result"][0] == "50"


async def test_panoramisk_alone_fails_on_a_closed_socket_with_a_value_error() -> None:
    """Why the guard exists: panoramisk's Request reads b'' at EOF and fails on int('')."""
    request = Request(app=None, headers={}, reader=fed(b""), writer=Writer())
    with pytest.raises(ValueError):
        await request.send_command("ANSWER")
    with pytest.raises(AgiConnectionClosed):
        await GuardedRequest(app=None, headers={}, reader=fed(b""), writer=Writer()).send_command("ANSWER")


async def test_the_server_survives_garbage_and_serves_the_next_call() -> None:
    served: list[str] = []

    async def ivr(request: Any) -> None:
        served.append((await request.send_command("ANSWER"))["result"][0])
        await request.send_command("STREAM FILE x \"\"")  # the peer then sends garbage or closes

    server = FastAgiServer("127.0.0.1", 0, header_timeout=0.1)
    server.add_route("ivr", ivr)
    for raw in (b"\x00\xff" * 100, b"GET / HTTP/1.1\r\n\r\n", HEADERS + b"200 result=0\n\xff\xfe garbage\n",
                HEADERS + b"200 result=0\n", HEADERS + b"200 result=0\n" + b"9" * 20_000, HEADERS):
        writer = Writer()
        await server.handler(fed(raw), writer)  # type: ignore[arg-type]
        assert writer.closed
    await server.handler(fed(HEADERS + b"200 result=7\n200 result=0\n"), Writer())  # type: ignore[arg-type]
    assert served[-1] == "7"
