"""The AMI byte stream, framed with bounds: bytes in, whole messages out, and one bad message never takes the
connection down.

panoramisk 1.4's protocol keeps an unterminated message in memory for ever (a peer that never sends the blank
line grows it without limit), decodes each TCP chunk on its own (a UTF-8 character split between two chunks is
lost) and lets an exception raised while handling one message escape ``data_received``, which makes asyncio
close the transport: a single event with, say, two ``Event:`` headers cut the AMI link and with it the ACD's
view of every call. :class:`AmiFramer` is the pure part (no I/O): it decodes incrementally, cuts the stream at
the blank line, drops a message longer than ``max_message_chars`` or with more than ``max_headers`` lines (and
resynchronises at the next blank line). :class:`GuardedAmiProtocol` is panoramisk's protocol with that framer
in front and every message handled on its own: a message that fails is logged and skipped."""

from __future__ import annotations

import codecs
import logging
from dataclasses import dataclass, field
from typing import Any

from panoramisk.ami_protocol import AMIProtocol
from panoramisk.message import Message

log = logging.getLogger(__name__)

EOM = "\r\n\r\n"  # AMI ends every message with a blank line
# Events Qingquan never reads, skipped before they are parsed. They are most of the stream (a VarSet for every
# variable set, a Newexten for every dialplan step, RTCP twice a second per channel): under a cold snap's load
# parsing them took a third of the app's event loop. Never an action's reply or list entry (those carry what
# an action waits for), never an event telephony.ami_parse reads.
UNUSED_EVENTS = frozenset({
    "VarSet", "Newexten", "RTCPSent", "RTCPReceived", "Cdr", "Cel", "TestEvent", "Newstate", "NewConnectedLine",
    "NewCallerid", "NewAccountCode", "BridgeCreate", "BridgeDestroy", "BridgeEnter", "BridgeLeave",
    "BridgeVideoSourceUpdate", "HangupRequest", "SoftHangupRequest", "DTMFBegin", "DTMFEnd", "MusicOnHoldStart",
    "MusicOnHoldStop", "AGIExecStart", "AGIExecEnd", "ChannelTalkingStart", "ChannelTalkingStop", "LocalBridge",
    "LocalOptimizationBegin", "LocalOptimizationEnd", "Rename", "DialState", "MixMonitorStart", "MixMonitorStop",
    "Hold", "Unhold", "ExtensionStatus", "SuccessfulAuth", "ChallengeSent",
})


def unused_event(block: str) -> bool:
    """Whether a framed message is an event of :data:`UNUSED_EVENTS` (told from its first line, unparsed)."""
    if not block.startswith("Event: "):
        return False
    end = block.find("\r", 7)
    return block[7:end if end >= 0 else len(block)].strip() in UNUSED_EVENTS
MAX_MESSAGE_CHARS = 1 << 20  # a Command action's output may be long; Asterisk's events are a few KiB at most
MAX_HEADERS = 1_000  # CoreShowChannels sends one event per channel, each with ~20 headers


@dataclass
class Framed:
    """What one chunk of bytes gave: the whole messages it completed, and what was dropped and why."""

    messages: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


class AmiFramer:
    """Cuts an AMI byte stream into messages. ``feed`` never raises and keeps at most ``max_message_chars``
    characters of an unfinished message."""

    def __init__(self, encoding: str = "utf-8", max_message_chars: int = MAX_MESSAGE_CHARS,
                 max_headers: int = MAX_HEADERS) -> None:
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._pending = ""
        self._skipping = False  # inside an oversized message: discard up to the next blank line
        self.max_message_chars = max_message_chars
        self.max_headers = max_headers

    @property
    def pending_chars(self) -> int:
        return len(self._pending)

    def feed(self, data: bytes) -> Framed:
        out = Framed()
        text = self._pending + self._decoder.decode(data)
        *whole, rest = text.split(EOM)
        for block in whole:
            if self._skipping:  # the tail of a message already dropped as too long
                self._skipping = False
                continue
            self._keep(block, out)
        if len(rest) > self.max_message_chars:
            if not self._skipping:
                out.dropped.append(f"message longer than {self.max_message_chars} characters")
            self._skipping = True
            # Keep the last few characters: the blank line may be split between this chunk and the next.
            rest = rest[-(len(EOM) - 1):]
        self._pending = rest
        return out

    def _keep(self, block: str, out: Framed) -> None:
        block = block.strip()
        if not block:
            return
        if len(block) > self.max_message_chars:
            out.dropped.append(f"message longer than {self.max_message_chars} characters")
        elif block.count("\n") >= self.max_headers:
            out.dropped.append(f"message with more than {self.max_headers} header lines")
        else:
            out.messages.append(block)


class GuardedAmiProtocol(AMIProtocol):  # type: ignore[misc]
    """panoramisk's AMI protocol reading through :class:`AmiFramer`; handling a message that raises is logged
    and skipped, so the connection (and every other event on it) carries on."""

    framer: AmiFramer
    version: str | None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self.framer = AmiFramer()

    def data_received(self, data: bytes) -> None:
        framed = self.framer.feed(data)
        for reason in framed.dropped:
            log.warning("AMI: dropped a %s", reason)
        for block in framed.messages:
            if self.version is None and block.startswith("Asterisk Call Manager/"):
                self.version = block.partition("\r\n")[0].partition("/")[2].strip()
            self.handle_block(block)

    def handle_block(self, block: str) -> None:
        if unused_event(block):
            return
        try:
            message = Message.from_line(block)
            if message is not None:
                self.handle_message(message)
        except Exception as exc:  # one malformed message must not cut the link
            log.warning("AMI: skipped a message that could not be handled (%r): %.200r", exc, block)
