"""Writes every ACD switch a supervisor makes (emergency mode) and every supervision session (listen, whisper,
barge) to the append-only ``acd_audit`` table."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from acd.models import AcdAudit
from kernel.agent_call_events import SpyStarted
from kernel.call_events import EmergencyModeChanged
from kernel.database import transaction, write_until_stored
from kernel.events import Event

log = logging.getLogger(__name__)


class AcdAuditLog:
    def __init__(self, factory: sessionmaker[Session], retry_seconds: float = 1.0) -> None:
        self._factory = factory
        self._retry_seconds = retry_seconds

    async def on_event(self, event: Event) -> None:
        if isinstance(event, SpyStarted):
            log.warning("supervisor %s %s on agent %s's call %s from %s (session %s)", event.supervisor_id,
                        event.mode, event.agent_id, event.call_linkedid, event.seat, event.linkedid)
            await write_until_stored(lambda: self._write_spy(event), f"acd audit {event.to_wire()}",
                                     self._retry_seconds)
            return
        if not isinstance(event, EmergencyModeChanged):
            return
        log.warning("emergency mode %s by user %s (%s): emergency seats %s; overflow now %s",
                    "ON" if event.on else "OFF", event.actor_id, event.note or "-",
                    ",".join(event.emergency_seats) or "-", "; ".join(event.overflow) or "-")
        await write_until_stored(lambda: self._write(event), f"acd audit {event.to_wire()}", self._retry_seconds)

    def _write(self, event: EmergencyModeChanged) -> None:
        with transaction(self._factory) as session:
            session.add(AcdAudit(at=event.at, actor_id=event.actor_id,
                                 action="emergency_on" if event.on else "emergency_off",
                                 detail={"note": event.note, "emergency_seats": list(event.emergency_seats),
                                         "overflow": list(event.overflow)}))

    def _write_spy(self, event: SpyStarted) -> None:
        with transaction(self._factory) as session:
            session.add(AcdAudit(at=event.at, actor_id=event.supervisor_id, action=f"spy_{event.mode}",
                                 detail={"agent_id": event.agent_id, "linkedid": event.call_linkedid,
                                         "agent_seat": event.agent_seat, "seat": event.seat,
                                         "session": event.linkedid}))
