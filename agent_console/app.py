"""The console's HTTP + websocket API (FastAPI). Built by the composition root with its collaborators;
nothing is created at import time. Every route checks the caller's role; errors map to HTTP in one place."""


import asyncio
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from acd.agents import Agent
from acd.commands import ExtendWrapUp, LogIn, LogOut, SetEmergency, SetNotReady, SetReady
from acd.core import AcdState
from acd.node import AcdNode
from acd.views import call_status, queue_summaries
from agent_console import work_orders
from agent_console.auth import Principal, issue_token, read_token, verify_password
from agent_console.hub import ConsoleHub
from agent_console.models import CATEGORIES, PRIORITIES, User
from config.settings import Settings
from kernel.clock import Clock
from kernel.errors import InvalidInput, NotFound, QingquanError, Unauthorized
from kernel.events import plain
from outages.api import outage_router
from reports.ivr import IVR_DEFINITIONS, ivr_report
from reports.summary import DEFINITIONS, call_log, local_date, range_bounds, summarize

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"
WEBSOCKET_DOC = """Agents, seats, work orders, the call log and reports. Log in with POST /api/auth/login and send
`Authorization: Bearer <token>`.

The live feed is a websocket at `/ws?token=<token>`. Every message is JSON with a `type` and a version `v`:
`hello` (on connect: the agent's state), `call.offered` (the screen pop, when the agent's seat rings: caller
number, queue, IVR path, account with amount due, recent work orders), `offer.answered`, `call.ended`,
`agent.state_changed`. The client may send `{"type": "ping", "v": 1}`; anything else gets
`{"type": "error", "error": "unknown_message"}`."""


@dataclass
class ConsoleContext:
    settings: Settings
    factory: sessionmaker[Session]
    acd: AcdNode
    hub: ConsoleHub
    clock: Clock
    health: Callable[[], dict[str, Any]]


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


class EmergencyIn(BaseModel):
    on: bool
    note: str = Field(default="", max_length=200)


class ForceStateIn(BaseModel):
    state: Literal["ready", "not_ready", "logged_out"]


class WorkOrderIn(BaseModel):
    linkedid: str | None = Field(default=None, max_length=64)
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    priority: Literal[PRIORITIES] = "normal"  # type: ignore[valid-type]
    description: str = Field(min_length=1, max_length=4000)
    address: str = Field(default="", max_length=255)
    account_number: str | None = Field(default=None, pattern=r"^[0-9]{4,20}$")


def state_command(agent_id: int, state: str, reason: str) -> SetReady | SetNotReady | LogOut:
    """The ACD command for an agent state asked of the console ("ready", "not_ready", "logged_out")."""
    if state == "ready":
        return SetReady(agent_id)
    if state == "not_ready":
        return SetNotReady(agent_id, reason)
    return LogOut(agent_id)


def agent_view(agent: Agent | None) -> dict[str, Any]:
    if agent is None:
        return {"state": "logged_out", "seat": None, "reason": "", "since": None, "call": None,
                "wrapup_until": None}
    return {"state": agent.state.value, "seat": agent.seat, "reason": agent.reason,
            "since": agent.since.isoformat() if agent.since else None, "call": agent.call,
            "wrapup_until": agent.wrapup_until.isoformat() if agent.wrapup_until else None,
            "skills": dict(agent.skills), "queues": sorted(agent.queues), "calls_answered": agent.calls_answered}


