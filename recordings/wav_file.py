"""What a recording's WAV header says: its size and length, and whether Asterisk has finished it. MixMonitor
writes the header's sizes when it closes the file, a moment after the agent's leg hung up."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

HEADER_BYTES = 4096  # the chunks before the audio (RIFF, fmt, maybe fact/LIST) fit in this


@dataclass(frozen=True)
class WavFacts:
    bytes: int  # the file's size
    seconds: float  # audio length (estimated from the file size while the header is not final)
    complete: bool  # the header accounts for exactly the audio in the file


def wav_facts(header: bytes, file_size: int) -> WavFacts | None:
    """Facts from the first bytes of a WAV file of ``file_size`` bytes; None if it is not a PCM WAV file."""
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        return None
    byte_rate = 0
    offset = 12
    while offset + 8 <= len(header):
        chunk_id, chunk_size = header[offset:offset + 4], struct.unpack_from("<I", header, offset + 4)[0]
        body = offset + 8
        if chunk_id == b"fmt " and body + 12 <= len(header):
            byte_rate = struct.unpack_from("<I", header, body + 8)[0]
        elif chunk_id == b"data":
            if byte_rate <= 0:
                return None
            audio = file_size - body
            complete = chunk_size == audio and chunk_size > 0
            return WavFacts(bytes=file_size, seconds=round(max(audio, 0) / byte_rate, 3), complete=complete)
        offset = body + chunk_size + (chunk_size & 1)
    return None


def read_wav_facts(path: Path) -> WavFacts | None:
    """The facts of the file at ``path``; None when it is missing or not a WAV file."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(0)
            return wav_facts(handle.read(HEADER_BYTES), size)
    except OSError:
        return None
