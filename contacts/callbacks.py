"""Queue callbacks still owed, read back from the contact records (a restart must not lose a promise)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contacts.models import Contact


@dataclass(frozen=True)
class OwedCallback:
    linkedid: str
    queue: str
    number: str
    account_number: str | None


def owed_callbacks(session: Session, since: datetime) -> list[OwedCallback]:
    """Callbacks requested since ``since`` that no agent has answered yet, oldest first (in line since they
    queued, or, for a caller the night service took, since they left the IVR)."""
    joined = func.coalesce(Contact.queued_at, Contact.ivr_left_at, Contact.arrived_at)
    query = (select(Contact).where(Contact.callback_status == "requested", Contact.callback_number.is_not(None),
                                   Contact.arrived_at >= since).order_by(joined, Contact.id))
    return [OwedCallback(c.linkedid, c.queue or "", c.callback_number or "", c.account_number)
            for c in session.scalars(query)]
