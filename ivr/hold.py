"""The hold announcement: every few seconds a waiting caller hears their position and estimated wait, and,
when the wait is long, is offered a callback that keeps their place in line (the hold context runs this
FastAGI dialogue between stretches of music)."""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from pathlib import Path

from acd.views import CallStatus
from ivr.agi_dialogue import AgiChannel, AgiDialogue, CallerHungUp
from ivr.say_zh import say_integer
from kernel.errors import QingquanError

log = logging.getLogger(__name__)

StatusOf = Callable[[str], CallStatus | None]
RequestCallback = Callable[[str, str], Awaitable[None]]


class HoldAnnouncer:
    def __init__(self, status_of: StatusOf, request_callback: RequestCallback, prompt_dir: Path,
                 digit_timeout_ms: int) -> None:
        self._status_of = status_of
        self._request_callback = request_callback
        self._prompt_dir = prompt_dir
        self._timeout_ms = digit_timeout_ms

    async def handle(self, request: AgiChannel) -> None:
        linkedid = request.headers.get("agi_uniqueid", "")
        status = self._status_of(linkedid)
        if status is None:
            return  # not (or no longer) in line: back to the music; the ACD may be moving the call
        agi = AgiDialogue(request, self._prompt_dir, self._timeout_ms)
        try:
            await agi.play(announcement(status))
            number = request.headers.get("agi_callerid", "")
            if status.offer_callback and number.isdigit():
                await self._offer_callback(agi, linkedid, number)
        except CallerHungUp:
            return  # hung up, or the ACD moved the caller to a seat mid-announcement

    async def _offer_callback(self, agi: AgiDialogue, linkedid: str, number: str) -> None:
        if await agi.collect(("callback-offer",), 1) != "1":
            return
        try:
            await self._request_callback(linkedid, number)
        except QingquanError as exc:  # e.g. the call reached an agent meanwhile: nothing to promise
            log.info("callback for %s not taken: %s", linkedid, exc)
            return
        await agi.play(("callback-confirmed",))
        await agi.set_variable("QQ_NEXT", "callback")


def announcement(status: CallStatus) -> tuple[str, ...]:
    """"您前面还有 N 位客户在等候。预计等候时间约 M 分钟。" (the wait only when it can be estimated)."""
    prompts = ["queue-position", *say_integer(max(status.position - 1, 0)), "queue-callers"]
    if status.estimated_wait is not None:
        prompts += ["queue-wait", *say_integer(max(1, math.ceil(status.estimated_wait / 60))), "minutes"]
    return tuple(prompts)
