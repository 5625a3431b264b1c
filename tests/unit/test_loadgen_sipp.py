"""What the load generator hands SIPp: scenarios that parse as XML and branch per IVR path, injection files
that carry each call's arrival and talk time, and RTP pcaps that Asterisk will read right."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from pathlib import Path

from loadgen.plan import PlanRequest, draw_plan
from loadgen.rtp_pcap import DTMF_EVENTS, dtmf_seconds, mulaw, rtp_dtmf_pcap, rtp_tone_pcap
from loadgen.sipp_scenarios import (
    caller_rows,
    caller_scenario,
    dtmf_file,
    register_scenario,
    seat_rows,
    seat_scenario,
    talk_display_name,
)

MEDIA = Path("/run/sim")


def rtp_packets(pcap: bytes) -> list[tuple[float, bytes]]:
    """(seconds, RTP bytes) of each packet of a pcap written by loadgen.rtp_pcap."""
    magic = struct.unpack("<I", pcap[:4])[0]
    assert magic == 0xA1B2C3D4
    packets, offset = [], 24
    while offset < len(pcap):
        seconds, micros, length, _ = struct.unpack("<IIII", pcap[offset:offset + 16])
        frame = pcap[offset + 16:offset + 16 + length]
        packets.append((seconds + micros / 1e6, frame[14 + 20 + 8:]))
        offset += 16 + length
    return packets


def test_caller_scenario_parses_and_has_one_branch_per_path() -> None:
    plan = draw_plan(PlanRequest(calls=40, rate=1.0, seed=5))
    root = ET.fromstring(caller_scenario(plan.paths, "96106", 300, MEDIA / "tone.pcap", MEDIA))
    labels = {e.get("id") for e in root.iter("label")}
    assert {f"path{n}" for n in range(len(plan.paths))} <= labels and {"talk", "giveup", "end"} <= labels
    plays = [e.get("play_pcap_audio") for e in root.iter("exec")]
    for path in plan.paths:
        for press in path.presses:
            assert str(MEDIA / dtmf_file(press.keys)) in plays
    assert root.find("recv[@request='BYE']").get("timeout") == "300000"  # type: ignore[union-attr]
    invite = next(e.text or "" for e in root.iter("send") if "INVITE sip:96106@" in (e.text or ""))
    assert "a=rtpmap:101 telephone-event/8000" in invite and '"[field1]" <sip:[field0]@' in invite


def test_caller_rows_carry_number_talk_time_wait_and_path() -> None:
    plan = draw_plan(PlanRequest(calls=3, rate=0.5, poisson=False, mix={"agent": 1}, run_tag=9))
    lines = caller_rows(plan, launch_rate=100).splitlines()
    assert lines[0] == "SEQUENTIAL"
    number, name, wait, path = lines[2].split(";")
    assert number == "13909000001" and path == "agent"
    assert name == talk_display_name(plan.calls[1]) == f"qqt{round(plan.calls[1].talk_seconds * 1000)}"
    assert int(wait) == 2000 - 10  # arrives at 2 s; SIPp launches it 10 ms after the first


def test_seat_scenario_reads_the_talk_time_from_the_display_name() -> None:
    root = ET.fromstring(seat_scenario(MEDIA / "seat.pcap"))
    eregs = [e.get("regexp") for e in root.iter("ereg")]
    assert "qqt([0-9]+)" in eregs
    assert root.find("pause").get("variable") == "talk"  # type: ignore[union-attr]


def test_registration_scenario_and_seat_rows() -> None:
    root = ET.fromstring(register_scenario(expires_seconds=0))
    assert "Expires: 0" in "".join(e.text or "" for e in root.iter("send"))
    assert seat_rows([("seat1001", "pw")]).splitlines() == [
        "SEQUENTIAL", "seat1001;[authentication username=seat1001 password=pw]"]


def test_tone_pcap_is_20ms_pcmu_with_running_sequence_and_timestamps() -> None:
    packets = rtp_packets(rtp_tone_pcap(1.0, 1000))
    assert len(packets) == 50
    assert [round(t, 3) for t, _ in packets[:3]] == [0.0, 0.02, 0.04]
    for n, (_, rtp) in enumerate(packets):
        assert rtp[1] & 0x7F == 0 and len(rtp) == 12 + 160
        assert struct.unpack("!HI", rtp[2:8]) == (n, n * 160)
    assert mulaw(0) == 0xFF and mulaw(32767) == 0x80 and mulaw(-32768) == 0x00


def test_dtmf_pcap_gives_each_key_its_own_event_timestamp_so_repeated_keys_count_twice() -> None:
    packets = rtp_packets(rtp_dtmf_pcap("100#"))
    events = [(rtp[12], struct.unpack("!I", rtp[4:8])[0], bool(rtp[13] & 0x80)) for _, rtp in packets]
    assert all(rtp[1] & 0x7F == 101 for _, rtp in packets)
    ends = [(event, stamp) for event, stamp, end in events if end]
    keys = [event for event, _ in dict.fromkeys(ends)]
    assert keys == [DTMF_EVENTS[k] for k in "100#"]
    assert len({stamp for _, stamp in ends}) == 4  # the two 0s are two presses
    assert packets[-1][0] < dtmf_seconds("100#")
    other = rtp_packets(rtp_dtmf_pcap("1"))
    assert other[0][1][8:12] != packets[0][1][8:12]  # another press: another SSRC, never a retransmission


def test_dtmf_file_names_are_safe() -> None:
    assert dtmf_file("10001234#") == "keys-10001234pound.pcap"
    assert dtmf_file("*0") == "keys-star0.pcap"
