"""HTTP byte ranges (RFC 9110 §14) for streaming a recording: the ``Range`` header's one range, and the file's
bytes in that range. No I/O but the file object handed in.

One range is served as 206. A header this parser does not take (another unit, bad syntax, a range that ends
before it starts) or one asking for several ranges is ignored, so the whole file is sent (200), as the RFC
allows. A well-formed range that no byte of the file satisfies is a 416."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from kernel.errors import QingquanError

_RANGE = re.compile(r"\s*bytes\s*=\s*(?P<first>[0-9]{0,18})\s*-\s*(?P<last>[0-9]{0,18})\s*", re.IGNORECASE)
CHUNK_BYTES = 64 * 1024


class RangeNotSatisfiable(QingquanError):
    code = "range_not_satisfiable"
    http_status = 416


@dataclass(frozen=True)
class ByteRange:
    """Bytes ``start`` to ``end`` of a file, both included."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


def requested_range(header: str | None, size: int) -> ByteRange | None:
    """The one range ``header`` asks of a file of ``size`` bytes, clipped to the file; None to send the whole
    file. Raises RangeNotSatisfiable when the range starts at or past the end (or asks for the last 0 bytes)."""
    if header is None:
        return None
    match = _RANGE.fullmatch(header)  # a comma (several ranges) never matches: the whole file
    if match is None:
        return None
    first, last = match.group("first"), match.group("last")
    if not first:  # "-N": the last N bytes
        if not last:
            return None
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(f"bytes */{size}")
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    if last and int(last) < start:
        return None  # invalid, so ignored
    if start >= size:
        raise RangeNotSatisfiable(f"bytes */{size}")
    return ByteRange(start, min(int(last), size - 1) if last else size - 1)


def file_chunks(handle: BinaryIO, byte_range: ByteRange, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The bytes of ``byte_range`` from an open file, in chunks of at most ``chunk_bytes``; stops early if the
    file is shorter than the range."""
    handle.seek(byte_range.start)
    remaining = byte_range.length
    while remaining > 0:
        chunk = handle.read(min(chunk_bytes, remaining))
        if not chunk:
            return
        remaining -= len(chunk)
        yield chunk
