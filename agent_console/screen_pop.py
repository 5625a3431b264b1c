"""The screen pop: what an agent's console shows when a call rings at their seat."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, sessionmaker

from agent_console.models import WorkOrder
from billing.gateway import BillingGateway, BillingUnavailable
from contacts.models import Contact
from kernel.call_events import CallOffered


class ScreenPopBuilder:
    def __init__(self, billing: BillingGateway, factory: sessionmaker[Session]) -> None:
        self._billing = billing
        self._factory = factory

    async def screen_pop(self, offer: CallOffered) -> dict[str, Any]:
        payload = offer.to_wire()
        payload["account"] = None
        payload["work_orders"] = []
        if offer.account_number:
            try:
                bill = await self._billing.bill_for(offer.account_number)
            except BillingUnavailable:
                bill = None
                payload["account_error"] = "billing system unavailable"
            if bill is not None:
                payload["account"] = {
                    "account_number": bill.account_number, "name": bill.name, "address": bill.address,
                    "supply_zone": bill.supply_zone, "amount_due": str(bill.amount_due),
                    "due_date": bill.due_date.isoformat() if bill.due_date else None,
                }
        if offer.account_number or offer.transferred_by is not None:
            # a transferred call brings the work orders opened during it, whatever the account
            payload["work_orders"] = await asyncio.to_thread(
                self._orders, offer.account_number, offer.linkedid if offer.transferred_by is not None else None)
        return payload

    def _orders(self, account_number: str | None, linkedid: str | None) -> list[dict[str, Any]]:
        wanted: list[ColumnElement[bool]] = []
        if account_number:
            wanted.append(WorkOrder.account_number == account_number)
        if linkedid:
            wanted.append(WorkOrder.contact_id == select(Contact.id).where(Contact.linkedid == linkedid)
                          .scalar_subquery())
        with self._factory() as session:
            query = select(WorkOrder).where(or_(*wanted)).order_by(WorkOrder.id.desc()).limit(10)
            return [{"id": o.id, "category": o.category, "status": o.status, "description": o.description,
                     "created_at": o.created_at.isoformat()} for o in session.scalars(query)]
