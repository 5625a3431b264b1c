"""The calls agents placed about a scheduled callback or a work order (click-to-call), read back from the contact
records: what a callback's outcome or a work order's history can refer to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from contacts.agent_call_record import OUTBOUND
from contacts.models import Contact, ContactEvent


@dataclass(frozen=True)
class OutboundCall:
    linkedid: str
    agent_id: int | None
    number: str | None
    placed_at: datetime
    answered_at: datetime | None  # the customer answered
    ended_at: datetime | None
    outcome: str | None  # answered, or why not: agent_noanswer, customer_busy, customer_noanswer, lines_busy ...
    work_order_id: int | None


def outbound_calls(session: Session, *, callback_id: int | None = None,
                   work_order_id: int | None = None) -> list[OutboundCall]:
    """The outbound calls placed for the callback (its id travels in the ``outbound.started`` event) or about
    the work order, oldest first."""
    query = select(Contact).where(Contact.direction == OUTBOUND)
    if callback_id is not None:
        placed = select(ContactEvent.linkedid).where(ContactEvent.type == "outbound.started",
                                                     ContactEvent.data["callback_id"].as_integer() == callback_id)
        query = query.where(Contact.linkedid.in_(placed))
    if work_order_id is not None:
        query = query.where(Contact.work_order_id == work_order_id)
    return [OutboundCall(c.linkedid, c.agent_id, c.dialed_number, c.arrived_at, c.answered_at, c.ended_at,
                         c.outcome, c.work_order_id)
            for c in session.scalars(query.order_by(Contact.arrived_at, Contact.id))]
