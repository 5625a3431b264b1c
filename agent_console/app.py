"""The console's HTTP + websocket API (FastAPI). Built by the composition root with its collaborators;
nothing is created at import time. Every route checks the caller's role (in its router); errors map to HTTP in
one place, here."""

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, DBAPIError

from agent_console.deps import ConsoleContext, Deps
from agent_console.feed import feed_router
from agent_console.routes_accounts import account_router
from agent_console.routes_agent import agent_router
from agent_console.routes_agent_reports import agent_report_router
from agent_console.routes_calls import calls_router
from agent_console.routes_export import export_router
from agent_console.routes_reports import report_router
from agent_console.routes_supervision import supervision_router
from kernel.database import UNREACHABLE
from kernel.errors import DatabaseUnavailable, InvalidInput, QingquanError
from outages.api import outage_router
from recordings.api import recording_router
from work_orders.api import work_order_router
from work_orders.callback_api import callback_router

__all__ = ["ConsoleContext", "create_app"]

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"
DATABASE_RETRY_AFTER_SECONDS = 5  # the Retry-After of a 503 while the database is away
# The page runs only its own files: no inline script, no other origin; recordings play from fetched blobs.
CONSOLE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; "
               "img-src 'self' data:; media-src 'self' blob:; base-uri 'none'; form-action 'none'; "
               "frame-ancestors 'none'")
WEBSOCKET_DOC = """Agents, seats, work orders, the call log and reports. Log in with POST /api/auth/login and send
`Authorization: Bearer <token>`.

The live feed is a websocket at `/ws?token=<token>`. Every message is JSON with a `type` and a version `v`:
`hello` (on connect: the agent's state), `call.offered` (the screen pop, when the agent's seat rings: caller
number, queue, IVR path, the account with its bill and payment status, outages under way in its zone, and its
history of calls and work orders, open ones first: see agent_console.screen_pop), `offer.answered`, `call.ended`,
`agent.state_changed`; supervisors also get `wallboard` (every queue and agent, at most once a second after ACD
events); for calls the agent places (POST /api/agent/dial) `outbound.started`, `outbound.agent_ringing`,
`outbound.customer_ringing`, `outbound.answered`, `outbound.failed` (`cause`), `outbound.ended`;
`call.transferred`; for a supervisor's own sessions (POST /api/supervision/spy) `spy.started`, `spy.ended`.
The client may send `{"type": "ping", "v": 1}`; anything else gets
`{"type": "error", "error": "unknown_message"}` (`invalid_json` if it is not JSON); a binary frame closes the
socket with 1003, a message over 4096 characters with 1009 (agent_console.client_messages)."""


def create_app(ctx: ConsoleContext) -> FastAPI:
    app = FastAPI(title="Qingquan console API", version="1", description=WEBSOCKET_DOC)
    deps = Deps(ctx)

    @app.exception_handler(QingquanError)
    async def _error(_request: Request, exc: QingquanError) -> JSONResponse:
        return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.http_status,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(DataError)
    async def _refused_by_the_database(_request: Request, exc: DataError) -> JSONResponse:
        """The database refused a value the API let through (PostgreSQL: a NUL character in text, a number past
        its column): bad input, not a 500. Logged, as the API's own validation should have caught it."""
        log.warning("the database refused a value: %s", exc.orig)
        return JSONResponse({"error": InvalidInput.code, "message": "a value cannot be stored (e.g. a NUL "
                             "character in text)"}, status_code=InvalidInput.http_status)

    async def _database_unreachable(request: Request, exc: Exception) -> JSONResponse:
        """The database is down or restarting (or no pooled connection came free in time): 503 with Retry-After,
        never a 500. Its transaction did not commit — or, when the connection broke during the commit, the client
        cannot know: a creation sent again with the same Idempotency-Key is written at most once."""
        if isinstance(exc, DBAPIError) and not isinstance(exc, UNREACHABLE) and not exc.connection_invalidated:
            raise exc  # a real fault, not an outage: the 500 it was
        log.warning("database unreachable on %s %s: %s", request.method, request.url.path, exc.__class__.__name__)
        return await _error(request, DatabaseUnavailable(DATABASE_RETRY_AFTER_SECONDS))

    for unreachable in (*UNREACHABLE, DBAPIError):  # DBAPIError: a connection lost mid-statement (invalidated)
        app.add_exception_handler(unreachable, _database_unreachable)

    @app.exception_handler(OverflowError)
    async def _out_of_range(_request: Request, exc: OverflowError) -> JSONResponse:
        """A number or date the input allows but arithmetic cannot hold (year 1 in UTC+8): bad input, not a 500."""
        log.info("input out of range: %s", exc)
        return JSONResponse({"error": InvalidInput.code, "message": f"a value is out of range ({exc})"},
                            status_code=InvalidInput.http_status)

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        return ctx.health()

    s = ctx.settings
    tz = ZoneInfo(s.timezone)
    for router in (agent_router(ctx, deps), supervision_router(ctx, deps), report_router(ctx, deps),
                   work_order_router(deps.principal, deps.session, ctx.clock, s.work_orders.limits(),
                                     timedelta(hours=s.work_orders.closing_callback_hours)),
                   callback_router(deps.principal, deps.session, ctx.clock, tz,
                                   timedelta(hours=s.acd.callback_memory_hours)),
                   outage_router(deps.principal, deps.session, ctx.clock, tz),
                   feed_router(ctx, deps), recording_router(ctx, deps), calls_router(ctx, deps),
                   export_router(ctx, deps)):
        app.include_router(router)
    app.include_router(agent_report_router(ctx, deps))
    if ctx.accounts is not None:
        app.include_router(account_router(deps.principal, ctx.accounts))

    @app.get("/", include_in_schema=False)
    def console_page() -> FileResponse:
        """The console and the wallboard: one page; its scripts and styles are the files under /static."""
        return FileResponse(STATIC_DIR / "index.html", headers={
            "Content-Security-Policy": CONSOLE_CSP, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    return app
