"""Appends every agent state change to ``agent_state_change`` (time in each state, occupancy)."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from acd.models import AgentStateChange
from kernel.call_events import AgentStateChanged
from kernel.database import transaction, write_until_stored
from kernel.events import Event

log = logging.getLogger(__name__)


class AgentStateLog:
    def __init__(self, factory: sessionmaker[Session], retry_seconds: float = 1.0) -> None:
        self._factory = factory
        self._retry_seconds = retry_seconds

    async def on_event(self, event: Event) -> None:
        if not isinstance(event, AgentStateChanged):
            return
        await write_until_stored(lambda: self._write(event), f"agent state change {event.to_wire()}",
                                 self._retry_seconds)

    def _write(self, event: AgentStateChanged) -> None:
        with transaction(self._factory) as session:
            session.add(AgentStateChange(agent_id=event.agent_id, from_state=event.from_state,
                                         to_state=event.to_state, reason=event.reason, linkedid=event.linkedid,
                                         at=event.at))
