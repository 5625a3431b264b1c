"""The screen pop: what an agent's console shows when a call rings at their seat.

The ``call.offered`` payload (v1) is the offer's own fields (``linkedid``, ``caller_number``, ``queue``,
``ivr_path``, ``account_number``, ...) plus, for a call with an account number:

- ``account``: ``{account_number, name, address, supply_zone, amount_due, due_date, payment_status, phone,
  company}`` or null (unknown account, or ``account_error`` when the billing system is down);
- ``outages``: the outages under way in the account's supply zone (as ``/api/outages`` shows them);
- ``history``: ``{account_number, contacts: [past calls, newest first], work_orders: [open ones first]}``;
- ``work_orders``: the same work orders as ``history.work_orders`` (kept for earlier consoles).

Without an account number they are null and empty. A call another agent transferred (``transferred_by``) also
brings, first in ``work_orders``, the work orders opened during it, whatever the account."""

from __future__ import annotations

from typing import Any

from agent_console.account_history import AccountLookup
from kernel.call_events import CallOffered


class ScreenPopBuilder:
    def __init__(self, accounts: AccountLookup) -> None:
        self._accounts = accounts

    async def screen_pop(self, offer: CallOffered) -> dict[str, Any]:
        payload = offer.to_wire()
        payload.update({"account": None, "outages": [], "history": None, "work_orders": []})
        if offer.account_number:
            payload.update(await self._accounts.card(offer.account_number))
            payload["work_orders"] = payload["history"]["work_orders"]
        if offer.transferred_by is not None and offer.linkedid:
            during = await self._accounts.call_orders(offer.linkedid)
            seen = {order["id"] for order in during}
            payload["work_orders"] = [*during, *(o for o in payload["work_orders"] if o["id"] not in seen)]
        return payload
