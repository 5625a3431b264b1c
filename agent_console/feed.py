"""The live feed: one websocket per console, authenticated by the token in the URL. What a client sends is
answered by agent_console.client_messages; whatever it sends, only its own socket is affected. Everything the
socket is sent goes through the hub's writer for it (the hello first), so it arrives in order."""

import asyncio
import logging

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from agent_console.agent_views import agent_view
from agent_console.auth import read_token
from agent_console.client_messages import answer
from agent_console.deps import ConsoleContext, Deps
from kernel.errors import Unauthorized

log = logging.getLogger(__name__)


def feed_router(ctx: ConsoleContext, deps: Deps) -> APIRouter:
    router = APIRouter()

    @router.websocket("/ws")
    async def feed(socket: WebSocket, token: str = "") -> None:
        try:
            who = await asyncio.to_thread(deps.current, read_token(token, ctx.settings.auth.secret_key))
        except Unauthorized:
            await socket.close(code=4401)
            return
        await socket.accept()
        ctx.hub.connect(who.user_id, socket, supervisor=who.role != "agent")
        try:
            ctx.hub.reply(socket, {"type": "hello", "v": 1, "user_id": who.user_id,
                                   "agent": agent_view(ctx.acd.state.agents.get(who.user_id))})
            while True:
                frame = await socket.receive()
                if frame["type"] == "websocket.disconnect":
                    break
                reply = answer(frame)
                if reply.close_code is not None:
                    log.info("console socket of user %s closed: %s", who.user_id, reply.reason)
                    await ctx.hub.close(who.user_id, socket, reply.close_code, reply.reason)
                    break
                if reply.payload is not None:
                    ctx.hub.reply(socket, reply.payload)
        except (WebSocketDisconnect, asyncio.CancelledError, RuntimeError):
            pass
        finally:
            ctx.hub.disconnect(who.user_id, socket)

    return router
