"""The agent's own routes: log in, bind a seat, set a state (with a reason), extend wrap-up; the seats and who
holds them; who is who."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from acd.commands import ExtendWrapUp, LogIn
from agent_console.agent_views import agent_view, state_command
from agent_console.auth import Principal, issue_token, verify_password
from agent_console.deps import ConsoleContext, Deps
from agent_console.login_limit import LoginLimiter
from agent_console.models import User
from kernel.errors import InvalidInput, RateLimited, Unauthorized


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class SeatIn(BaseModel):
    seat: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")


class StateIn(BaseModel):
    state: Literal["ready", "not_ready", "logged_out"]
    reason: str = Field(default="break", max_length=40)


class WrapUpExtendIn(BaseModel):
    seconds: float = Field(gt=0, le=600)


def agent_router(ctx: ConsoleContext, deps: Deps) -> APIRouter:
    router = APIRouter(tags=["agent"])
    CurrentUser = Annotated[Principal, Depends(deps.principal)]
    Db = Annotated[Session, Depends(deps.session, scope="function")]

    auth = ctx.settings.auth
    limiter = LoginLimiter(auth.login_max_failures, auth.login_window_seconds)

    @router.post("/api/auth/login", responses={429: {"description": "too many failed log-ins; see Retry-After"}})
    def login(body: LoginIn, request: Request, db: Db) -> dict[str, Any]:
        """A bearer token for the user. Failed log-ins are limited per username and per client address
        (agent_console.login_limit): past the limit, 429 with Retry-After, whatever the password."""
        now = ctx.clock.now()
        keys = LoginLimiter.keys(body.username, request.client.host if request.client else "")
        wait = limiter.retry_after(keys, now)
        if wait is not None:
            raise RateLimited(f"too many failed log-ins; try again in {wait} s", retry_after=wait)
        user = db.scalars(select(User).where(User.username == body.username)).one_or_none()
        if user is None or not user.active or not verify_password(user.password_hash, body.password):
            limiter.failed(keys, now)
            raise Unauthorized("wrong username or password")
        limiter.succeeded(keys[0])
        who = Principal(user_id=user.id, username=user.username, role=user.role)
        token = issue_token(who, ctx.settings.auth.secret_key, ctx.settings.auth.token_minutes, ctx.clock.now())
        return {"access_token": token, "token_type": "bearer",
                "user": {"id": user.id, "username": user.username, "display_name": user.display_name,
                         "role": user.role}}

    @router.get("/api/agent")
    def my_agent(who: CurrentUser) -> dict[str, Any]:
        return agent_view(ctx.acd.state.agents.get(who.user_id))

    @router.get("/api/agent/reasons")
    def not_ready_reasons(who: CurrentUser) -> list[str]:
        """The not-ready reasons an agent may give (``acd.reasons``)."""
        return list(ctx.settings.acd.reasons)

    @router.put("/api/agent/seat")
    async def bind_seat(body: SeatIn, who: CurrentUser, db: Db) -> dict[str, Any]:
        if body.seat not in {s.name for s in ctx.settings.asterisk.seats}:
            raise InvalidInput(f"unknown seat {body.seat}")
        user = db.get(User, who.user_id)
        skills = dict(user.skills or {}) if user else {}
        queues = frozenset(user.queues or ()) if user else frozenset()
        state = await ctx.acd.execute(LogIn(who.user_id, body.seat, skills, queues))
        return agent_view(state.agents.get(who.user_id))

    @router.put("/api/agent/state")
    async def set_state(body: StateIn, who: CurrentUser) -> dict[str, Any]:
        state = await ctx.acd.execute(state_command(who.user_id, body.state, body.reason or "break"))
        return agent_view(state.agents.get(who.user_id))

    @router.post("/api/agent/wrapup/extend")
    async def extend_wrapup(body: WrapUpExtendIn, who: CurrentUser) -> dict[str, Any]:
        state = await ctx.acd.execute(ExtendWrapUp(who.user_id, body.seconds))
        return agent_view(state.agents.get(who.user_id))

    @router.get("/api/users")
    def users(who: CurrentUser, db: Db) -> list[dict[str, Any]]:
        """The active users' names and roles: whom to hand a work order over or transfer a call to."""
        rows = db.scalars(select(User).where(User.active.is_(True)).order_by(User.username))
        return [{"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role} for u in rows]

    @router.get("/api/seats")
    def seats(who: CurrentUser) -> list[dict[str, Any]]:
        registered = ctx.acd.state.registered_seats
        taken = {a.seat: a.agent_id for a in ctx.acd.state.agents.values() if a.state.value != "logged_out"}
        return [{"seat": s.name, "registered": s.name in registered, "agent_id": taken.get(s.name)}
                for s in ctx.settings.asterisk.seats]

    return router
