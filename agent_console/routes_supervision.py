"""Supervision: every agent's true state, forcing a state, the live queues, the emergency switch."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from acd.commands import SetEmergency
from acd.views import call_status, queue_summaries
from agent_console.agent_views import agent_view, state_command
from agent_console.auth import Principal
from agent_console.deps import ConsoleContext, Deps, plain_dict
from kernel.errors import NotFound
from kernel.row_ids import RowId


class EmergencyIn(BaseModel):
    on: bool
    note: str = Field(default="", max_length=200)


class ForceStateIn(BaseModel):
    state: Literal["ready", "not_ready", "logged_out"]


def supervision_router(ctx: ConsoleContext, deps: Deps) -> APIRouter:
    router = APIRouter(tags=["supervision"])
    CurrentUser = Annotated[Principal, Depends(deps.principal)]

    @router.get("/api/agents")
    def agents(who: CurrentUser) -> list[dict[str, Any]]:
        """Every agent's true state and the time it began (the wallboard)."""
        who.require("supervisor")
        return [{"agent_id": a.agent_id, **agent_view(a)} for a in ctx.acd.state.agents.values()]

    @router.put("/api/agents/{agent_id}/state")
    async def force_state(agent_id: RowId, body: ForceStateIn, who: CurrentUser) -> dict[str, Any]:
        """A supervisor forces an agent's state (reason "forced" for not ready)."""
        who.require("supervisor")
        state = await ctx.acd.execute(state_command(agent_id, body.state, "forced"))
        return agent_view(state.agents.get(agent_id))

    @router.get("/api/queues")
    def queues(who: CurrentUser) -> list[dict[str, Any]]:
        """Live queues: waiting calls, callbacks in line, longest wait, staffing and the estimated wait."""
        return [plain_dict(vars(q)) for q in queue_summaries(ctx.acd.state, ctx.clock.now())]

    @router.get("/api/queues/calls/{linkedid}")
    def queued_call(linkedid: str, who: CurrentUser) -> dict[str, Any]:
        """A waiting call's position in its queue and estimated wait."""
        status = call_status(ctx.acd.state, linkedid, ctx.clock.now())
        if status is None:
            raise NotFound(f"call {linkedid} is not waiting")
        return plain_dict(vars(status))

    @router.get("/api/acd/emergency")
    def emergency(who: CurrentUser) -> dict[str, Any]:
        return {"on": ctx.acd.state.emergency}

    @router.put("/api/acd/emergency")
    async def set_emergency(body: EmergencyIn, who: CurrentUser) -> dict[str, Any]:
        """The supervisor's emergency switch: opens the emergency seats and queues and changes overflow."""
        who.require("supervisor")
        state = await ctx.acd.execute(SetEmergency(body.on, who.user_id, body.note))
        return {"on": state.emergency}

    return router
