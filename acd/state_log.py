"""Appends every agent state change to ``agent_state_change`` (time in each state, occupancy) and keeps the
answering agent's after-call work on the contact (``contact.acw_seconds``) in the same transaction.

A wrap-up segment lasts from the agent's change to ``wrap_up`` (carrying the call's linkedid) to the agent's
next change, as the reports have always counted it (LEAD over the agent's changes in (at, id) order). So each
new change ends the segment its predecessor started: when that one was a wrap-up, its seconds are added to
the contact the agent answered with that linkedid. A change that arrives late (a later change of the agent is
already stored) cuts the segment it falls into and starts one ending at that later change; the deltas keep
the stored sum equal to the log's. A retried write whose first attempt did commit finds its row already
stored and changes nothing, so the writer's retry never counts a segment twice."""

from __future__ import annotations

import logging

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from acd.models import AgentStateChange
from contacts.models import Contact
from kernel.call_events import AgentStateChanged
from kernel.database import transaction, write_until_stored
from kernel.events import Event

log = logging.getLogger(__name__)

WRAP_UP = "wrap_up"


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
            change = AgentStateChange
            stored = session.scalar(select(change.id).where(
                change.agent_id == event.agent_id, change.at == event.at, change.to_state == event.to_state,
                change.from_state == event.from_state,
                change.linkedid.is_(None) if event.linkedid is None else change.linkedid == event.linkedid)
                .limit(1))
            if stored is not None:  # a retry of a write that did commit
                return
            previous = session.execute(
                select(change.to_state, change.linkedid, change.at)
                .where(change.agent_id == event.agent_id, change.at <= event.at)
                .order_by(change.at.desc(), change.id.desc()).limit(1)).first()
            following = session.scalar(select(func.min(change.at)).where(change.agent_id == event.agent_id,
                                                                         change.at > event.at))
            session.add(AgentStateChange(agent_id=event.agent_id, from_state=event.from_state,
                                         to_state=event.to_state, reason=event.reason, linkedid=event.linkedid,
                                         at=event.at))
            if previous is not None and previous.to_state == WRAP_UP and previous.linkedid:
                # its segment now ends here, not at the following change (nor open, if there is none)
                until = previous.at if following is None else following
                _add_acw(session, previous.linkedid, event.agent_id, (event.at - until).total_seconds())
            if following is not None and event.to_state == WRAP_UP and event.linkedid:
                _add_acw(session, event.linkedid, event.agent_id, (following - event.at).total_seconds())


def _add_acw(session: Session, linkedid: str, agent_id: int, seconds: float) -> None:
    """Adds ``seconds`` to the after-call work of the call ``linkedid`` if ``agent_id`` answered it."""
    session.execute(update(Contact)
                    .where(Contact.linkedid == linkedid, Contact.agent_id == agent_id)
                    .values(acw_seconds=func.coalesce(Contact.acw_seconds, 0.0) + seconds))

