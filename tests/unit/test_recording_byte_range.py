"""The Range header parser and the bytes it serves: any valid range within the file gives exactly those
bytes; a suffix gives the file's end; ranges past the end are clipped; nothing to serve is a 416; anything
this server does not take (several ranges, another unit, bad syntax) means the whole file."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recordings.byte_range import ByteRange, RangeNotSatisfiable, file_chunks, requested_range


def served(data: bytes, header: str | None, chunk_bytes: int = 7) -> bytes:
    byte_range = requested_range(header, len(data)) or ByteRange(0, len(data) - 1)
    return b"".join(file_chunks(io.BytesIO(data), byte_range, chunk_bytes))


@st.composite
def file_and_range(draw: st.DrawFn) -> tuple[bytes, int, int]:
    data = draw(st.binary(min_size=1, max_size=2000))
    start = draw(st.integers(0, len(data) - 1))
    end = draw(st.integers(start, len(data) - 1))
    return data, start, end


@given(file_and_range(), st.integers(1, 64))
def test_any_valid_range_within_the_file_gives_exactly_those_bytes(case: tuple[bytes, int, int],
                                                                    chunk_bytes: int) -> None:
    data, start, end = case
    byte_range = requested_range(f"bytes={start}-{end}", len(data))
    assert byte_range == ByteRange(start, end)
    assert byte_range.content_range(len(data)) == f"bytes {start}-{end}/{len(data)}"
    assert served(data, f"bytes={start}-{end}", chunk_bytes) == data[start:end + 1]


@given(st.binary(min_size=1, max_size=2000), st.data())
def test_open_ended_and_suffix_ranges(data: bytes, draw: st.DataObject) -> None:
    start = draw.draw(st.integers(0, len(data) - 1))
    assert served(data, f"bytes={start}-") == data[start:]
    suffix = draw.draw(st.integers(1, 3 * len(data)))
    assert served(data, f"bytes=-{suffix}") == data[-suffix:]


@given(st.binary(min_size=1, max_size=500), st.data())
def test_a_range_past_the_end_is_clipped_to_the_file(data: bytes, draw: st.DataObject) -> None:
    start = draw.draw(st.integers(0, len(data) - 1))
    end = draw.draw(st.integers(len(data), 10 * len(data)))
    assert requested_range(f"bytes={start}-{end}", len(data)) == ByteRange(start, len(data) - 1)


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_a_range_starting_at_or_past_the_end_is_not_satisfiable(size: int, beyond: int) -> None:
    with pytest.raises(RangeNotSatisfiable):
        requested_range(f"bytes={size + beyond}-", size)
    with pytest.raises(RangeNotSatisfiable):
        requested_range(f"bytes={size + beyond}-{size + beyond + 5}", size)


def test_nothing_to_serve_is_not_satisfiable() -> None:
    with pytest.raises(RangeNotSatisfiable):
        requested_range("bytes=-0", 100)
    with pytest.raises(RangeNotSatisfiable):
        requested_range("bytes=-10", 0)  # an empty file has no last bytes


@pytest.mark.parametrize("header", [None, "", "bytes=", "bytes=-", "bytes=5-2", "items=0-10", "bytes=0-1,5-9",
                                    "bytes=a-b", "bytes=+1-3", "bytes 0-10", "bytes=0-10;x", "bytes=1.5-3",
                                    "bytes=" + "9" * 19 + "-"])
def test_what_is_not_one_well_formed_byte_range_means_the_whole_file(header: str | None) -> None:
    assert requested_range(header, 100) is None


def test_whitespace_and_case_are_tolerated() -> None:
    assert requested_range(" Bytes = 10 - 19 ", 100) == ByteRange(10, 19)


def test_a_file_shorter_than_its_range_stops_early() -> None:
    assert b"".join(file_chunks(io.BytesIO(b"abc"), ByteRange(1, 10))) == b"bc"
