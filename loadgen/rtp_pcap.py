"""A pcap file of one RTP stream of G.711 µ-law (PCMU) tone, for SIPp's ``play_pcap_audio``: the simulated
callers and seat phones play it for the whole call, so Asterisk bridges and records real audio at the real
packet rate (50 a second) and never hangs a quiet channel up for lack of RTP (``rtp_timeout``). Pure bytes:
no file, no socket."""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Iterable

SAMPLE_RATE = 8000
PACKET_SAMPLES = 160  # 20 ms
PCMU = 0
_BIAS = 0x84
_CLIP = 32635


def mulaw(sample: int) -> int:
    """One 16-bit linear sample as a G.711 µ-law byte."""
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), _CLIP) + _BIAS
    exponent = 7
    for exponent in range(7, -1, -1):
        if magnitude & (0x4000 >> (7 - exponent)):
            break
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def tone_payloads(frequency: float, packets: int) -> list[bytes]:
    """One period-aligned cycle of 20 ms payloads; ``packets`` of them, repeating the cycle."""
    cycle = []
    for p in range(50):  # one second: every frequency in whole hertz repeats after it
        cycle.append(bytes(mulaw(int(8000 * math.sin(2 * math.pi * frequency * (p * PACKET_SAMPLES + i)
                                                        / SAMPLE_RATE)))
                           for i in range(PACKET_SAMPLES)))
    return [cycle[p % len(cycle)] for p in range(packets)]


def rtp_tone_pcap(seconds: float, frequency: float = 440.0, ssrc: int = 0x51515151) -> bytes:
    """A pcap (Ethernet/IPv4/UDP) of ``seconds`` of PCMU tone in 20 ms RTP packets. SIPp rewrites the
    addresses and ports as it plays; it keeps the packets' spacing, sequence numbers and timestamps."""
    packets = max(1, int(seconds * 50))
    return _pcap((n * 20_000, _rtp(False, PCMU, n, n * PACKET_SAMPLES, ssrc, payload))
                 for n, payload in enumerate(tone_payloads(frequency, packets)))


DTMF_EVENTS = {**{d: int(d) for d in "0123456789"}, "*": 10, "#": 11}
DTMF_PAYLOAD_TYPE = 101  # as the scenarios' SDP offers it
DTMF_TONE_PACKETS = 5  # 100 ms of key press
DTMF_END_PACKETS = 3  # the end packet, sent three times (RFC 4733 2.5.1.4)
DTMF_GAP_PACKETS = 5  # 100 ms between keys


def dtmf_seconds(keys: str) -> float:
    """How long :func:`rtp_dtmf_pcap` of ``keys`` plays."""
    return len(keys) * (DTMF_TONE_PACKETS + DTMF_END_PACKETS + DTMF_GAP_PACKETS) * 0.02


def rtp_dtmf_pcap(keys: str) -> bytes:
    """``keys`` as RFC 4733 telephone events, one after another: each key its own event timestamp, so a key
    pressed twice in a row is two presses (Debian's dtmf_2833_N.pcap files all carry the same timestamp, and
    Asterisk takes a repeated one for a retransmission). The stream's SSRC and first timestamp come from
    ``keys``, so the files of two presses of a call (different keys) never look like one another's
    retransmissions either."""
    tag = zlib.crc32(keys.encode())
    ssrc, base = tag, (tag >> 8) * PACKET_SAMPLES
    packets: list[tuple[int, bytes]] = []
    seq, slot = tag & 0x7FFF, 0
    for key in keys:
        event = DTMF_EVENTS[key]
        stamp = base + slot * PACKET_SAMPLES
        for n in range(DTMF_TONE_PACKETS + DTMF_END_PACKETS):
            end = n >= DTMF_TONE_PACKETS
            duration = min(n + 1, DTMF_TONE_PACKETS) * PACKET_SAMPLES
            payload = struct.pack("!BBH", event, (0x80 if end else 0) | 10, duration)
            packets.append(((slot + n) * 20_000, _rtp(n == 0, DTMF_PAYLOAD_TYPE, seq, stamp, ssrc, payload)))
            seq += 1
        slot += DTMF_TONE_PACKETS + DTMF_END_PACKETS + DTMF_GAP_PACKETS
    return _pcap(packets)


def _rtp(marker: bool, payload_type: int, seq: int, stamp: int, ssrc: int, payload: bytes) -> bytes:
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | payload_type, seq & 0xFFFF,
                       stamp & 0xFFFFFFFF, ssrc) + payload


def _pcap(packets: Iterable[tuple[int, bytes]]) -> bytes:
    """A pcap of RTP packets, each at its offset in microseconds, wrapped in Ethernet/IPv4/UDP."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for micros, rtp in packets:
        udp = struct.pack("!HHHH", 6000, 6000, 8 + len(rtp), 0) + rtp
        frame = b"\x00" * 12 + b"\x08\x00" + _ipv4(udp)
        out.append(struct.pack("<IIII", micros // 1_000_000, micros % 1_000_000, len(frame), len(frame)))
        out.append(frame)
    return b"".join(out)


def _ipv4(payload: bytes) -> bytes:
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, 64, 17, 0,
                         bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
    checksum = _checksum(header)
    return header[:10] + struct.pack("!H", checksum) + header[12:] + payload


def _checksum(data: bytes) -> int:
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF
