"""The carrier trunk's lines in use, as a fold over trunk events. Pure: the last recorded count and an event
in, the occupancy change to append out (or None).

Asterisk keeps the count itself (``GROUP_COUNT(trunk@qq)``) and the dialplan reports it when a call takes a
line and when it lets it go, so each row carries the true figure even after the app restarted or the AMI link
dropped and events were missed. Only when the dialplan gave no count does the fold step the last one; a
refusal (all lines busy) leaves the count as it was. The count is never negative."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kernel.call_events import TrunkLineReleased, TrunkLinesBusy, TrunkLineSeized
from kernel.events import Event

SEIZED = 1
RELEASED = -1
REFUSED = 0
TRUNK_LINE_EVENTS = (TrunkLineSeized, TrunkLineReleased, TrunkLinesBusy)


@dataclass(frozen=True)
class OccupancyChange:
    at: datetime
    linkedid: str | None
    change: int  # SEIZED, RELEASED or REFUSED
    lines_in_use: int  # after the change


def occupancy_change(last_lines: int | None, event: Event) -> OccupancyChange | None:
    """The row to append for ``event``, given the count of the last row (None when there is none yet)."""
    last = max(0, last_lines or 0)
    match event:
        case TrunkLineSeized():
            return _change(event, SEIZED, event.lines_in_use, last + 1)
        case TrunkLineReleased():
            return _change(event, RELEASED, event.lines_in_use, last - 1)
        case TrunkLinesBusy():
            return _change(event, REFUSED, None, last)
    return None


def _change(event: Event, change: int, reported: int | None, stepped: int) -> OccupancyChange:
    lines = reported if reported is not None else stepped
    return OccupancyChange(at=event.at, linkedid=event.linkedid, change=change, lines_in_use=max(0, lines))
