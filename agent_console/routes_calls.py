"""Calls from the console: click-to-call (an agent places a call, e.g. a callback 回访), transfer of the agent's
live call to another agent or a queue, and supervision of a live call (listen, whisper, barge).

The ACD decides (agent states, the transferred caller's place in line) and its routing node carries out the
telephony at once (AMI Originate, Redirect): a route returns as soon as the decision is taken, and the call's
progress reaches the consoles over the websocket (``outbound.*``, ``call.transferred``, ``call.offered``,
``spy.*``)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, model_validator
from sqlalchemy.orm import Session

from acd.agent_calls import DIAL_NUMBER
from acd.commands import DialOut, StartSpy, Transfer
from agent_console.auth import Principal
from agent_console.deps import ConsoleContext, Deps
from kernel.call_ids import new_outbound_id, new_spy_id
from kernel.row_ids import RowId
from work_orders.callback_store import mark_placed
from work_orders.store import get_work_order

NUMBER_PATTERN = f"^{DIAL_NUMBER.pattern}$"  # the ACD's own rule: 3 to 20 digits, + allowed in front


class DialIn(BaseModel):
    number: str = Field(pattern=NUMBER_PATTERN, description="the customer's number: 3 to 20 digits, + allowed in front")
    work_order_id: RowId | None = Field(default=None, description="the work order the call is about")
    callback_id: RowId | None = Field(default=None, description="the scheduled callback it places")


class TransferIn(BaseModel):
    to_agent_id: RowId | None = Field(default=None, description="an agent who is ready now")
    queue: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,39}$", description="or a queue")

    @model_validator(mode="after")
    def one_target(self) -> "TransferIn":
        if (self.to_agent_id is None) == (self.queue is None):
            raise ValueError("give to_agent_id or queue (one of them)")
        return self


class SpyIn(BaseModel):
    agent_id: RowId
    mode: Literal["listen", "whisper", "barge"]


def calls_router(ctx: ConsoleContext, deps: Deps) -> APIRouter:
    router = APIRouter(tags=["calls"])
    CurrentUser = Annotated[Principal, Depends(deps.principal)]
    Db = Annotated[Session, Depends(deps.session, scope="function")]  # committed before the answer is sent

    @router.post("/api/agent/dial", status_code=202)
    async def dial(body: DialIn, who: CurrentUser, db: Db) -> dict[str, Any]:
        """Click-to-call: the agent's own seat rings first; once they answer, the customer is dialled through
        the trunk with the hotline's number. The agent (ready or not ready) is offered no queue call until the
        call and its wrap-up are over. Returns the call's linkedid at once; the progress comes over the
        websocket: ``outbound.started``, ``outbound.agent_ringing``, ``outbound.customer_ringing``,
        ``outbound.answered``, ``outbound.failed`` (with its ``cause``), ``outbound.ended``. With a
        ``callback_id`` the callback is marked placed with the call's linkedid (its owner or a supervisor, while
        it is open), in the same transaction: if the ACD refuses the call, the callback stays as it was."""
        who.require("agent")
        work_order_id, account_number = body.work_order_id, None
        if body.work_order_id is not None:  # an agent calls about their own orders; supervisors about any
            account_number = get_work_order(db, who, body.work_order_id).account_number
        linkedid = new_outbound_id()
        if body.callback_id is not None:
            callback = mark_placed(db, who, body.callback_id, linkedid, ctx.clock.now())
            work_order_id = work_order_id or callback.work_order_id
            account_number = account_number or callback.account_number
        await ctx.acd.execute(DialOut(who.user_id, linkedid, body.number, work_order_id, body.callback_id,
                                      account_number))
        return {"linkedid": linkedid}

    @router.post("/api/agent/transfer")
    async def transfer(body: TransferIn, who: CurrentUser) -> dict[str, Any]:
        """Hands the caller the agent is talking to on: to an agent who is ready now (409 otherwise), whose
        seat rings with the same screen pop; or to a queue, where they wait on hold, first in line. The
        agent's leg is hung up and they go to wrap-up; the contact and its work orders stay one record."""
        who.require("agent")
        before = ctx.acd.state.agents.get(who.user_id)
        state = await ctx.acd.execute(Transfer(who.user_id, body.to_agent_id, body.queue))
        after = state.agents.get(who.user_id)
        return {"linkedid": after.call if after else before.call if before else None,
                "to_agent_id": body.to_agent_id, "queue": body.queue}

    @router.post("/api/supervision/spy", status_code=202)
    async def spy(body: SpyIn, who: CurrentUser) -> dict[str, Any]:
        """A supervisor listens to (``listen``), whispers to (``whisper``: only the agent hears them) or barges
        into (``barge``: both hear them) an agent's live call, on their own seat phone (bind one with PUT
        /api/agent/seat first): it rings, and on answer joins the call. 409 when the agent is not on a call.
        Every session is written to the audit log. Hang up the phone to end it."""
        who.require("supervisor")
        session = new_spy_id()
        state = await ctx.acd.execute(StartSpy(who.user_id, body.agent_id, body.mode, session))
        agent = state.agents.get(body.agent_id)
        return {"session": session, "agent_id": body.agent_id, "mode": body.mode,
                "linkedid": agent.call if agent else None}

    return router