def create_app(ctx: ConsoleContext) -> FastAPI:
    app = FastAPI(title="Qingquan console API", version="1", description=WEBSOCKET_DOC)
    bearer = HTTPBearer(auto_error=False)

    def session() -> Iterator[Session]:
        with ctx.factory() as s, s.begin():
            yield s

    async def principal(creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
        if creds is None:
            raise Unauthorized("log in first")
        return read_token(creds.credentials, ctx.settings.auth.secret_key)

    CurrentUser = Annotated[Principal, Depends(principal)]
    Db = Annotated[Session, Depends(session)]

    @app.exception_handler(QingquanError)
    async def _error(_request: Request, exc: QingquanError) -> JSONResponse:
        return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.http_status)

    app.include_router(outage_router(principal, session, ctx.clock, ZoneInfo(ctx.settings.timezone)))

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        return ctx.health()

    @app.post("/api/auth/login")
    def login(body: LoginIn, db: Db) -> dict[str, Any]:
        user = db.scalars(select(User).where(User.username == body.username)).one_or_none()
        if user is None or not user.active or not verify_password(user.password_hash, body.password):
            raise Unauthorized("wrong username or password")
        who = Principal(user_id=user.id, username=user.username, role=user.role)
        token = issue_token(who, ctx.settings.auth.secret_key, ctx.settings.auth.token_minutes, ctx.clock.now())
        return {"access_token": token, "token_type": "bearer",
                "user": {"id": user.id, "username": user.username, "display_name": user.display_name,
                         "role": user.role}}

    @app.get("/api/agent")
    def my_agent(who: CurrentUser) -> dict[str, Any]:
        return agent_view(ctx.acd.state.agents.get(who.user_id))

    @app.put("/api/agent/seat")
    async def bind_seat(body: SeatIn, who: CurrentUser, db: Db) -> dict[str, Any]:
        if body.seat not in {s.name for s in ctx.settings.asterisk.seats}:
            raise InvalidInput(f"unknown seat {body.seat}")
        user = db.get(User, who.user_id)
        skills = dict(user.skills or {}) if user else {}
        queues = frozenset(user.queues or ()) if user else frozenset()
        state = await ctx.acd.execute(LogIn(who.user_id, body.seat, skills, queues))
        return agent_view(state.agents.get(who.user_id))

    @app.post("/api/agent/wrapup/extend")
    async def extend_wrapup(body: WrapUpExtendIn, who: CurrentUser) -> dict[str, Any]:
        state = await ctx.acd.execute(ExtendWrapUp(who.user_id, body.seconds))
        return agent_view(state.agents.get(who.user_id))

    @app.get("/api/agents")
    def agents(who: CurrentUser) -> list[dict[str, Any]]:
        """Every agent's true state and the time it began (the wallboard)."""
        who.require("supervisor")
        return [{"agent_id": a.agent_id, **agent_view(a)} for a in ctx.acd.state.agents.values()]

    @app.put("/api/agents/{agent_id}/state")
    async def force_state(agent_id: int, body: ForceStateIn, who: CurrentUser) -> dict[str, Any]:
        """A supervisor forces an agent's state (reason "forced" for not ready)."""
        who.require("supervisor")
        state = await ctx.acd.execute(state_command(agent_id, body.state, "forced"))
        return agent_view(state.agents.get(agent_id))

    @app.get("/api/queues")
    def queues(who: CurrentUser) -> list[dict[str, Any]]:
        """Live queues: waiting calls, callbacks in line, longest wait, staffing and the estimated wait."""
        return [_plain(vars(q)) for q in queue_summaries(ctx.acd.state, ctx.clock.now())]

    @app.get("/api/queues/calls/{linkedid}")
    def queued_call(linkedid: str, who: CurrentUser) -> dict[str, Any]:
        """A waiting call's position in its queue and estimated wait."""
        status = call_status(ctx.acd.state, linkedid, ctx.clock.now())
        if status is None:
            raise NotFound(f"call {linkedid} is not waiting")
        return _plain(vars(status))

    @app.get("/api/acd/emergency")
    def emergency(who: CurrentUser) -> dict[str, Any]:
        return {"on": ctx.acd.state.emergency}

    @app.put("/api/acd/emergency")
    async def set_emergency(body: EmergencyIn, who: CurrentUser) -> dict[str, Any]:
        """The supervisor's emergency switch: opens the emergency seats and queues and changes overflow."""
        who.require("supervisor")
        state = await ctx.acd.execute(SetEmergency(body.on, who.user_id, body.note))
        return {"on": state.emergency}

    @app.put("/api/agent/state")
    async def set_state(body: StateIn, who: CurrentUser) -> dict[str, Any]:
        state: AcdState = await ctx.acd.execute(state_command(who.user_id, body.state, body.reason or "break"))
        return agent_view(state.agents.get(who.user_id))

    @app.get("/api/seats")
    def seats(who: CurrentUser) -> list[dict[str, Any]]:
        registered = ctx.acd.state.registered_seats
        taken = {a.seat: a.agent_id for a in ctx.acd.state.agents.values() if a.state.value != "logged_out"}
        return [{"seat": s.name, "registered": s.name in registered, "agent_id": taken.get(s.name)}
                for s in ctx.settings.asterisk.seats]

    @app.post("/api/work-orders", status_code=201)
    def create_order(body: WorkOrderIn, who: CurrentUser, db: Db) -> dict[str, Any]:
        order = work_orders.create_work_order(
            db, who, linkedid=body.linkedid, category=body.category, priority=body.priority,
            description=body.description, address=body.address, account_number=body.account_number,
            now=ctx.clock.now())
        return order_view(db, order.id, who)

    @app.get("/api/work-orders/{order_id}")
    def read_order(order_id: int, who: CurrentUser, db: Db) -> dict[str, Any]:
        return order_view(db, order_id, who)

    @app.get("/api/work-orders")
    def my_orders(who: CurrentUser, db: Db) -> list[dict[str, Any]]:
        return [order_view(db, o.id, who) for o in work_orders.list_work_orders(db, who.user_id)]

    @app.get("/api/calls")
    def calls(who: CurrentUser, db: Db, first: Annotated[date | None, Query(alias="from")] = None,
              last: Annotated[date | None, Query(alias="to")] = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100,
              offset: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
        start, end = _range(first, last)
        agent_filter = who.user_id if who.role == "agent" else None
        entries = call_log(db, start, end, limit=limit, offset=offset, agent_id=agent_filter)
        return [_plain(vars(e)) for e in entries]

    @app.get("/api/reports/summary")
    def report(who: CurrentUser, db: Db, first: Annotated[date | None, Query(alias="from")] = None,
               last: Annotated[date | None, Query(alias="to")] = None,
               queue: str | None = None) -> dict[str, Any]:
        who.require("supervisor")
        start, end = _range(first, last)
        figures = summarize(db, start, end, queue=queue)
        return {"from": start.isoformat(), "to": end.isoformat(), "figures": _plain(vars(figures)),
                "definitions": DEFINITIONS}

    @app.get("/api/reports/ivr")
    def ivr_figures(who: CurrentUser, db: Db, first: Annotated[date | None, Query(alias="from")] = None,
                    last: Annotated[date | None, Query(alias="to")] = None) -> dict[str, Any]:
        who.require("supervisor")
        start, end = _range(first, last)
        return {"from": start.isoformat(), "to": end.isoformat(), "figures": _plain(vars(ivr_report(db, start, end))),
                "definitions": IVR_DEFINITIONS}

    def _range(first: date | None, last: date | None) -> tuple[datetime, datetime]:
        tz = ctx.settings.timezone
        today = local_date(ctx.clock.now(), tz)
        return range_bounds(first or today, last or first or today, tz)

    @app.websocket("/ws")
    async def feed(socket: WebSocket, token: str = "") -> None:
        try:
            who = read_token(token, ctx.settings.auth.secret_key)
        except Unauthorized:
            await socket.close(code=4401)
            return
        await socket.accept()
        ctx.hub.connect(who.user_id, socket, supervisor=who.role != "agent")
        try:
            await socket.send_json({"type": "hello", "v": 1, "user_id": who.user_id,
                                    "agent": agent_view(ctx.acd.state.agents.get(who.user_id))})
            while True:
                message = await socket.receive_json()
                if isinstance(message, dict) and message.get("type") == "ping":
                    await socket.send_json({"type": "pong", "v": 1})
                else:
                    await socket.send_json({"type": "error", "v": 1, "error": "unknown_message"})
        except (WebSocketDisconnect, ValueError, asyncio.CancelledError, RuntimeError):
            pass
        finally:
            ctx.hub.disconnect(who.user_id, socket)

    @app.get("/", include_in_schema=False)
    def console_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    return app


def order_view(db: Session, order_id: int, who: Principal) -> dict[str, Any]:
    order = work_orders.get_work_order(db, who, order_id)
    history = [{"at": h.at.isoformat(), "actor_id": h.actor_id, "action": h.action, "from_status": h.from_status,
                "to_status": h.to_status, "note": h.note} for h in work_orders.history_of(db, order.id)]
    return {"id": order.id, "contact_id": order.contact_id, "account_number": order.account_number,
            "category": order.category, "priority": order.priority, "status": order.status,
            "description": order.description, "address": order.address, "owner_id": order.owner_id,
            "created_by_id": order.created_by_id, "created_at": order.created_at.isoformat(),
            "satisfaction": order.satisfaction, "history": history}


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: plain(v) for k, v in values.items()}
