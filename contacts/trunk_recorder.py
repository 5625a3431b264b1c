"""Appends the carrier trunk's occupancy to ``trunk_occupancy``, one row per line seized, released or
refused. An event-bus subscriber like the contact recorder: events in order, a write retried while the
database is away. It keeps no count in memory: the last row is the state, so a restart loses nothing."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contacts.models import TrunkOccupancy
from contacts.trunk_lines import TRUNK_LINE_EVENTS, occupancy_change
from kernel.database import transaction, write_until_stored
from kernel.events import Event

log = logging.getLogger(__name__)


class TrunkOccupancyRecorder:
    def __init__(self, factory: sessionmaker[Session], retry_seconds: float = 1.0) -> None:
        self._factory = factory
        self._retry_seconds = retry_seconds

    async def on_event(self, event: Event) -> None:
        if not isinstance(event, TRUNK_LINE_EVENTS):
            return
        await write_until_stored(lambda: self.record(event), f"trunk occupancy {event.to_wire()}",
                                 self._retry_seconds)

    def record(self, event: Event) -> None:
        with transaction(self._factory) as session:
            last = session.scalars(
                select(TrunkOccupancy.lines_in_use).order_by(TrunkOccupancy.id.desc()).limit(1)).first()
            change = occupancy_change(last, event)
            if change is None:
                return
            session.add(TrunkOccupancy(at=change.at, linkedid=change.linkedid, change=change.change,
                                       lines_in_use=change.lines_in_use))
            log.debug("trunk lines %s -[%s]-> %s (call %s)", last, event.wire_type, change.lines_in_use,
                      event.linkedid)
