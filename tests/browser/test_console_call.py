"""The agent's console in a real Chromium on a real hotline: sign in, pick the seat a real SIP phone registered,
press Ready; a real caller dials the hotline and presses 0; the screen pop shows the call; the agent opens a
work order from the form and finds it in "my work orders"; the caller hangs up and wrap-up counts down until the
agent presses "done". A supervisor's wallboard follows the agent's state live, and forces it."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline, wait_for

CALLER = "13800000077"


def seat_registered(hotline: RunningHotline, seat: str) -> None:
    token = hotline.login("super1")
    with hotline.client(token) as c:
        wait_for(lambda: next(s for s in c.get("/api/seats").json() if s["seat"] == seat)["registered"],
                 what=f"{seat} to register")


def take_seat(page: Page, seat: str) -> None:
    page.get_by_test_id("seat-select").focus()  # re-reads the seats
    expect(page.locator(f"[data-testid=seat-select] option[value={seat}]")).not_to_contain_text("未注册")
    page.get_by_test_id("seat-select").select_option(seat)
    expect(page.get_by_test_id("state-badge")).to_have_attribute("data-state", "not_ready")


def press_until_pop(page: Page, caller: BaresipPhone, key: str = "0", timeout: float = 40.0) -> None:
    """The menu may still be playing: press the key until the call reaches the agent."""
    pop = page.get_by_test_id("pop-caller")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        caller.send_dtmf(key)
        try:
            expect(pop).to_have_text(CALLER, timeout=2000)
            return
        except AssertionError:
            continue
    raise TimeoutError("no screen pop in the page")


def test_agent_takes_a_call_and_opens_a_work_order(console_hotline: RunningHotline, open_page: Callable[..., Page],
                                                   phones: Callable[..., BaresipPhone]) -> None:
    phones("agent1", hotline=console_hotline, seat="seat1001")  # answers by itself
    seat_registered(console_hotline, "seat1001")
    page = open_page("agent1")
    expect(page.get_by_test_id("state-badge")).to_have_attribute("data-state", "logged_out")
    take_seat(page, "seat1001")
    page.get_by_test_id("btn-ready").click()
    expect(page.get_by_test_id("state-badge")).to_have_attribute("data-state", "ready")
    expect(page.get_by_test_id("state-label")).to_have_text("示闲")
    first = page.get_by_test_id("state-timer").text_content()
    expect(page.get_by_test_id("state-timer")).not_to_have_text(first or "", timeout=3000)  # it ticks

    caller = phones(CALLER)
    caller.dial(f"sip:96106@127.0.0.1:{console_hotline.sip_port}")
    caller.wait_event("CALL_ESTABLISHED", timeout=10)
    press_until_pop(page, caller)
    expect(page.get_by_test_id("pop-ivr")).to_contain_text("agent")
    expect(page.get_by_test_id("pop-queue")).to_have_text("general")
    expect(page.get_by_test_id("state-badge")).to_have_attribute("data-state", "on_call")
    expect(page.get_by_test_id("pop-status")).to_have_text("通话中")
    linkedid = page.get_by_test_id("wo-linkedid").input_value()
    assert linkedid, "the form was not linked to the ringing call"

    page.get_by_test_id("wo-category").select_option("leak")
    page.get_by_test_id("wo-priority").select_option("high")
    page.get_by_test_id("wo-address").fill("北京路 88 号")
    page.get_by_test_id("wo-description").fill("水表前阀门漏水，已关总阀")
    page.get_by_test_id("wo-submit").click()
    expect(page.get_by_test_id("wo-msg")).to_contain_text("已创建工单 #")
    order = page.get_by_test_id("wo-list").locator("li", has_text="水表前阀门漏水，已关总阀")
    expect(order).to_have_count(1)
    expect(order).to_contain_text("报漏")
    expect(order.get_by_test_id("wo-status-tag")).to_have_text("新建")
    expect(page.get_by_test_id("wo-description")).to_have_value("")  # the draft is gone once saved

    order.click()
    expect(page.get_by_test_id("wo-detail-description")).to_have_text("水表前阀门漏水，已关总阀")
    expect(page.get_by_test_id("wo-history-item").first).to_contain_text("创建")

    caller.hangup()
    expect(page.get_by_test_id("state-badge")).to_have_attribute("data-state", "wrap_up")
    expect(page.get_by_test_id("pop-status")).to_have_text("已结束")
    expect(page.get_by_test_id("wrapup-box")).to_be_visible()
    expect(page.get_by_test_id("wrapup-countdown")).to_have_text(re.compile(r"^(0:[0-5]\d|1:00)$"))
    page.get_by_test_id("wrapup-extend").click()
    expect(page.get_by_test_id("wrapup-countdown")).to_have_text(re.compile(r"^1:[0-3]\d$"))
    page.get_by_test_id("wrapup-done").click()
    expect(page.get_by_test_id("state-badge")).to_have_attribute("data-state", "ready")
    expect(page.get_by_test_id("wrapup-box")).to_be_hidden()
    page.get_by_test_id("btn-logout").click()
    expect(page.get_by_test_id("state-badge")).to_have_attribute("data-state", "logged_out")


def test_wallboard_follows_an_agents_state_live_and_forces_it(console_hotline: RunningHotline,
                                                               open_page: Callable[..., Page]) -> None:
    board = open_page("super1")
    board.get_by_test_id("tab-wallboard").click()
    agent = open_page("agent2")
    row = board.locator("#wb-agents tr[data-agent-id]", has_text="agent2")
    expect(row.get_by_test_id("wb-agent-state")).to_have_text("未签入")

    agent.get_by_test_id("seat-select").select_option("seat1002")
    expect(row.get_by_test_id("wb-agent-state")).to_contain_text("示忙")
    expect(row).to_contain_text("seat1002")
    agent.get_by_test_id("btn-ready").click()
    expect(row.get_by_test_id("wb-agent-state")).to_have_text("示闲")
    expect(board.locator("#wb-queues tr[data-queue=general] td").nth(5)).to_have_text("1")  # ready in the queue
    agent.get_by_test_id("nr-reason").select_option("meal")
    agent.get_by_test_id("btn-not-ready").click()
    expect(row.get_by_test_id("wb-agent-state")).to_have_text("示忙 · 用餐")
    expect(row.locator("td").nth(3)).to_have_text(re.compile(r"^0:0\d$"))  # time in the state

    agent.get_by_test_id("btn-ready").click()
    expect(row.get_by_test_id("wb-agent-state")).to_have_text("示闲")
    row.locator("button[data-force=not_ready]").click()
    expect(agent.get_by_test_id("state-label")).to_have_text("示忙 · 班长置忙")  # pushed to the agent's console
    expect(row.get_by_test_id("wb-agent-state")).to_have_text("示忙 · 班长置忙")
    row.locator("button[data-force=logged_out]").click()
    expect(agent.get_by_test_id("state-badge")).to_have_attribute("data-state", "logged_out")


def test_the_emergency_switch_asks_for_a_note_and_a_confirmation(console_hotline: RunningHotline,
                                                                 open_page: Callable[..., Page]) -> None:
    board = open_page("super1")
    board.get_by_test_id("tab-wallboard").click()
    expect(board.get_by_test_id("wb-emergency-state")).to_have_text("正常模式")
    board.get_by_test_id("wb-emergency-toggle").click()
    expect(board.get_by_test_id("emergency-dialog")).to_be_visible()
    board.get_by_test_id("emergency-confirm").click()
    expect(board.locator("#emergency-error")).to_have_text("开启应急模式须填写说明")
    board.get_by_test_id("emergency-note").fill("北区爆管")
    board.get_by_test_id("emergency-confirm").click()
    expect(board.get_by_test_id("emergency-dialog")).to_be_hidden()
    expect(board.get_by_test_id("wb-emergency-state")).to_have_text("应急模式已开启")
    token = console_hotline.login("super1")
    with console_hotline.client(token) as c:
        assert c.get("/api/acd/emergency").json() == {"on": True}
    board.get_by_test_id("wb-emergency-toggle").click()
    board.get_by_test_id("emergency-confirm").click()
    expect(board.get_by_test_id("wb-emergency-state")).to_have_text("正常模式")
