"""Recording ids (random 128-bit tokens that say nothing of the call), the WAV header facts the recorder reads
once Asterisk has finished a file, and the recording event qq-record's UserEvent becomes."""

from __future__ import annotations

import base64
import io
import struct
import wave
from datetime import UTC, datetime

import pytest

from kernel.call_events import RecordingStarted
from recordings.public_id import is_public_id, new_public_id
from recordings.wav_file import wav_facts
from telephony.ami_parse import parse_event

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
SEATS = frozenset({"seat1001", "seat1002"})
FILE = "/srv/qq/recordings/2026/11/27/1795651504.0-1795651510.1-b246bdce7725707d9e11d03e.wav"


def test_public_ids_are_128_random_bits_url_safe() -> None:
    ids = {new_public_id() for _ in range(2000)}
    assert len(ids) == 2000
    for public_id in list(ids)[:50]:
        assert is_public_id(public_id)
        assert len(base64.urlsafe_b64decode(public_id + "==")) == 16
        assert public_id.replace("-", "").replace("_", "").isalnum()


@pytest.mark.parametrize("guess", ["1", "42", "0" * 22, "../../etc/passwd", "a" * 21, "a" * 23, "a/" * 11,
                                   "a" * 21 + "=", "", "1795651504.0"])
def test_a_guess_that_is_not_shaped_like_an_id_is_refused_before_any_lookup(guess: str) -> None:
    assert is_public_id(guess) == (guess == "0" * 22)  # 22 base64url characters are a well-formed id


def wav_bytes(seconds: float, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x01\x00" * int(seconds * rate))
    return buffer.getvalue()


def test_a_finished_wav_gives_its_size_and_length() -> None:
    data = wav_bytes(3.08)
    facts = wav_facts(data[:4096], len(data))
    assert facts is not None
    assert (facts.bytes, facts.seconds, facts.complete) == (len(data), 3.08, True)


def test_a_wav_still_being_written_is_not_complete_and_its_length_is_estimated() -> None:
    data = bytearray(wav_bytes(2.0))
    struct.pack_into("<I", data, 40, 0)  # the data chunk's size, as written when the file is opened
    facts = wav_facts(bytes(data[:4096]), len(data))
    assert facts is not None and not facts.complete and facts.seconds == 2.0
    grown = wav_facts(wav_bytes(1.0)[:4096], len(wav_bytes(1.0)) + 1600)  # more audio than the header says
    assert grown is not None and not grown.complete


@pytest.mark.parametrize("header", [b"", b"RIFF", b"RIFF\x00\x00\x00\x00WAVE", b"OggS" + b"\x00" * 40,
                                    b"RIFF\x24\x00\x00\x00WAVEdata\x00\x00\x00\x00"])
def test_what_is_not_a_pcm_wav_has_no_facts(header: bytes) -> None:
    assert wav_facts(header, 1000) is None


def recording_event(**fields: str) -> dict[str, str]:
    return {"Event": "UserEvent", "UserEvent": "QingquanRecording", "Channel": "PJSIP/seat1001-00000001",
            "Uniqueid": "1795651510.1", "Linkedid": "1795651504.0", "File": FILE, "Seat": "seat1001", **fields}


def test_the_agent_legs_recording_event() -> None:
    assert parse_event(recording_event(), SEATS, NOW) == RecordingStarted(
        at=NOW, linkedid="1795651504.0", seat="seat1001", file=FILE)
    # the seat is the recorded channel's endpoint when the event does not name it
    assert parse_event(recording_event(Seat=""), SEATS, NOW) == RecordingStarted(
        at=NOW, linkedid="1795651504.0", seat="seat1001", file=FILE)


def test_a_callbacks_customer_leg_is_recorded_for_the_original_call_and_the_agents_seat() -> None:
    event = parse_event(recording_event(Channel="PJSIP/trunk-00000009", Linkedid="cb1-1795651504.0",
                                        Uniqueid="1795651600.9", Seat="seat1002"), SEATS, NOW)
    assert event == RecordingStarted(at=NOW, linkedid="1795651504.0", seat="seat1002", file=FILE)


@pytest.mark.parametrize("fields", [{"File": ""}, {"File": "/tmp/x.gsm"}, {"Seat": "", "Channel": "Local/x-1;1"}])
def test_a_recording_event_without_a_wav_file_or_seat_is_ignored(fields: dict[str, str]) -> None:
    assert parse_event(recording_event(**fields), SEATS, NOW) is None
