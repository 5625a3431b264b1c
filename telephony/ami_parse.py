"""AMI events -> Qingquan's call events. Pure: a mapping of AMI header fields in, a typed event (or None) out.

Malformed or irrelevant events give None, never an exception: an AMI stream may carry anything."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime

from kernel.agent_call_events import (
    OutboundAgentRinging,
    OutboundAnswered,
    OutboundCustomerRinging,
    OutboundEnded,
    OutboundFailed,
    SpyEnded,
)
from kernel.call_events import (
    AgentLegEnded,
    AgentRinging,
    CallArrived,
    CallbackDialEnded,
    CallEnded,
    CallQueued,
    OfferAnswered,
    OfferFailed,
    RecordingStarted,
    SeatAvailability,
    TrunkLineReleased,
    TrunkLinesBusy,
    TrunkLineSeized,
)
from kernel.call_ids import is_outbound, is_spy
from kernel.events import Event

log = logging.getLogger(__name__)

TRUNK_CONTEXT = "from-trunk"
_PJSIP_CHANNEL = re.compile(r"^PJSIP/(?P<endpoint>[A-Za-z0-9_.+-]+)-[0-9a-f]+$")
_CALLBACK_ID = re.compile(r"^cb[0-9]+-(?P<linkedid>.+)$")
_UNAVAILABLE_STATES = frozenset({"UNAVAILABLE", "INVALID", "UNKNOWN"})


def endpoint_of(channel: str) -> str | None:
    """``PJSIP/seat1001-0000002a`` -> ``seat1001``."""
    match = _PJSIP_CHANNEL.match(channel)
    return match.group("endpoint") if match else None


def flatten(message: Mapping[str, object]) -> dict[str, str]:
    """AMI may repeat a header (a UserEvent field named like a channel field): the first value wins."""
    flat: dict[str, str] = {}
    for key, value in message.items():
        if isinstance(value, list):
            value = value[0] if value else ""
        flat[str(key)] = str(value)
    return flat


def parse_event(fields: Mapping[str, str], seats: frozenset[str], now: datetime) -> Event | None:
    name = fields.get("Event", "")
    try:
        parser = _PARSERS.get(name)
        return parser(fields, seats, now) if parser else None
    except Exception as exc:
        log.warning("ignoring malformed AMI %s event: %r", name, exc)
        return None


def _caller_is_trunk(fields: Mapping[str, str]) -> bool:
    return fields.get("Uniqueid") == fields.get("Linkedid") and endpoint_of(fields["Channel"]) == "trunk"


def _newchannel(fields: Mapping[str, str], seats: frozenset[str], now: datetime) -> Event | None:
    if not _caller_is_trunk(fields):
        return None
    return CallArrived(at=now, linkedid=fields["Linkedid"], channel=fields["Channel"],
                       caller_number=_clean(fields.get("CallerIDNum")), dialed_number=_clean(fields.get("Exten")))


def _user_event(fields: Mapping[str, str], seats: frozenset[str], now: datetime) -> Event | None:
    kind = fields.get("UserEvent")
    if kind == "QingquanQueued":
        priority = fields.get("QueuePriority", "").strip()
        return CallQueued(
            at=now, linkedid=fields["Linkedid"], channel=fields["Channel"],
            queue=_clean(fields.get("Queue")) or "general",
            account_number=_clean(fields.get("Account")) or None,
            priority=int(priority) if priority.lstrip("-").isdigit() else 0,
            ivr_path=_clean(fields.get("Path")),
            caller_number=_clean(fields.get("CallerIDNum")),
            owner_agent=int(owner) if (owner := _clean(fields.get("Owner"))).isdigit() else None,
            held=_clean(fields.get("Dial")) == "no",
        )
    if kind == "QingquanLinesBusy":
        return TrunkLinesBusy(at=now, linkedid=fields.get("Linkedid"),
                              caller_number=_clean(fields.get("CallerIDNum")))
    if kind == "QingquanOutboundRefused":  # acd-outbound found every trunk line taken
        return OutboundFailed(at=now, linkedid=fields["Linkedid"], cause=_clean(fields.get("Cause")) or "refused")
    if kind == "QingquanRecording":
        return _recording_started(fields, now)
    if kind in _TRUNK_LINE_EVENTS:
        return _TRUNK_LINE_EVENTS[kind](at=now, linkedid=fields["Linkedid"], channel=fields["Channel"],
                                        lines_in_use=_line_count(fields.get("Lines")))
    return None


def _recording_started(fields: Mapping[str, str], now: datetime) -> Event | None:
    """qq-record's event on the leg it records: the agent's own (its endpoint is the seat), or a callback's
    customer leg (the seat comes in the event, the linkedid is the callback's)."""
    file = _clean(fields.get("File"))
    seat = _clean(fields.get("Seat")) or endpoint_of(fields.get("Channel", "")) or ""
    linkedid = fields["Linkedid"]
    if not file.endswith(".wav") or not seat:
        log.warning("ignoring a recording event without a WAV file or a seat: %r", dict(fields))
        return None
    return RecordingStarted(at=now, linkedid=callback_call(linkedid) or linkedid, seat=seat, file=file)


_TRUNK_LINE_EVENTS = {"QingquanTrunkSeized": TrunkLineSeized, "QingquanTrunkReleased": TrunkLineReleased}


def _line_count(value: str | None) -> int | None:
    """The dialplan's ``GROUP_COUNT(trunk@qq)``; None when missing or not a count."""
    text = _clean(value)
    return int(text) if text.isdigit() else None


def _originated(fields: Mapping[str, str]) -> bool:
    """An Originate dials with no calling channel: its Dial events carry only the ``Dest...`` fields. Ours is
    the agent leg of a queue callback, whose outcome the ACD learns from the OriginateResponse."""
    return "Linkedid" not in fields and "DestLinkedid" in fields


def _dial_begin(fields: Mapping[str, str], seats: frozenset[str], now: datetime) -> Event | None:
    seat = endpoint_of(fields.get("DestChannel", ""))
    if _originated(fields) and is_outbound(fields.get("DestLinkedid", "")) and seat in seats:
        return OutboundAgentRinging(at=now, linkedid=fields["DestLinkedid"], seat=seat)
    if seat == "trunk" and is_outbound(fields.get("Linkedid", "")):
        return OutboundCustomerRinging(at=now, linkedid=fields["Linkedid"], channel=fields["DestChannel"])
    if seat not in seats or _originated(fields):
        return None
    return AgentRinging(at=now, linkedid=fields["Linkedid"], seat=seat, agent_channel=fields["DestChannel"])


def callback_call(linkedid: str) -> str | None:
    """A queue callback's agent leg has the channel id ``cb<attempt>-<linkedid of the original call>``."""
    match = _CALLBACK_ID.match(linkedid)
    return match.group("linkedid") if match else None


def _dial_end(fields: Mapping[str, str], seats: frozenset[str], now: datetime) -> Event | None:
    seat = endpoint_of(fields.get("DestChannel", ""))
    original = callback_call(fields.get("Linkedid", ""))
    if original is not None and seat == "trunk":
        return CallbackDialEnded(at=now, linkedid=original, status=fields.get("DialStatus", "").upper())
    if seat == "trunk" and is_outbound(fields.get("Linkedid", "")):
        return _outbound_dial_end(fields["Linkedid"], fields.get("DialStatus", "").upper(), now)
    if seat not in seats or _originated(fields):
        return None
    status = fields.get("DialStatus", "").upper()
    if status == "ANSWER":
        return OfferAnswered(at=now, linkedid=fields["Linkedid"], seat=seat)
    if not status:
        return None
    return OfferFailed(at=now, linkedid=fields["Linkedid"], seat=seat, status=status)


def _outbound_dial_end(linkedid: str, status: str, now: datetime) -> Event | None:
    """The customer leg of an outbound call answered, or why not (CANCEL: the agent hung up while it rang)."""
    if status == "ANSWER":
        return OutboundAnswered(at=now, linkedid=linkedid)
    if not status:
        return None
    cause = "agent_hangup" if status == "CANCEL" else f"customer_{status.lower()}"
    return OutboundFailed(at=now, linkedid=linkedid, cause=cause[:24])


def _hangup(fields: Mapping[str, str], seats: frozenset[str], now: datetime) -> Event | None:
    if _caller_is_trunk(fields):
        return CallEnded(at=now, linkedid=fields["Linkedid"], channel=fields["Channel"],
                         cause=_clean(fields.get("Cause-txt")) or _clean(fields.get("Cause")))
    seat = endpoint_of(fields.get("Channel", ""))
    if seat not in seats or not fields.get("Linkedid"):
        return None
    original = callback_call(fields["Linkedid"])
    if original is not None:
        return AgentLegEnded(at=now, linkedid=original, seat=seat)
    if fields["Linkedid"] != fields.get("Uniqueid"):
        return AgentLegEnded(at=now, linkedid=fields["Linkedid"], seat=seat)
    if is_outbound(fields["Linkedid"]):  # the seat's own leg placed the call: the call is over
        return OutboundEnded(at=now, linkedid=fields["Linkedid"], seat=seat,
                             cause=_clean(fields.get("Cause-txt")) or _clean(fields.get("Cause")))
    if is_spy(fields["Linkedid"]):
        return SpyEnded(at=now, linkedid=fields["Linkedid"], seat=seat)
    return None


def _device_state(fields: Mapping[str, str], seats: frozenset[str], now: datetime) -> Event | None:
    device = fields.get("Device", "")
    if not device.startswith("PJSIP/"):
        return None
    seat = device.removeprefix("PJSIP/")
    if seat not in seats:
        return None
    return SeatAvailability(at=now, seat=seat, registered=fields.get("State", "").upper() not in _UNAVAILABLE_STATES)


_REACHABLE_PEER_STATUSES = frozenset({"REGISTERED", "REACHABLE", "LAGGED"})


def _peer_status(fields: Mapping[str, str], seats: frozenset[str], now: datetime) -> Event | None:
    """PJSIP reports a seat phone's contact coming and going as PeerStatus (PJSIP/seat1001 Reachable)."""
    seat = fields.get("Peer", "").removeprefix("PJSIP/")
    if seat not in seats:
        return None
    registered = fields.get("PeerStatus", "").upper() in _REACHABLE_PEER_STATUSES
    return SeatAvailability(at=now, seat=seat, registered=registered)


def endpoint_list_entry(fields: Mapping[str, str], seats: frozenset[str], now: datetime) -> Event | None:
    """An ``EndpointList`` entry of the PJSIPShowEndpoints response (resync after (re)connecting)."""
    seat = fields.get("ObjectName", "")
    if seat not in seats:
        return None
    return SeatAvailability(at=now, seat=seat,
                            registered=fields.get("DeviceState", "").upper() not in _UNAVAILABLE_STATES)


def talking_seats(entries: list[Mapping[str, str]], seats: frozenset[str]) -> dict[str, str]:
    """From a CoreShowChannels listing: the calls whose seat leg is in a bridge (an agent talks to the caller),
    as linkedid -> seat. A seat's own call (outbound, supervision) has the seat leg as its first channel and is
    not counted."""
    talking: dict[str, str] = {}
    for entry in entries:
        seat = endpoint_of(entry.get("Channel", ""))
        linkedid = entry.get("Linkedid", "")
        if (seat in seats and linkedid and linkedid != entry.get("Uniqueid") and entry.get("BridgeId")
                and not is_outbound(linkedid) and not is_spy(linkedid)):
            talking[callback_call(linkedid) or linkedid] = str(seat)
    return talking


def _clean(value: str | None) -> str:
    if value is None or value in ("<unknown>", "(null)"):
        return ""
    return value.strip()


_PARSERS = {
    "Newchannel": _newchannel,
    "UserEvent": _user_event,
    "DialBegin": _dial_begin,
    "DialEnd": _dial_end,
    "Hangup": _hangup,
    "DeviceStateChange": _device_state,
    "PeerStatus": _peer_status,
}
PARSED_EVENTS = frozenset(_PARSERS)  # the AMI events that become Qingquan events
