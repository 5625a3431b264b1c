"""What a resync with Asterisk (after a lost AMI link or an app restart) tells an open contact record. Pure:
the contact's present values and what Asterisk's channel list showed for its call in; the fields to change
and the *parts* read back from Asterisk (not from live events) out. The recorder writes the parts as a
``contact.resynced`` event and marks the contact ``reconstructed``.

Parts:

- ``waiting``: the caller was found on hold and put back in line;
- ``in_call``: the caller was found talking to a seat (the talk went on while nobody watched);
- ``answered_at``: that talk's answer was never seen: the call counts as answered at the resync;
- ``ended_at`` (with ``talk_ended_at`` for an answered call): the call had no channel left; its hang-up was
  never seen, so it ends at the resync (an upper bound)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from contacts.record import changes_for, seconds_between
from kernel.call_events import CallEnded, ChannelsResynced

# Open contacts older than this are left alone by a resync (a row left open long ago is not this outage's).
RESYNC_WINDOW = timedelta(hours=24)
UNSEEN_HANGUP = "not seen (resync)"
RESYNCED_EVENT = "contact.resynced"  # the contact_event type; data {"parts": [...]}


@dataclass(frozen=True)
class Resynced:
    changes: dict[str, Any]
    parts: tuple[str, ...]


def resynced(current: Mapping[str, Any], linkedid: str, seen: ChannelsResynced, *,
             short_abandon_seconds: float) -> Resynced:
    """The changes to the open contact ``current`` of call ``linkedid`` after the resync ``seen``."""
    at = seen.at
    if linkedid not in seen.live:
        ended = changes_for(current, CallEnded(at=at, linkedid=linkedid, channel="", cause=UNSEEN_HANGUP),
                            short_abandon_seconds=short_abandon_seconds)
        parts = ("ended_at", "talk_ended_at") if "talk_ended_at" in ended else ("ended_at",)
        return Resynced({**ended, "reconstructed": True}, parts)
    seat = seen.seat_talking().get(linkedid)
    if seat is not None:
        if current.get("answered_at"):
            return Resynced({"reconstructed": True}, ("in_call",))
        answered = {"answered_at": at, "seat": seat, "offer_state": "answered",
                    "wait_seconds": seconds_between(current.get("queued_at"), at), "reconstructed": True}
        return Resynced(answered, ("in_call", "answered_at"))
    if linkedid in seen.waiting:
        return Resynced({"reconstructed": True}, ("waiting",))
    return Resynced({}, ())
