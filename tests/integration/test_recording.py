"""Call recording on real parts: a caller walks the IVR to an agent, both phones play their own tone, and
after the hang-up the recording's row and WAV file exist; the file holds both tones and only the talk (its
length is the talk time, not the call's); the agent downloads it over HTTP with a range request while another
agent gets a 404; the listen is in the audit log. A queue callback is recorded too, for the original call, and
so is a call the fallback queue gives a seat while the app is down."""

from __future__ import annotations

import time
import wave
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from recordings.wav_file import read_wav_facts
from tests.integration.test_call_path import agent_ready, call_and_queue, dial_hotline, ended_contact
from tests.support.acd_steps import (
    agent_state,
    bind_seat,
    contact_where,
    press_until,
    queue_summary,
    set_state,
    user_id,
)
from tests.support.baresip import BaresipPhone, free_sip_port
from tests.support.hotline import RunningHotline, wait_for

pytestmark = pytest.mark.integration

CALLER_TONE = 440
AGENT_TONE = 1000
TALK_SECONDS = 3.0


def finished_recordings(hotline: RunningHotline, linkedid: str) -> list[dict[str, Any]]:
    """The call's recording rows once every one has its end, size and length."""
    def check() -> list[dict[str, Any]] | None:
        found = hotline.query("SELECT * FROM recording WHERE linkedid = :l ORDER BY id", l=linkedid)
        return found if found and all(r["ended_at"] and r["bytes"] for r in found) else None
    return wait_for(check, timeout=15, what="the recording to be finished")


def samples_of(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 8000)
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64), w.getframerate()


