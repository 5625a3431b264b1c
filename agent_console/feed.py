"""The live feed: one websocket per console, authenticated by the token in the URL."""

import asyncio

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from agent_console.agent_views import agent_view
from agent_console.auth import read_token
from agent_console.deps import ConsoleContext
from kernel.errors import Unauthorized


def feed_router(ctx: ConsoleContext) -> APIRouter:
    router = APIRouter()

    @router.websocket("/ws")
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

    return router
