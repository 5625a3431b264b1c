"""The night service on a fake AGI channel: what a caller hears when their queue is closed, the callback
offer, and what the contact record is told; and the IVR runner handing a caller to a closed queue."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from acd.commands import Command, Enqueue, RequestCallback
from acd.hours import OpeningHours, week_from
from acd.node import NotRouting
from acd.policy import AcdPolicy, QueuePolicy
from billing.gateway import Bill
from ivr.agi_dialogue import AgiDialogue
from ivr.menu_source import read_menu_document
from ivr.menu_tree import parse_menu
from ivr.night import NightMode, NightService, closed_prompts
from ivr.runner import IvrRunner
from kernel.call_events import IvrLeft, IvrStepped
from kernel.events import Event, EventBus

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE = OpeningHours(week_from({"mon-fri": ["08:00-18:00"]}))
TUESDAY_NIGHT = datetime(2026, 1, 20, 22, 15, tzinfo=SHANGHAI)
TUESDAY_NOON = datetime(2026, 1, 20, 12, 0, tzinfo=SHANGHAI)
MENU = parse_menu(read_menu_document(None))  # the default menu: 0 for an agent
OPENS_TOMORROW = ("night-closed", "night-opens-at", "night-tomorrow", "d8", "point", "night-opens")


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


class FakeChannel:
    """A FastAGI request: records the commands; a prompt in ``keys`` is interrupted by that key; the caller
    hangs up at the command starting with ``hang_up_at``."""

    def __init__(self, keys: Mapping[str, str] | None = None, hang_up_at: str | None = None,
                 caller: str = "13800138000") -> None:
        self.headers: Mapping[str, str] = {"agi_uniqueid": "c1", "agi_channel": "PJSIP/trunk-00000001",
                                           "agi_callerid": caller}
        self.keys = dict(keys or {})
        self.hang_up_at = hang_up_at
        self.sent: list[str] = []
        self.read = ""  # what the last Read() collected (the IVR menu's questions)

    async def send_command(self, command: str) -> dict[str, Any]:
        self.sent.append(command)
        if self.hang_up_at is not None and command.startswith(self.hang_up_at):
            return {"error": "AGIResultHangup"}
        if command.startswith("STREAM FILE"):
            prompt = Path(command.split()[2]).name
            return {"result": (str(ord(self.keys[prompt])) if prompt in self.keys else "0", "")}
        if command.startswith("EXEC Read"):  # Read(QQ_DIGITS,prompt&prompt,...): a key over one of them
            prompts = [Path(file).name for file in command.split(",")[1].split("&")]
            self.read = next((self.keys[prompt] for prompt in prompts if prompt in self.keys), "")
        if command.startswith("GET FULL VARIABLE"):
            return {"result": ("1", f"{self.read}|{'OK' if self.read else 'TIMEOUT'}")}
        return {"result": ("0" if command.startswith("WAIT FOR DIGIT") else "1", "")}

    def played(self) -> list[str]:
        return [Path(c.split()[2]).name for c in self.sent if c.startswith("STREAM FILE")]

    def others(self) -> list[str]:
        return [c for c in self.sent if not c.startswith(("STREAM FILE", "WAIT FOR DIGIT", "EXEC Read",
                                                           "GET FULL VARIABLE"))]


class FakeAcd:
    def __init__(self, error: Exception | None = None) -> None:
        self.executed: list[Command] = []
        self.asked: list[Enqueue] = []
        self.error = error

    async def execute(self, command: Command) -> Any:
        self.executed.append(command)
        if self.error is not None:
            raise self.error

    async def offer_now(self, call: Enqueue) -> tuple[str, ...]:
        self.asked.append(call)
        return ()


def service(mode: NightMode, now: datetime = TUESDAY_NIGHT, acd: FakeAcd | None = None,
            bus: EventBus | None = None, emergency: bool = False) -> NightService:
    policy = AcdPolicy(queues={"general": QueuePolicy("general", hours=OFFICE)}, timezone=SHANGHAI)
    return NightService(bus or EventBus(), FixedClock(now), policy, {"general": mode}, acd,
                        emergency=lambda: emergency)


def night(mode: NightMode, channel: FakeChannel, *, now: datetime = TUESDAY_NIGHT, acd: FakeAcd | None = None,
          queue: str = "general", company: str = "") -> tuple[bool, list[Event]]:
    bus = EventBus()
    events: list[Event] = []
    bus.tap(events.append)
    agi = AgiDialogue(channel, Path("/prompts"), 1000)
    agi.company = company
    handled = asyncio.run(service(mode, now, acd, bus).handle(agi, queue, linkedid="c1", path="main>agent>queue",
                                                              account_number="10001234"))
    return handled, events


def contact_story(events: list[Event]) -> list[tuple[str, ...]]:
    story: list[tuple[str, ...]] = []
    for event in events:
        if isinstance(event, IvrStepped):
            story.append(("step", event.step))
        elif isinstance(event, IvrLeft):
            story.append(("left", event.path, event.next, str(event.outcome)))
    return story


# What the caller hears -------------------------------------------------------------------------------------


def test_the_closed_message_says_when_the_queue_opens() -> None:
    assert closed_prompts(datetime(2026, 1, 21, 0, 0, tzinfo=SHANGHAI), TUESDAY_NIGHT, SHANGHAI)[2:4] == (
        "night-tomorrow", "d0")
    early = datetime(2026, 1, 20, 6, 0, tzinfo=SHANGHAI)
    assert closed_prompts(datetime(2026, 1, 20, 8, 30, tzinfo=SHANGHAI), early, SHANGHAI) == (
        "night-closed", "night-opens-at", "night-today", "d8", "point", "d3", "ten", "fen", "night-opens")
    assert closed_prompts(datetime(2026, 10, 8, 8, 0, tzinfo=SHANGHAI), datetime(2026, 9, 30, 19, 0,
                          tzinfo=SHANGHAI), SHANGHAI) == (
        "night-closed", "night-opens-at", "ten", "month", "d8", "day", "d8", "point", "night-opens")
    assert closed_prompts(None, TUESDAY_NIGHT, SHANGHAI) == ("night-closed",)


def test_the_day_is_the_hotlines_calendar_day_not_utcs() -> None:
    utc_evening = datetime(2026, 1, 20, 23, 30, tzinfo=ZoneInfo("UTC"))  # 07:30 on the 21st in Shanghai
    opens = datetime(2026, 1, 21, 8, 0, tzinfo=SHANGHAI)
    assert closed_prompts(opens, utc_evening, SHANGHAI)[2] == "night-today"


# Message mode -------------------------------------------------------------------------------------------


def test_an_open_queue_is_left_alone() -> None:
    channel = FakeChannel()
    handled, events = night("callback", channel, now=TUESDAY_NOON, acd=FakeAcd())
    assert not handled and channel.sent == [] and events == []


def test_message_mode_says_the_next_opening_says_goodbye_and_hangs_up() -> None:
    channel = FakeChannel()
    handled, events = night("message", channel)
    assert handled
    assert channel.played() == [*OPENS_TOMORROW, "goodbye"]
    assert channel.others() == ["HANGUP"]
    assert contact_story(events) == [("step", "closed"),
                                     ("left", "main>agent>queue>closed", "hangup", "closed")]


def test_a_hang_up_during_the_message_is_still_a_closed_contact() -> None:
    channel = FakeChannel(hang_up_at="STREAM FILE /prompts/night-opens-at")
    handled, events = night("message", channel)
    assert handled and channel.played()[-1] == "night-opens-at"
    assert contact_story(events)[-1] == ("left", "main>agent>queue>closed", "hangup", "closed")


def test_the_contact_keeps_the_callers_water_company() -> None:
    _, events = night("message", FakeChannel(), company="north_water")
    assert [e.company for e in events if isinstance(e, IvrLeft)] == ["north_water"]


def test_an_unknown_queue_follows_the_default_queues_hours() -> None:
    handled, _ = night("message", FakeChannel(), queue="no_such_queue")
    assert handled


# Callback mode ------------------------------------------------------------------------------------------


def test_pressing_1_puts_the_caller_in_line_as_a_callback_then_hangs_up() -> None:
    acd = FakeAcd()
    channel = FakeChannel(keys={"night-callback-offer": "1"})
    handled, events = night("callback", channel, acd=acd)
    assert handled
    assert channel.played() == [*OPENS_TOMORROW, "night-callback-offer", "night-callback-confirmed"]
    assert acd.executed == [RequestCallback("c1", "13800138000", queue="general", account_number="10001234",
                                            ivr_path="main>agent>queue>closed>callback")]
    assert channel.others() == ["HANGUP"]  # never QQ_NEXT: not left waiting in hold
    assert contact_story(events) == [("step", "closed"), ("step", "callback"),
                                     ("left", "main>agent>queue>closed>callback", "callback", "None")]


def test_a_key_pressed_over_the_closed_message_answers_the_offer() -> None:
    acd = FakeAcd()
    channel = FakeChannel(keys={"night-closed": "1"})
    night("callback", channel, acd=acd)
    assert channel.played() == ["night-closed", "night-callback-confirmed"]
    assert len(acd.executed) == 1


def test_no_answer_or_another_key_is_a_closed_contact_with_no_callback() -> None:
    for keys in ({}, {"night-callback-offer": "2"}):
        acd = FakeAcd()
        channel = FakeChannel(keys=keys)
        _, events = night("callback", channel, acd=acd)
        assert channel.played()[-2:] == ["night-callback-offer", "goodbye"]
        assert acd.executed == []
        assert contact_story(events)[-1] == ("left", "main>agent>queue>closed", "hangup", "closed")


def test_when_the_acd_cannot_take_the_callback_the_caller_is_told() -> None:
    acd = FakeAcd(NotRouting("the ACD is starting"))
    channel = FakeChannel(keys={"night-callback-offer": "1"})
    _, events = night("callback", channel, acd=acd)
    assert channel.played()[-1] == "night-callback-unavailable"
    assert contact_story(events)[-1] == ("left", "main>agent>queue>closed>callback", "hangup", "closed")


def test_a_hang_up_after_pressing_1_keeps_the_callback() -> None:
    acd = FakeAcd()
    channel = FakeChannel(keys={"night-callback-offer": "1"},
                          hang_up_at="STREAM FILE /prompts/night-callback-confirmed")
    _, events = night("callback", channel, acd=acd)
    assert len(acd.executed) == 1
    assert contact_story(events)[-1] == ("left", "main>agent>queue>closed>callback", "callback", "None")


def test_no_offer_without_a_number_to_call_or_an_acd() -> None:
    for channel, acd in ((FakeChannel(caller="unknown"), FakeAcd()), (FakeChannel(caller="anonymous"), FakeAcd()),
                         (FakeChannel(), None)):
        night("callback", channel, acd=acd)
        assert "night-callback-offer" not in channel.played() and channel.played()[-1] == "goodbye"


# Through the IVR runner ---------------------------------------------------------------------------------


class NoBilling:
    async def bill_for(self, account_number: str) -> Bill | None:
        return None


def test_the_runner_hands_a_caller_for_a_closed_queue_to_the_night_service_not_to_hold() -> None:
    bus = EventBus()
    events: list[Event] = []
    bus.tap(events.append)
    acd = FakeAcd()
    runner = IvrRunner(bus, NoBilling(), FixedClock(TUESDAY_NIGHT), lambda: MENU, Path("/prompts"), 1000,
                       acd=acd, night=service("message", bus=bus))
    channel = FakeChannel(keys={"main-menu": "0"})  # 0: an agent
    asyncio.run(runner.handle(channel))
    assert not any("QQ_" in command for command in channel.others())  # no QQ_NEXT: the dialplan hangs up
    assert acd.asked == []  # no direct offer either
    assert channel.played()[-len(OPENS_TOMORROW) - 1:] == [*OPENS_TOMORROW, "goodbye"]
    left = [e for e in events if isinstance(e, IvrLeft)]
    assert [(e.path, e.next, e.outcome) for e in left] == [("main>agent>queue>closed", "hangup", "closed")]
    assert [e.step for e in events if isinstance(e, IvrStepped)] == ["main", "agent", "queue", "closed"]


def test_the_runner_hands_a_caller_for_an_open_queue_over_as_before() -> None:
    acd = FakeAcd()
    runner = IvrRunner(EventBus(), NoBilling(), FixedClock(TUESDAY_NOON), lambda: MENU, Path("/prompts"), 1000,
                       acd=acd, night=service("message", now=TUESDAY_NOON))
    channel = FakeChannel(keys={"main-menu": "0"})
    asyncio.run(runner.handle(channel))
    assert channel.others()[-1] == 'SET VARIABLE QQ_NEXT "queue"' and len(acd.asked) == 1


def test_in_emergency_mode_a_closed_queue_takes_calls() -> None:
    channel = FakeChannel()
    taken = asyncio.run(service("message", emergency=True).handle(AgiDialogue(channel, Path("/prompts"), 1000),
                                                                  "general", linkedid="c1", path="main>agent",
                                                                  account_number=None))
    assert taken is False and channel.sent == []