def tone_strengths(samples: np.ndarray, rate: int, tones: tuple[int, ...]) -> dict[int, float]:
    """How far each tone stands above the spectrum's median (a tone that is not there: about 1)."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    freqs = np.fft.rfftfreq(samples.size, 1 / rate)
    floor = float(np.median(spectrum)) or 1.0
    return {tone: float(spectrum[np.abs(freqs - tone) <= 10].max()) / floor for tone in tones}


def strongest(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1 / rate)[int(np.argmax(spectrum))])


def seconds(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def test_an_agent_call_is_recorded_talk_only_and_only_its_agent_may_hear_it(
        hotline: RunningHotline, phones: Callable[..., BaresipPhone]) -> None:
    seat_phone = phones("agent", hotline=hotline, seat="seat1001", frequency=AGENT_TONE)
    agent = agent_ready(hotline, "agent1", "seat1001")
    manager = hotline.login("manager1")
    caller = call_and_queue(hotline, phones("13800000001", frequency=CALLER_TONE), manager)
    seat_phone.wait_event("CALL_ESTABLISHED", timeout=15)
    time.sleep(TALK_SECONDS)  # both phones talk: each plays its own tone
    caller.hangup()
    seat_phone.wait_event("CALL_CLOSED", timeout=10)

    contact = ended_contact(hotline, manager, "13800000001")
    [row] = finished_recordings(hotline, contact["linkedid"])
    [contact_row] = hotline.query("SELECT id FROM contact WHERE linkedid = :l", l=contact["linkedid"])
    assert (row["seat"], row["agent_id"], row["contact_id"]) == ("seat1001", user_id(hotline, "agent1"),
                                                                 contact_row["id"])
    assert row["deleted_at"] is None and len(row["public_id"]) == 22

    # The file: where the settings say, named for the call, a WAV holding both parties.
    path = Path(row["path"])
    assert path.is_relative_to(hotline.root / "var" / "recordings") and path.exists()
    assert path.name.startswith(contact["linkedid"] + "-")
    assert path.stat().st_size == row["bytes"]
    samples, rate = samples_of(path)
    strengths = tone_strengths(samples, rate, (CALLER_TONE, AGENT_TONE))
    assert min(strengths.values()) > 100, strengths
    assert round(strongest(samples[: rate // 2], rate) / 10) * 10 in (CALLER_TONE, AGENT_TONE)  # talk from the start

    # Only the talk: no IVR, no hold music. The recording is as long as the talk, much shorter than the call.
    talk = seconds(contact["answered_at"], contact["ended_at"])
    before_talk = seconds(contact["arrived_at"], contact["answered_at"])
    assert before_talk > 1.5  # the caller did spend time in the IVR and the queue first
    assert abs(row["duration_seconds"] - samples.size / rate) < 0.05
    assert abs(row["duration_seconds"] - talk) < 1.0, (row["duration_seconds"], talk)
    assert row["duration_seconds"] < talk + before_talk - 1.0

    # Over HTTP: the agent finds it by the call, and plays part of it; another agent gets nothing.
    data = path.read_bytes()
    with hotline.client(agent) as c:
        [listed] = c.get("/api/recordings", params={"linkedid": contact["linkedid"]}).json()
        assert str(path) not in str(listed) and listed["duration_seconds"] == row["duration_seconds"]
        part = c.get(listed["audio_url"], headers={"Range": "bytes=0-1023"})
        assert part.status_code == 206
        assert part.headers["content-range"] == f"bytes 0-1023/{len(data)}"
        assert part.headers["content-type"] == "audio/wav"
        assert part.content == data[:1024]
        rest = c.get(listed["audio_url"], headers={"Range": "bytes=1024-"})
        assert rest.status_code == 206 and part.content + rest.content == data
    other = hotline.login("agent2")
    with hotline.client(other) as c:
        denied = c.get(listed["audio_url"], headers={"Range": "bytes=0-1023"})
        unknown = c.get("/api/recordings/AAAAAAAAAAAAAAAAAAAAAA/audio")
        assert (denied.status_code, denied.json()) == (404, unknown.json())
        assert c.get("/api/recordings", params={"linkedid": contact["linkedid"]}).json() == []
    with hotline.client(manager) as c:  # managers hear every recording
        assert c.get(listed["audio_url"]).content == data

    audits = hotline.query("SELECT user_id, range_start, range_end, file_bytes FROM recording_access ORDER BY id")
    assert audits == [{"user_id": user_id(hotline, "agent1"), "range_start": 0, "range_end": 1023,
                       "file_bytes": len(data)},
                      {"user_id": user_id(hotline, "manager1"), "range_start": 0, "range_end": len(data) - 1,
                       "file_bytes": len(data)}]  # the agent's two range requests are one playback


ANNOUNCE_SECONDS = 3
CUSTOMER = "13900000002"


def test_a_queue_callback_is_recorded_for_the_original_call(
        hotline_with: Callable[..., RunningHotline], phones: Callable[..., BaresipPhone]) -> None:
    carrier_port = free_sip_port()  # where the trunk sends calls out: the customer's phone
    hotline = hotline_with(
        acd={"announce_seconds": ANNOUNCE_SECONDS, "queues": [{"name": "general", "callback_after_seconds": 0}]},
        asterisk={"trunk_outbound_host": f"127.0.0.1:{carrier_port}"})
    manager = hotline.login("manager1")
    seat_phone = phones("agent", hotline=hotline, seat="seat1001", frequency=AGENT_TONE)
    agent = bind_seat(hotline, "agent1", "seat1001")  # not ready yet: the caller waits

    customer = call_and_queue(hotline, phones(CUSTOMER, sip_port=carrier_port, frequency=CALLER_TONE), manager)
    original = contact_where(hotline, manager, CUSTOMER, "queued_at")["linkedid"]
    press_until(customer, "1", lambda: queue_summary(hotline, manager)["callbacks_waiting"] == 1,
                timeout=4 * ANNOUNCE_SECONDS + 20)
    customer.wait_event("CALL_CLOSED", timeout=15)
    assert hotline.query("SELECT id FROM recording") == []  # nobody talked yet: nothing recorded

    set_state(hotline, agent, "ready")  # the seat rings first, then the customer
    seat_phone.wait_event("CALL_ESTABLISHED", timeout=15)
    customer.wait_event("CALL_INCOMING", timeout=10)
    customer.answer()
    customer.wait_event("CALL_ESTABLISHED", timeout=10)
    time.sleep(TALK_SECONDS)
    customer.hangup()
    seat_phone.wait_event("CALL_CLOSED", timeout=10)

    [row] = finished_recordings(hotline, original)
    assert (row["seat"], row["agent_id"]) == ("seat1001", user_id(hotline, "agent1"))
    path = Path(row["path"])
    assert path.name.startswith(f"cb1-{original}-")
    samples, rate = samples_of(path)
    assert min(tone_strengths(samples, rate, (CALLER_TONE, AGENT_TONE)).values()) > 100
    assert row["duration_seconds"] < TALK_SECONDS + 1.5  # the customer's ringing is not in it
    with hotline.client(agent) as c:
        [listed] = c.get("/api/recordings", params={"linkedid": original}).json()
        assert c.get(listed["audio_url"]).content == path.read_bytes()


def test_a_call_the_fallback_queue_gives_an_agent_is_recorded_too(hotline: RunningHotline,
                                                                   phones: Callable[..., BaresipPhone]) -> None:
    seat_phone = phones("agent", hotline=hotline, seat="seat1001", frequency=AGENT_TONE)
    wait_for(lambda: "seat1001" in hotline.health()["registered_seats"], what="seat1001 to register")
    hotline.kill_app()  # no app: the dialplan's fallback queue gets the caller to a seat
    caller = phones("13400000001", frequency=CALLER_TONE)
    dial_hotline(caller, hotline)
    seat_phone.wait_event("CALL_ESTABLISHED", timeout=20)
    time.sleep(TALK_SECONDS)
    caller.hangup()
    seat_phone.wait_event("CALL_CLOSED", timeout=10)

    def finished_file() -> Path | None:
        files = list((hotline.root / "var" / "recordings").glob("*/*/*/*.wav"))
        facts = read_wav_facts(files[0]) if len(files) == 1 else None
        return files[0] if facts is not None and facts.complete else None
    path = wait_for(finished_file, what="the fallback call's recording")
    samples, rate = samples_of(path)
    assert min(tone_strengths(samples, rate, (CALLER_TONE, AGENT_TONE)).values()) > 100
    assert samples.size / rate < TALK_SECONDS + 1.5
    # No app saw the call, so no row knows the file: the retention sweep deletes such files by their day.


# Every answered agent leg ends with a recording or a recording.missed event, never silence --------------------


def recording_outcome(hotline: RunningHotline, linkedid: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Once settled: the call's recording rows (each ended, measured and linked to its contact) and its
    recording.missed events; at least one of the two."""
    def check() -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
        found = hotline.query("SELECT * FROM recording WHERE linkedid = :l ORDER BY id", l=linkedid)
        flagged = hotline.query("SELECT data FROM contact_event WHERE linkedid = :l AND type = 'recording.missed'",
                                l=linkedid)
        if any(r["ended_at"] is None or r["duration_seconds"] is None or r["contact_id"] is None for r in found):
            return None
        return (found, flagged) if found or flagged else None
    return wait_for(check, timeout=20, what=f"call {linkedid}'s recording or its recording.missed event")


