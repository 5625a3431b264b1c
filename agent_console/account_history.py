"""An account as the console shows it on a call: its bill (from the billing gateway: name, address, zone, amount
due, due date, payment status), the outages in its supply zone right now, and its history — past calls and
work orders, open ones first. The screen pop and ``/api/accounts`` both use it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from billing.gateway import Bill, BillingGateway, BillingUnavailable
from contacts.models import Contact
from kernel.clock import Clock
from outages.api import outage_view
from outages.store import list_outages
from work_orders.models import WorkOrder
from work_orders.views import iso, order_items, user_names

T = TypeVar("T")
HISTORY_CONTACTS = 10
HISTORY_ORDERS = 20


def bill_view(bill: Bill) -> dict[str, Any]:
    return {"account_number": bill.account_number, "name": bill.name, "address": bill.address,
            "supply_zone": bill.supply_zone, "amount_due": str(bill.amount_due),
            "due_date": bill.due_date.isoformat() if bill.due_date else None,
            "payment_status": bill.payment_status.value, "phone": bill.phone, "company": bill.company}


def current_outages(session: Session, zone: str, now: datetime) -> list[dict[str, Any]]:
    """Outages of ``zone`` under way at ``now`` (started, not ended, not cancelled)."""
    if not zone:
        return []
    return [outage_view(o) for o in list_outages(session, zone=zone, current_at=now) if o.starts_at <= now]


def account_history(session: Session, account_number: str, now: datetime, *, contacts: int = HISTORY_CONTACTS,
                    orders: int = HISTORY_ORDERS) -> dict[str, Any]:
    """The account's latest calls (newest first) and work orders (open ones first, then newest first)."""
    calls = list(session.scalars(select(Contact).where(Contact.account_number == account_number)
                                 .order_by(Contact.arrived_at.desc(), Contact.id.desc()).limit(contacts)))
    found = list(session.scalars(select(WorkOrder).where(WorkOrder.account_number == account_number)
                                 .order_by((WorkOrder.status == "closed").asc(), WorkOrder.created_at.desc(),
                                           WorkOrder.id.desc()).limit(orders)))
    names = user_names(session, [c.agent_id for c in calls])
    return {"account_number": account_number,
            "contacts": [{"linkedid": c.linkedid, "arrived_at": iso(c.arrived_at), "caller_number": c.caller_number,
                          "queue": c.queue, "agent_id": c.agent_id,
                          "agent_name": names.get(c.agent_id) if c.agent_id is not None else None,
                          "outcome": c.outcome, "ivr_path": c.ivr_path, "answered_at": iso(c.answered_at),
                          "ended_at": iso(c.ended_at), "satisfaction": c.satisfaction,
                          "callback_status": c.callback_status} for c in calls],
            "work_orders": order_items(session, found, now)}


def call_orders(session: Session, linkedid: str, now: datetime) -> list[dict[str, Any]]:
    """The work orders opened during the call (a transferred call's pop brings them, whatever the account)."""
    found = list(session.scalars(select(WorkOrder).join(Contact, WorkOrder.contact_id == Contact.id)
                                 .where(Contact.linkedid == linkedid).order_by(WorkOrder.id)))
    return order_items(session, found, now)


class AccountLookup:
    """What the console shows of an account, read through the billing gateway and the database."""

    def __init__(self, billing: BillingGateway, factory: sessionmaker[Session], clock: Clock) -> None:
        self._billing = billing
        self._factory = factory
        self._clock = clock

    async def account(self, account_number: str) -> tuple[Bill | None, list[dict[str, Any]]]:
        """The bill (None for an unknown account) and the outages now in its zone; raises BillingUnavailable."""
        bill = await self._billing.bill_for(account_number)
        zone = bill.supply_zone if bill is not None else ""
        return bill, await asyncio.to_thread(self._read, lambda s, now: current_outages(s, zone, now))

    async def history(self, account_number: str) -> dict[str, Any]:
        return await asyncio.to_thread(self._read, lambda s, now: account_history(s, account_number, now))

    async def call_orders(self, linkedid: str) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self._read, lambda s, now: call_orders(s, linkedid, now))

    async def card(self, account_number: str) -> dict[str, Any]:
        """Everything for the screen pop; a billing system that is down leaves ``account`` None and says so in
        ``account_error``, the rest still comes."""
        card: dict[str, Any] = {"account": None, "outages": []}
        try:
            bill, card["outages"] = await self.account(account_number)
            card["account"] = bill_view(bill) if bill is not None else None
        except BillingUnavailable:
            card["account_error"] = "billing system unavailable"
        card["history"] = await self.history(account_number)
        return card

    def _read(self, query: Callable[[Session, datetime], T]) -> T:
        with self._factory() as session:
            return query(session, self._clock.now())
