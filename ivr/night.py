"""The night service: what a caller hears when the IVR would hand them to a queue that is closed (outside its
opening hours, or on a holiday).

"您好，现在是非工作时间。人工服务将于明天八点开放。" Then, in "message" mode, goodbye; in "callback" mode,
"如需我们在工作时间给您回电，请按1。": on 1 the caller joins the queue's line as a virtual caller with a
callback (one ACD command, as a held caller who takes the callback offer keeps their place), which the ACD
places once the queue is open and an agent of it is ready. The call is then hung up; it is never queued.

On the contact: the step "closed" (and "callback" when the caller pressed 1), then the IVR is left with outcome
"closed", or, when the callback was taken, with no outcome of its own: the ACD's CallbackRequested gives the
contact its callback number, status "requested" and outcome "callback_requested"."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import Any, Literal, Protocol

from acd.commands import Command, RequestCallback
from acd.hours import is_open, next_opening
from acd.policy import AcdPolicy
from ivr.agi_dialogue import AgiDialogue, CallerHungUp
from ivr.say_zh import say_integer, say_time
from kernel.call_events import CLOSED, IvrLeft, IvrStepped
from kernel.clock import Clock
from kernel.events import EventBus

log = logging.getLogger(__name__)

NightMode = Literal["message", "callback"]
CLOSED_STEP = "closed"
CALLBACK_STEP = "callback"
CALLBACK_KEY = "1"
REQUEST_SECONDS = 5.0  # the caller is told the callback could not be taken if the ACD does not answer by then


class CallbackDesk(Protocol):
    """The ACD as the night service sees it (:class:`acd.node.AcdNode`: here, or relayed to the routing node)."""

    async def execute(self, command: Command) -> Any: ...


def closed_prompts(opens: datetime | None, now: datetime, tz: tzinfo) -> tuple[str, ...]:
    """"您好，现在是非工作时间。" and, when the next opening is known, "人工服务将于 今天/明天/十月八日 八点三十分
    开放。" (the day as the hotline's calendar has it)."""
    if opens is None:
        return ("night-closed",)
    local = opens.astimezone(tz)
    days = (local.date() - now.astimezone(tz).date()).days
    day = (["night-today"] if days == 0 else ["night-tomorrow"] if days == 1
           else [*say_integer(local.month), "month", *say_integer(local.day), "day"])
    return ("night-closed", "night-opens-at", *day, *say_time(local.time()), "night-opens")


class NightService:
    """``modes`` gives each queue's night service ("message" when a queue is not named); without ``acd`` no
    callback is offered. ``emergency`` tells whether emergency mode is on: then every queue takes calls
    whatever its hours (a burst main at night is exactly when callers must reach the emergency seats)."""

    def __init__(self, bus: EventBus, clock: Clock, policy: AcdPolicy, modes: Mapping[str, NightMode],
                 acd: CallbackDesk | None, emergency: Callable[[], bool] = lambda: False) -> None:
        self._bus = bus
        self._clock = clock
        self._policy = policy
        self._modes = modes
        self._acd = acd
        self._emergency = emergency

    async def handle(self, agi: AgiDialogue, queue: str, *, linkedid: str, path: str,
                     account_number: str | None) -> bool:
        """False when ``queue`` is open (the IVR hands the caller over as usual); otherwise runs the night
        service to the end, hangs up and returns True."""
        now = self._clock.now()
        policy = self._policy.queue(queue)  # an unknown name is the default queue, as in the ACD
        if self._emergency() or is_open(policy.hours, now, self._policy.timezone):
            return False
        mode = self._modes.get(policy.name, "message")
        number = agi.caller_number()
        offer = mode == "callback" and self._acd is not None and number.isdigit() and bool(linkedid)
        log.info("call %s: queue %s is closed, night service %s", linkedid, policy.name,
                 "with a callback offer" if offer else "message")
        steps = [CLOSED_STEP]
        self._bus.publish(IvrStepped(at=now, linkedid=linkedid, step=CLOSED_STEP))
        prompts = closed_prompts(next_opening(policy.hours, now, self._policy.timezone), now,
                                 self._policy.timezone)
        taken = False
        try:
            if not offer:
                await agi.play((*prompts, "goodbye"))
            elif await agi.collect((*prompts, "night-callback-offer"), 1) != CALLBACK_KEY:
                await agi.play(("goodbye",))
            else:
                steps.append(CALLBACK_STEP)
                self._bus.publish(IvrStepped(at=self._clock.now(), linkedid=linkedid, step=CALLBACK_STEP))
                taken = await self._request(linkedid, number, policy.name, account_number,
                                            _joined(path, steps))
                await agi.play(("night-callback-confirmed",) if taken else ("night-callback-unavailable",))
        except CallerHungUp:
            log.info("call %s hung up during the night service", linkedid)
        self._bus.publish(IvrLeft(at=self._clock.now(), linkedid=linkedid, path=_joined(path, steps),
                                  account_number=account_number, next=CALLBACK_STEP if taken else "hangup",
                                  outcome=None if taken else CLOSED, company=agi.company))
        with contextlib.suppress(CallerHungUp):
            await agi.command("HANGUP")
        return True

    async def _request(self, linkedid: str, number: str, queue: str, account_number: str | None,
                       path: str) -> bool:
        """Puts the caller in the queue's line as a callback; False (logged) if the ACD refused or failed."""
        assert self._acd is not None
        try:
            await asyncio.wait_for(self._acd.execute(RequestCallback(
                linkedid, number, queue=queue, account_number=account_number, ivr_path=path)), REQUEST_SECONDS)
        except Exception as exc:  # e.g. no node routes right now: the caller is told, nothing is promised
            log.warning("night callback for %s to %s not taken: %s", linkedid, number, exc)
            return False
        log.info("call %s: callback to %s requested for queue %s", linkedid, number, queue)
        return True


def _joined(path: str, steps: list[str]) -> str:
    return ">".join(part for part in (path, *steps) if part)