def test_an_answered_leg_whose_recording_cannot_start_is_flagged_on_its_contact(
        hotline: RunningHotline, phones: Callable[..., BaresipPhone]) -> None:
    """MixMonitor is gone from Asterisk: the dialplan's arm cannot start a recording, so Asterisk tells none."""
    assert "unloaded" in hotline.asterisk_cli("module unload app_mixmonitor.so").lower()
    seat_phone = phones("agent", hotline=hotline, seat="seat1001", frequency=AGENT_TONE)
    agent_ready(hotline, "agent1", "seat1001")
    manager = hotline.login("manager1")
    caller = call_and_queue(hotline, phones("13800000011", frequency=CALLER_TONE), manager)
    seat_phone.wait_event("CALL_ESTABLISHED", timeout=15)
    time.sleep(1.0)
    caller.hangup()
    seat_phone.wait_event("CALL_CLOSED", timeout=10)

    contact = ended_contact(hotline, manager, "13800000011")
    rows, flagged = recording_outcome(hotline, contact["linkedid"])
    assert rows == []
    assert [f["data"] for f in flagged] in ([{"seat": "seat1001", "agent_id": user_id(hotline, "agent1")}],
                                            [f'{{"seat": "seat1001", "agent_id": {user_id(hotline, "agent1")}}}'])
    assert "ended without a recording" in hotline.log_text()


