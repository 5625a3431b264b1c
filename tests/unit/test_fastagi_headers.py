"""The FastAGI header reader: bounded in time and size, and strict about what it accepts."""

from __future__ import annotations

import asyncio

import pytest

from telephony.fastagi import AgiHeaderError, parse_agi_headers, read_agi_headers

HEADERS = b"agi_network: yes\nagi_network_script: ivr\nagi_uniqueid: 1700.1\nagi_callerid: 138\n\n"


def test_headers_parsed() -> None:
    headers = parse_agi_headers(HEADERS)
    assert headers["agi_network_script"] == "ivr" and headers["agi_uniqueid"] == "1700.1"


@pytest.mark.parametrize("raw", [b"GET / HTTP/1.1\n\n", b"agi_network: yes\n\n", b"\n"])
def test_bad_headers_rejected(raw: bytes) -> None:
    with pytest.raises(AgiHeaderError):
        parse_agi_headers(raw)


def _reader(data: bytes, eof: bool) -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    if eof:
        reader.feed_eof()
    return reader


async def test_reader_reads_headers_in_chunks() -> None:
    assert (await read_agi_headers(_reader(HEADERS, eof=False), timeout=1))["agi_network_script"] == "ivr"


async def test_connection_closed_before_headers_end_is_an_error_not_a_hang() -> None:
    with pytest.raises(AgiHeaderError):
        await read_agi_headers(_reader(b"agi_network: yes\n", eof=True), timeout=1)


async def test_silent_client_times_out() -> None:
    with pytest.raises(TimeoutError):
        await read_agi_headers(_reader(b"agi_network: yes\n", eof=False), timeout=0.1)


async def test_endless_headers_are_cut() -> None:
    with pytest.raises(AgiHeaderError):
        await read_agi_headers(_reader(b"agi_x: " + b"a" * 20_000 + b"\n", eof=False), timeout=1)
