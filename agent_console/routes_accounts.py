"""/api/accounts: an account as an agent needs it on a call. Any logged-in agent (or above) may read any account:
it is what they need when its customer calls.

- ``GET /api/accounts/{account_number}`` → ``{"account": {account_number, name, address, supply_zone,
  amount_due, due_date, payment_status, phone, company}, "outages": [outage under way in its zone]}``; 404 for
  an unknown account, 503 ``billing_unavailable`` when the billing system is down.
- ``GET /api/accounts/{account_number}/history`` → ``{"account_number", "contacts": [{linkedid, arrived_at,
  caller_number, queue, agent_id, agent_name, outcome, ivr_path, answered_at, ended_at, satisfaction,
  callback_status}], "work_orders": [order (as in work_orders.api), open ones first]}``."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from agent_console.account_history import AccountLookup, bill_view
from agent_console.auth import Principal
from kernel.errors import NotFound

AccountNumber = Annotated[str, Path(pattern=r"^[0-9]{4,20}$")]


def account_router(principal: Callable[..., Any], accounts: AccountLookup) -> APIRouter:
    router = APIRouter(prefix="/api/accounts", tags=["accounts"])
    CurrentUser = Annotated[Principal, Depends(principal)]

    @router.get("/{account_number}")
    async def account(account_number: AccountNumber, who: CurrentUser) -> dict[str, Any]:
        who.require("agent")
        bill, outages = await accounts.account(account_number)
        if bill is None:
            raise NotFound(f"no account {account_number}")
        return {"account": bill_view(bill), "outages": outages}

    @router.get("/{account_number}/history")
    async def history(account_number: AccountNumber, who: CurrentUser) -> dict[str, Any]:
        who.require("agent")
        return await accounts.history(account_number)

    return router