def test_an_answered_leg_that_ends_while_the_ami_link_is_down_is_flagged_after_the_resync(
        hotline: RunningHotline, phones: Callable[..., BaresipPhone]) -> None:
    """The leg's hang-up is never seen (the link is down): the resync finds its call gone and judges the leg."""
    hotline.asterisk_cli("module unload app_mixmonitor.so")
    seat_phone = phones("agent", hotline=hotline, seat="seat1001", frequency=AGENT_TONE)
    agent_ready(hotline, "agent1", "seat1001")
    manager = hotline.login("manager1")
    caller = call_and_queue(hotline, phones("13800000012", frequency=CALLER_TONE), manager)
    seat_phone.wait_event("CALL_ESTABLISHED", timeout=15)
    linkedid = contact_where(hotline, manager, "13800000012", "answered_at")["linkedid"]
    resyncs = hotline.log_text().count("AMI state resynced")
    hotline.cut_ami_connection()
    caller.hangup()  # Asterisk tells nobody: the app reconnects a second later
    seat_phone.wait_event("CALL_CLOSED", timeout=10)
    wait_for(lambda: hotline.log_text().count("AMI state resynced") > resyncs, what="the AMI resync")

    rows, flagged = recording_outcome(hotline, linkedid)
    assert rows == [] and len(flagged) == 1


def is_ready(hotline: RunningHotline, token: str) -> bool:
    return bool(agent_state(hotline, token)["state"] == "ready")


def test_calls_hung_up_as_the_seat_answers_each_end_with_a_recording_or_a_flag(
        hotline: RunningHotline, phones: Callable[..., BaresipPhone]) -> None:
    """The shortest calls, several at once: each agent hangs up the moment they answer, so the leg may end
    before the ACD has named its agent, the answered leg's routine may be cut short ("Abnormal Gosub exit"),
    or the file may never get audio. Each call still ends with a measured recording linked to its contact, or
    a recording.missed event."""
    seats = ("seat1001", "seat1002")
    seat_phones = [phones(f"agent{n}", hotline=hotline, seat=seat) for n, seat in enumerate(seats, start=1)]
    tokens = [bind_seat(hotline, f"agent{n}", seat) for n, seat in enumerate(seats, start=1)]  # not ready yet
    manager = hotline.login("manager1")
    numbers = [f"138000000{n}" for n in range(21, 25)]
    for first in range(0, len(numbers), len(seats)):
        callers = [call_and_queue(hotline, phones(number, frequency=CALLER_TONE), manager)
                   for number in numbers[first:first + len(seats)]]
        for token in tokens:  # the offers go out at once
            set_state(hotline, token, "ready")
        for phone in seat_phones:
            phone.wait_event("CALL_ESTABLISHED", timeout=15)
            phone.hangup()
        for caller in callers:
            caller.hangup()  # (from the survey, if the agent's hang-up got there first)
        for token in tokens:  # the wrap-up ends by itself; then no offer until the next callers wait
            wait_for(partial(is_ready, hotline, token), what="the wrap-up to end")
            set_state(hotline, token, "not_ready")

    for number in numbers:
        contact = ended_contact(hotline, manager, number)
        assert contact["answered_at"], contact
        rows, flagged = recording_outcome(hotline, contact["linkedid"])
        for row in rows:
            assert row["seat"] in seats and row["agent_id"] is not None
            if not flagged:
                assert row["bytes"] and Path(row["path"]).stat().st_size == row["bytes"]
