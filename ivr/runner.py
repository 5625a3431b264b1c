"""The IVR runner: performs the menu machine's actions with AGI verbs, one FastAGI dialogue per call.

It reads the menu's actions (play, collect digits, look up an account, transfer, hang up), carries them
out on the caller's channel, feeds the results back in, and publishes each step as a contact event. On
transfer it sets the channel variables the holding context reads (QQ_NEXT, QQ_QUEUE, QQ_ACCOUNT, QQ_PATH,
QQ_PRIORITY) and returns; the dialplan takes the caller on to hold music and the ACD. If an agent is free
right then, the ACD offers the call at once and the runner also sets QQ_CONNECT (the seat, or ``ring-group``
with QQ_RING_GROUP): the dialplan dials it itself, with no music and no Redirect."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from acd.commands import CallerGone, Command, Enqueue
from billing.gateway import BillingGateway, BillingUnavailable
from ivr.agi_dialogue import AgiChannel, AgiDialogue, CallerHungUp
from ivr.listen import SpeechInput
from ivr.menu import (
    AccountUnknown,
    Action,
    BillFound,
    BillingDown,
    Collect,
    Dialogue,
    DigitsEntered,
    Hangup,
    Input,
    LookUpAccount,
    Play,
    SpeechHeard,
    Start,
    Transfer,
    decide,
)
from ivr.menu_tree import MenuTree
from kernel.call_events import DEFLECTED, SELF_SERVICE, IvrLeft, IvrStepped
from kernel.clock import Clock
from kernel.events import EventBus
from telephony.ami import CONNECT_VARIABLE, RING_GROUP_VARIABLE, connect_target

log = logging.getLogger(__name__)

DIRECT_OFFER_SECONDS = 2.0  # the IVR waits no longer for the ACD's answer; the caller then goes to hold
DIRECT_OFFER_MARGIN_SECONDS = 0.5  # the ACD decides only until this long before the IVR stops waiting, so its
#   answer reaches the IVR in time; a command it reads later is dropped (the caller is on the way to hold), and
#   an offer the IVR still missed is withdrawn when the caller is held with no seat to dial (QingquanQueued).


class _Deflected(Exception):
    """The caller hung up on the outage notice; its IvrLeft is already published."""


def _no_notices() -> tuple[str, ...]:
    return ()


async def _no_owner(_account: str) -> int | None:
    return None


async def _no_outage(_number: str) -> tuple[str, ...]:
    return ()


async def _no_company(_number: str) -> str:
    return ""


OUTAGE_STEP = "outage"  # the IVR path's first step when the caller heard an outage notice
MENU_KEY = "0"  # after an outage notice: on to the menu (hanging up instead is a deflected call)


class DirectOffers(Protocol):
    """The ACD as the IVR sees it (:class:`acd.node.AcdNode`)."""

    async def offer_now(self, call: Enqueue) -> tuple[str, ...]: ...

    async def execute(self, command: Command) -> Any: ...


class NightHook(Protocol):
    """The night service (:class:`ivr.night.NightService`): takes the caller if the queue is closed (True)."""

    async def handle(self, agi: AgiDialogue, queue: str, *, linkedid: str, path: str,
                     account_number: str | None) -> bool: ...


class IvrRunner:
    """``notices`` gives prompts every caller hears before the menu (e.g. the emergency notice);
    ``owner_of`` finds the agent who owns an account's open work order (first-responder routing); ``acd``, if
    given, offers a call the IVR hands over at once when an agent is free (the seats it rings); ``outage_notice``
    gives the outage notice (停水公告) for the caller's number, () if none applies: the caller hears it after the
    notices and before the menu, and either hangs up (IvrLeft with outcome "deflected") or presses 0 (or waits)
    for the menu. ``menus`` gives the menu tree for a new call (the call keeps it to its end); ``company_of``
    finds the water company of the caller's number ("" if unknown: the account, once entered, may tell it);
    ``speech``, when a recognizer is loaded, lets callers say what the menu's questions accept (keys still work)."""

    def __init__(self, bus: EventBus, billing: BillingGateway, clock: Clock, menus: Callable[[], MenuTree],
                 prompt_dir: Path, digit_timeout_ms: int, *,
                 notices: Callable[[], tuple[str, ...]] = _no_notices,
                 owner_of: Callable[[str], Awaitable[int | None]] = _no_owner,
                 acd: DirectOffers | None = None,
                 outage_notice: Callable[[str], Awaitable[tuple[str, ...]]] = _no_outage,
                 company_of: Callable[[str], Awaitable[str]] = _no_company,
                 speech: SpeechInput | None = None,
                 night: NightHook | None = None) -> None:
        self._bus = bus
        self._billing = billing
        self._clock = clock
        self._menus = menus
        self._company_of = company_of
        self._speech = speech
        self._prompt_dir = prompt_dir
        self._timeout_ms = digit_timeout_ms
        self._notices = notices
        self._owner_of = owner_of
        self._acd = acd
        self._outage_notice = outage_notice
        self._night = night

    async def handle(self, request: AgiChannel) -> None:
        linkedid = request.headers.get("agi_uniqueid", "")
        agi = AgiDialogue(request, self._prompt_dir, self._timeout_ms)
        tree = self._menus()
        dialogue = Dialogue()
        reported = 0
        try:
            agi.company = await self._company(agi.caller_number())
            outage = await self._outage_notice(agi.caller_number())
            # The caller hears ringing until here: the IVR answers once it has what it needs, with its first
            # prompt (Read(), which keeps keys typed over it, answers and plays in one step), however slow the
            # lookups were under load; a caller keying soon after the answer is heard.
            agi.answer_at_first_prompt()
            notices = self._notices()
            if notices:
                await agi.play(notices)
            dialogue, typed = await self._outage(agi, dialogue, linkedid, outage)
            reported = len(dialogue.path)
            dialogue, actions = decide(tree, dialogue, Start(company=agi.company, typed=typed))
            while actions:
                action, actions = actions[0], actions[1:]
                reported = self._report_steps(dialogue, linkedid, reported)  # the steps that led to this action
                result = await self._perform(agi, action, dialogue, linkedid)
                if result is not None:
                    dialogue, actions = decide(tree, dialogue, result)
                    agi.company = dialogue.company
        except _Deflected:
            return
        except CallerHungUp:
            log.info("call %s hung up in the IVR at %s", linkedid, dialogue.node)
            self._left(agi, dialogue, linkedid, "hangup")
            return
        self._report_steps(dialogue, linkedid, reported)

    async def _outage(self, agi: AgiDialogue, dialogue: Dialogue, linkedid: str,
                      prompts: tuple[str, ...]) -> tuple[Dialogue, str]:
        """Plays the outage notice ``prompts`` if any apply; a hang-up during it or the wait after it is
        deflected. Any key ends the notice: 0 (or '#', or waiting) goes on to the menu; another key is the
        caller's answer to the menu's first question, typed ahead (returned with the dialogue)."""
        if not prompts:
            return dialogue, ""
        heard = replace(dialogue, path=(*dialogue.path, OUTAGE_STEP))
        self._report_steps(heard, linkedid, len(dialogue.path))
        try:
            key = await agi.read_digits(prompts, 1, self._timeout_ms)
        except CallerHungUp:
            log.info("call %s hung up after the outage notice: deflected", linkedid)
            self._bus.publish(IvrLeft(at=self._clock.now(), linkedid=linkedid, path=path_text(heard),
                                      account_number=None, next="hangup", outcome=DEFLECTED,
                                      company=agi.company, caller_number=agi.caller_number()))
            raise _Deflected() from None
        log.info("call %s goes on to the menu after the outage notice (key %r)", linkedid, key)
        return heard, "" if key in (MENU_KEY, "#") else key

    async def _perform(self, agi: AgiDialogue, action: Action, dialogue: Dialogue,
                       linkedid: str) -> Input | None:
        match action:
            case Play(prompts):
                await agi.play(prompts)
            case Collect(_, max_digits, timeout_ms, _, typed) if typed:  # keys typed ahead: no prompts
                return DigitsEntered(await agi.more_digits(typed, max_digits, timeout_ms))
            case Collect(prompts, max_digits, timeout_ms, grammar) if grammar and self._speech is not None:
                heard = await self._speech.listen(agi, prompts, grammar)
                if isinstance(heard, str):  # a key: DTMF always works; go on collecting keys
                    return DigitsEntered(await agi.more_digits(heard, max_digits, timeout_ms))
                return SpeechHeard(heard.words)
            case Collect(prompts, max_digits, timeout_ms):  # Asterisk buffers the keys (Read)
                return DigitsEntered(await agi.read_digits(prompts, max_digits, timeout_ms))
            case LookUpAccount(number):
                return await self._look_up(number)
            case Transfer(queue, reason, prompts):
                await self._transfer(agi, dialogue, queue, reason, prompts, linkedid)
            case Hangup():
                self._left(agi, dialogue, linkedid, "hangup")
                with contextlib.suppress(CallerHungUp):
                    await agi.command("HANGUP")
        return None

    async def _look_up(self, number: str) -> Input:
        try:
            bill = await self._billing.bill_for(number)
        except BillingUnavailable as exc:
            log.warning("billing unavailable for account lookup: %s", exc)
            return BillingDown(number)
        return BillFound(bill) if bill is not None else AccountUnknown()

    async def _transfer(self, agi: AgiDialogue, dialogue: Dialogue, queue: str, reason: str,
                        prompts: tuple[str, ...], linkedid: str) -> None:
        if self._night is not None and await self._night.handle(
                agi, queue, linkedid=linkedid, path=path_text(dialogue), account_number=dialogue.account_number):
            return  # the queue is closed: the night service took the caller (no QQ_NEXT: the dialplan hangs up)
        if prompts:
            await agi.play(prompts)
        await agi.set_variable("QQ_QUEUE", queue)
        await agi.set_variable("QQ_ACCOUNT", dialogue.account_number or "")
        await agi.set_variable("QQ_PATH", path_text(dialogue))
        await agi.set_variable("QQ_PRIORITY", "0")
        owner = await self._owner(dialogue.account_number)
        self._left(agi, dialogue, linkedid, "queue")  # from here the call is the ACD's (it may be offered now)
        decision = asyncio.ensure_future(self._seats_now(agi, dialogue, queue, linkedid, owner))
        seats: tuple[str, ...] = ()
        try:
            try:  # the ACD decides while the last variables are set
                await agi.set_variable("QQ_OWNER", owner)
                await agi.set_variable("QQ_REASON", reason)
            finally:
                seats = await decision
            if seats:  # one command, as many as without: MSet([QQ_RING_GROUP=...,]QQ_CONNECT=...,QQ_NEXT=queue)
                exten, group = connect_target(seats)
                ring_group = f"{RING_GROUP_VARIABLE}={group}," if group else ""
                await agi.command(f"EXEC MSet {ring_group}{CONNECT_VARIABLE}={exten},QQ_NEXT=queue")
            else:
                await agi.set_variable("QQ_NEXT", "queue")
        except CallerHungUp:  # after leaving the IVR: the call's end is the queue's to record
            log.info("call %s hung up while handed to the queue", linkedid)
            if seats and self._acd is not None:  # the hang-up may have reached the ACD before its offer
                with contextlib.suppress(Exception):
                    await self._acd.execute(CallerGone(linkedid))

    async def _seats_now(self, agi: AgiDialogue, dialogue: Dialogue, queue: str, linkedid: str,
                         owner: str) -> tuple[str, ...]:
        """The seats the ACD offered the call to right now (() if no agent is free, this node does not route,
        or on any failure: the call then queues through the holding context as usual)."""
        channel = agi.channel_name()
        if self._acd is None or not linkedid or not channel:
            return ()
        try:
            return await asyncio.wait_for(self._acd.offer_now(Enqueue(
                linkedid=linkedid, channel=channel, queue=queue, account_number=dialogue.account_number,
                caller_number=agi.caller_number(), ivr_path=path_text(dialogue),
                owner_agent=int(owner) if owner.isdigit() else None, direct=True,
                offer_until=self._clock.now().timestamp() + DIRECT_OFFER_SECONDS - DIRECT_OFFER_MARGIN_SECONDS)),
                DIRECT_OFFER_SECONDS)
        except Exception as exc:
            log.warning("direct offer of %s failed, queueing through hold: %s", linkedid, exc)
            return ()

    async def _company(self, caller_number: str) -> str:
        if not caller_number:
            return ""
        try:
            return await self._company_of(caller_number)
        except Exception as exc:  # best effort: the common prompts, and the account may still tell it
            log.warning("company lookup for %s failed: %s", caller_number, exc)
            return ""

    async def _owner(self, account_number: str | None) -> str:
        if not account_number:
            return ""
        try:
            owner = await self._owner_of(account_number)
        except Exception as exc:  # best effort: without it the call goes to the normal queue
            log.warning("owner lookup for account %s failed: %s", account_number, exc)
            return ""
        return "" if owner is None else str(owner)

    def _report_steps(self, dialogue: Dialogue, linkedid: str, reported: int) -> int:
        for step in dialogue.path[reported:]:
            self._bus.publish(IvrStepped(at=self._clock.now(), linkedid=linkedid, step=step))
        return len(dialogue.path)

    def _left(self, agi: AgiDialogue, dialogue: Dialogue, linkedid: str, next_step: str) -> None:
        self._bus.publish(IvrLeft(at=self._clock.now(), linkedid=linkedid, path=path_text(dialogue),
                                  account_number=dialogue.account_number, next=next_step,
                                  outcome=SELF_SERVICE if dialogue.self_served and next_step == "hangup"
                                  else None, company=dialogue.company, caller_number=agi.caller_number()))


def path_text(dialogue: Dialogue) -> str:
    return ">".join(dialogue.path)
