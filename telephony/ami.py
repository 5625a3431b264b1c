"""The AMI bridge: panoramisk in, typed call events out, actions (Redirect, Getvar, ...) back.

panoramisk's event callbacks are fire-and-forget, so the callback only puts the raw message on an
asyncio.Queue that one task drains in order. The connection reconnects by itself (panoramisk retries every
``reconnect_timeout`` seconds); after every login the bridge re-reads Asterisk's state: seat registrations
and callers waiting in the holding context."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Mapping
from typing import Any

from panoramisk import Manager

from acd.service import ChannelGone, LinkDown
from config.settings import Settings
from kernel.call_events import CallQueued, ChannelsResynced, TelephonyLinkChanged
from kernel.clock import Clock
from kernel.errors import Unavailable
from kernel.events import EventBus
from telephony.ami_actions import (
    HOLD_CONTEXT,
    Action,
    hold_actions,
    originate_status,
    outbound_originate,
    spy_originate,
)
from telephony.ami_parse import callback_call, endpoint_list_entry, flatten, parse_event, talking_seats
from telephony.ami_stream import GuardedAmiProtocol

log = logging.getLogger(__name__)

CONNECT_CONTEXT = "acd-connect"
CALLBACK_CONTEXT = "acd-callback"
RING_GROUP_EXTEN = "ring-group"
RING_GROUP_VARIABLE = "QQ_RING_GROUP"
CONNECT_VARIABLE = "QQ_CONNECT"  # set by the IVR for an offer it made at once: acd-hold goes to acd-connect


def connect_target(seats: tuple[str, ...]) -> tuple[str, str | None]:
    """The acd-connect extension that rings ``seats``: the seat itself, or ``ring-group`` with the group's
    dial string for QQ_RING_GROUP (an extension holds 79 characters at most, so seat names are never joined
    into it)."""
    if len(seats) > 1:
        return RING_GROUP_EXTEN, "&".join(f"PJSIP/{seat}" for seat in seats)
    return seats[0], None


NO_CHANNEL = "Channel does not exist"  # Asterisk's answer to an action on a channel that has hung up


class AmiActionFailed(Unavailable):
    code = "ami_action_failed"


class AmiBridge:
    def __init__(self, settings: Settings, bus: EventBus, clock: Clock) -> None:
        self._settings = settings
        self._bus = bus
        self._clock = clock
        self._seats = frozenset(seat.name for seat in settings.asterisk.seats)
        self._raw: asyncio.Queue[Mapping[str, str]] = asyncio.Queue()
        self._manager: Manager | None = None
        self._drain_task: asyncio.Task[None] | None = None
        self._resync_task: asyncio.Task[None] | None = None
        self.logged_in = asyncio.Event()
        self.resyncs = 0

    async def start(self) -> None:
        ast = self._settings.asterisk
        loop = asyncio.get_running_loop()
        self._manager = Manager(
            loop=loop, host=ast.ami_host, port=ast.ami_port, username=ast.ami_username, secret=ast.ami_secret,
            ping_delay=5, ping_interval=5, reconnect_timeout=1,
            on_login=self._on_login, on_disconnect=self._on_disconnect, protocol_factory=GuardedAmiProtocol,
        )
        self._manager.register_event("*", self._on_message)
        self._drain_task = asyncio.create_task(self._drain(), name="ami-drain")
        self._manager.connect()

    async def wait_ready(self, timeout: float = 15.0) -> None:
        await asyncio.wait_for(self.logged_in.wait(), timeout)

    async def stop(self) -> None:
        for task in (self._drain_task, self._resync_task):
            if task is not None:
                task.cancel()
        if self._manager is not None:
            # No reconnection after a deliberate stop.
            self._manager.on_disconnect = lambda *_: None
            self._manager.connection_lost = lambda *_: None
            self._manager.close()
        self.logged_in.clear()  # an action through a stopped bridge raises LinkDown at once, never times out

    # Incoming ----------------------------------------------------------------------------------------

    def _on_message(self, _manager: Any, message: Any) -> None:
        # Events Qingquan never reads were skipped before parsing (GuardedAmiProtocol): all of these count.
        self._raw.put_nowait(flatten(message))  # a repeated header: the first value wins, the rest is dropped

    async def _drain(self) -> None:
        while True:
            fields = await self._raw.get()
            try:
                event = parse_event(fields, self._seats, self._clock.now())
                if event is not None:
                    log.debug("ami %s -> %s", fields.get("Event"), event)
                    self._bus.publish(event)
            except Exception:  # the stream must go on whatever one event holds
                log.exception("AMI event %s could not be handled", fields.get("Event"))

    def _on_login(self, _manager: Any) -> None:
        log.info("AMI logged in to %s:%s", self._settings.asterisk.ami_host, self._settings.asterisk.ami_port)
        self.logged_in.set()
        self._resync_task = asyncio.create_task(self.resync(), name="ami-resync")

    def _on_disconnect(self, _manager: Any, exc: Any) -> None:
        was_up = self.logged_in.is_set()
        self.logged_in.clear()
        log.warning("AMI connection lost (%s); reconnecting", exc)
        if was_up:
            self._bus.publish(TelephonyLinkChanged(at=self._clock.now(), up=False))

    async def resync(self) -> None:
        """Re-reads seat registrations and waiting callers, so a lost AMI link loses no state."""
        started = time.monotonic()
        try:
            await self._resync_seats()
            await self._resync_waiting_callers()
            self.resyncs += 1
            log.info("AMI state resynced in %.2f s", time.monotonic() - started)
            self._bus.publish(TelephonyLinkChanged(at=self._clock.now(), up=True))
        except Exception as exc:  # best effort: live events keep flowing even if the resync failed
            log.warning("AMI resync failed: %s", exc)

    async def _resync_seats(self) -> None:
        for entry in await self._list_action({"Action": "PJSIPShowEndpoints"}, "EndpointList"):
            event = endpoint_list_entry(entry, self._seats, self._clock.now())
            if event is not None:
                self._bus.publish(event)

    async def _resync_waiting_callers(self) -> None:
        """Re-queues the callers in the holding context (a known call keeps its place), then tells the ACD
        which calls still have a channel, so calls that ended unseen are let go."""
        as_of = self._clock.now()  # calls the ACD learns of after this are not judged by this list
        entries = await self._list_action({"Action": "CoreShowChannels"}, "CoreShowChannel")
        waiting = []
        for entry in entries:
            if entry.get("Context") != HOLD_CONTEXT or entry.get("Uniqueid") != entry.get("Linkedid"):
                continue
            waiting.append(entry["Linkedid"])
            channel = entry["Channel"]
            values = {name: await self.getvar(channel, name) for name in
                      ("QQ_QUEUE", "QQ_ACCOUNT", "QQ_PATH", "QQ_PRIORITY", "QQ_OWNER")}
            priority, owner = values["QQ_PRIORITY"], values["QQ_OWNER"]
            self._bus.publish(CallQueued(
                at=self._clock.now(), linkedid=entry["Linkedid"], channel=channel,
                queue=values["QQ_QUEUE"] or self._settings.acd.queue, account_number=values["QQ_ACCOUNT"] or None,
                priority=int(priority) if priority.isdigit() else 0, ivr_path=values["QQ_PATH"],
                caller_number=entry.get("CallerIDNum", ""), reconstructed=True,
                owner_agent=int(owner) if owner.isdigit() else None))
        live = {callback_call(e.get("Linkedid", "")) or e.get("Linkedid", "") for e in entries}
        talking = talking_seats(entries, self._seats)
        self._bus.publish(ChannelsResynced(at=as_of, live=tuple(sorted(live - {""})), waiting=tuple(waiting),
                                           talking=tuple(talking), talking_seats=tuple(talking.values())))

    # Actions -----------------------------------------------------------------------------------------

    async def action(self, fields: Action, timeout: float = 5.0) -> Mapping[str, str]:
        return await self._response(fields, self._send(fields), timeout)

    def _send(self, fields: Action, *, as_list: bool = False) -> Any:
        """Writes the action to the AMI socket now; returns panoramisk's future of the response (of every
        message it brings, with ``as_list``). Raises LinkDown when the link is down."""
        if self._manager is None or not self.logged_in.is_set():
            raise LinkDown(f"AMI not connected; cannot {fields.get('Action')}")
        return self._manager.send_action(dict(fields), as_list=as_list)

    async def _response(self, fields: Action, future: Any, timeout: float) -> Mapping[str, str]:
        try:
            response = await asyncio.wait_for(future, timeout)
        except TimeoutError as exc:
            raise AmiActionFailed(f"AMI {fields.get('Action')} timed out") from exc
        if isinstance(response, list):
            response = response[0]
        flat = flatten(response)
        if flat.get("Response") != "Success":
            raise AmiActionFailed(f"AMI {fields.get('Action')} failed: {flat.get('Message', flat)}")
        return flat

    async def _list_action(self, fields: dict[str, str], entry_event: str,
                           timeout: float = 10.0) -> list[Mapping[str, str]]:
        if self._manager is None:
            raise AmiActionFailed("AMI not started")
        future = self._manager.send_action(dict(fields), as_list=True)
        messages = await asyncio.wait_for(future, timeout)
        return [flatten(m) for m in messages if m.get("Event") == entry_event]

    async def getvar(self, channel: str, variable: str) -> str:
        try:
            response = await self.action({"Action": "Getvar", "Channel": channel, "Variable": variable})
        except (AmiActionFailed, LinkDown):
            return ""
        value = response.get("Value", "")
        return "" if value in ("(null)", None) else str(value)

    def offer(self, channel: str, seats: tuple[str, ...]) -> Awaitable[None]:
        """Moves a holding caller into the connect context, which dials the seat, or every seat of a ring-all
        group at once (CallConnector port). A group travels in a channel variable: an extension is cut at 79
        characters, so seat names joined into it would ring only the first 8 seats. The actions are written
        to the socket before this returns; the awaitable raises if Asterisk refused one."""
        sent: list[tuple[Action, Any]] = []
        exten, group = connect_target(seats)
        if group is not None:
            setvar = {"Action": "Setvar", "Channel": channel, "Variable": RING_GROUP_VARIABLE, "Value": group}
            sent.append((setvar, self._send(setvar)))
        redirect = {"Action": "Redirect", "Channel": channel, "Context": CONNECT_CONTEXT, "Exten": exten,
                    "Priority": "1"}
        sent.append((redirect, self._send(redirect)))

        async def outcome() -> None:
            for fields, future in sent:
                try:
                    await self._response(fields, future, 5.0)
                except AmiActionFailed as exc:
                    if NO_CHANNEL in str(exc):  # the caller hung up before the offer reached Asterisk
                        raise ChannelGone(f"{channel}: {exc}") from exc
                    raise
        return outcome()

    async def call_back(self, linkedid: str, attempt: int, seat: str, number: str) -> bool:
        """A queue callback: rings the agent's seat; once answered, the dialplan dials the customer through
        the trunk. The agent leg's channel id ``cb<attempt>-<linkedid>`` ties its events to the call."""
        ring = self._settings.asterisk.ring_seconds
        fields = {"Action": "Originate", "Channel": f"PJSIP/{seat}", "Context": CALLBACK_CONTEXT,
                  "Exten": number, "Priority": "1", "Timeout": str(ring * 1000), "Async": "true",
                  "CallerID": f'"callback {number}" <{number}>', "ChannelId": f"cb{attempt}-{linkedid}",
                  "Variable": f"QQ_CALLBACK={linkedid}"}
        future = self._send(fields, as_list=True)
        messages = await asyncio.wait_for(future, ring + 15)
        responses = [flatten(m) for m in messages if m.get("Event") == "OriginateResponse"]
        answered = bool(responses) and responses[-1].get("Response") == "Success"
        log.info("callback %s: seat %s %s", linkedid, seat, "answered" if answered else "did not answer")
        return answered

    async def dial_out(self, linkedid: str, seat: str, number: str) -> str:
        """Click-to-call: rings the agent's seat; once answered the dialplan dials the customer. "ANSWER", or
        why the seat did not answer."""
        return await self._originate(outbound_originate(linkedid, seat, number, self._settings.asterisk.ring_seconds))

    async def supervise(self, linkedid: str, seat: str, agent_seat: str, mode: str) -> str:
        """Rings the supervisor's seat into ChanSpy on the agent's seat channel. "ANSWER", or why not."""
        ring = self._settings.asterisk.ring_seconds
        return await self._originate(spy_originate(linkedid, seat, agent_seat, mode, ring))

    async def _originate(self, fields: Action) -> str:
        future = self._send(fields, as_list=True)
        messages = await asyncio.wait_for(future, self._settings.asterisk.ring_seconds + 15)
        status = originate_status([flatten(m) for m in messages])
        log.info("originate %s on %s: %s", fields.get("ChannelId"), fields.get("Channel"), status)
        return status

    def hold(self, channel: str, queue: str, priority: int) -> Awaitable[None]:
        """A transfer to a queue: the caller leaves the bridge (the agent's leg is hung up) for hold music, in
        line for ``queue``. Written to the socket before this returns; the awaitable raises if refused."""
        sent = [(fields, self._send(fields)) for fields in hold_actions(channel, queue, priority)]

        async def outcome() -> None:
            for fields, future in sent:
                await self._response(fields, future, 5.0)
        return outcome()

    async def hangup(self, channel: str) -> None:
        await self.action({"Action": "Hangup", "Channel": channel})
