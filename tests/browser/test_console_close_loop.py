"""The whole loop of a work order in a real Chromium on a real hotline, all through the console: a real caller
presses 0 and reaches the agent, who opens a work order from the screen pop; the caller hangs up, the agent
finishes wrap-up and moves the order to "awaiting callback" (待回访); the closing callback (回访) appears in the
callback list; the agent presses "call": their own seat rings first and answers, then the customer's phone
(behind the carrier trunk) rings and answers; the agent records the outcome (reached, satisfaction 5) and closes
the order, which "my work orders" then shows closed (办结)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_console_call import CALLER, press_until_pop, seat_registered, take_seat
from tests.support.baresip import BaresipPhone, free_sip_port
from tests.support.hotline import RunningHotline, start_hotline, wait_for


@pytest.fixture(scope="module")
def carrier_port() -> int:
    """Where the hotline's trunk sends calls out (the carrier): the customer's phone listens there."""
    return free_sip_port()


@pytest.fixture(scope="module")
def console_hotline(tmp_path_factory: pytest.TempPathFactory, carrier_port: int) -> Iterator[RunningHotline]:
    """This module's hotline (it overrides the shared one for ``open_page``): like the shared one, with its trunk
    sending calls out to ``carrier_port``."""
    running = start_hotline(tmp_path_factory.mktemp("browser-loop") / "hotline", acd={"wrapup_seconds": 60.0},
                            asterisk={"trunk_outbound_host": f"127.0.0.1:{carrier_port}"})
    yield running
    running.stop()


def test_a_call_opens_a_work_order_that_the_closing_callback_closes(
        console_hotline: RunningHotline, open_page: Callable[..., Page], phones: Callable[..., BaresipPhone],
        carrier_port: int) -> None:
    seat_phone = phones("agent1", hotline=console_hotline, seat="seat1001")  # answers by itself
    customer = phones(CALLER, sip_port=carrier_port, answer=True)  # calls in, and answers the callback
    seat_registered(console_hotline, "seat1001")
    page = open_page("agent1")
    take_seat(page, "seat1001")
    page.get_by_test_id("btn-ready").click()
    expect(page.get_by_test_id("state-badge")).to_have_attribute("data-state", "ready")

    # A real call: the caller presses 0, the seat answers, the pop shows them; the agent opens a work order.
    customer.dial(f"sip:96106@127.0.0.1:{console_hotline.sip_port}")
    customer.wait_event("CALL_ESTABLISHED", timeout=10)
    press_until_pop(page, customer)
    expect(page.get_by_test_id("state-badge")).to_have_attribute("data-state", "on_call")
    assert page.get_by_test_id("wo-linkedid").input_value(), "the form was not linked to the call"
    page.get_by_test_id("wo-category").select_option("repair")
    page.get_by_test_id("wo-description").fill("水表走字异常，请派员检查")
    page.get_by_test_id("wo-submit").click()
    expect(page.get_by_test_id("wo-msg")).to_contain_text("已创建工单 #")
    match = re.search(r"#(\d+)", page.get_by_test_id("wo-msg").text_content() or "")
    assert match, "no order number in the message"
    order_id = int(match.group(1))
    order = page.locator(f"#wo-list li[data-order-id='{order_id}']")
    expect(order.get_by_test_id("wo-status-tag")).to_have_text("新建")

    # The caller hangs up; the agent finishes wrap-up.
    customer.hangup()
    customer.wait_event("CALL_CLOSED", timeout=10)
    seat_phone.wait_event("CALL_CLOSED", timeout=10)
    expect(page.get_by_test_id("state-badge")).to_have_attribute("data-state", "wrap_up")
    page.get_by_test_id("wrapup-done").click()
    expect(page.get_by_test_id("state-badge")).to_have_attribute("data-state", "ready")

    # Through the order's status flow to "awaiting callback": the closing callback is scheduled.
    order.click()
    expect(page.get_by_test_id("wo-detail-id")).to_have_text(f"#{order_id}")
    status = page.get_by_test_id("wo-detail-status")
    expect(status).to_have_text("新建")
    expect(page.locator("#wo-status option[value=awaiting_callback]")).to_have_count(0)  # not from new
    page.get_by_test_id("wo-status").select_option("in_progress")
    page.get_by_test_id("wo-status-submit").click()
    expect(status).to_have_text("处理中")
    page.get_by_test_id("wo-status").select_option("awaiting_callback")
    page.get_by_test_id("wo-status-note").fill("表已更换，待回访确认")
    page.get_by_test_id("wo-status-submit").click()
    expect(status).to_have_text("待回访")
    expect(order.get_by_test_id("wo-status-tag")).to_have_text("待回访")

    callback = page.locator("#cb-list li", has_text=f"工单 #{order_id}")
    expect(callback).to_have_count(1)
    expect(callback.get_by_test_id("cb-number")).to_have_text(CALLER)
    expect(callback).to_contain_text("办结回访")

    # Click-to-call: the seat rings first and answers, then the customer's phone rings (and answers).
    callback.get_by_test_id("cb-call").click()
    expect(page.get_by_test_id("toast")).to_contain_text(CALLER)
    agent_answered = seat_phone.wait_event("CALL_ESTABLISHED", timeout=15)
    customer_answered = customer.wait_event("CALL_ESTABLISHED", timeout=15)
    assert agent_answered["received_at"] <= customer_answered["received_at"] + 0.01
    assert customer_answered["peeruri"].startswith("sip:96106@"), customer_answered  # the hotline calls
    expect(page.get_by_test_id("state-badge")).to_have_attribute("data-state", "on_call")
    expect(callback).to_contain_text("已拨出")

    # The customer is satisfied and hangs up; the agent records the outcome and closes the order.
    customer.hangup()
    seat_phone.wait_event("CALL_CLOSED", timeout=10)
    expect(page.get_by_test_id("state-badge")).to_have_attribute("data-state", "wrap_up")
    expect(page.get_by_test_id("cb-outcome-form")).to_be_visible()
    expect(page.locator("#cb-outcome-number")).to_have_text(CALLER)
    page.get_by_test_id("cb-outcome").select_option("reached")
    page.get_by_test_id("cb-satisfaction").select_option("5")
    page.get_by_test_id("cb-note").fill("用户确认水表正常")
    page.get_by_test_id("cb-outcome-submit").click()
    expect(page.get_by_test_id("cb-outcome-form")).to_be_hidden()
    expect(callback).to_have_count(0)  # done: no longer in the list of callbacks to make
    expect(page.get_by_test_id("wo-history")).to_contain_text("完成回访")  # the order shown follows

    page.get_by_test_id("wo-close-note").fill("回访满意，办结")
    page.get_by_test_id("wo-close-submit").click()
    expect(status).to_have_text("已办结")
    expect(page.locator("#wo-close-form")).to_be_hidden()
    expect(order.get_by_test_id("wo-status-tag")).to_have_text("已办结")  # still in "my work orders", closed
    page.get_by_test_id("wrapup-done").click()
    expect(page.get_by_test_id("state-badge")).to_have_attribute("data-state", "ready")

    token = console_hotline.login("agent1")
    with console_hotline.client(token) as c:
        closed = c.get(f"/api/work-orders/{order_id}").json()
    assert (closed["status"], closed["closing_reason"], closed["callback_satisfaction"]) == ("closed", "callback", 5)
    actions = [h["action"] for h in closed["history"]]
    assert actions == ["created", "status_changed", "status_changed", "callback_scheduled", "callback_completed",
                       "closed"], actions
    (done,) = closed["callbacks"]
    assert (done["kind"], done["status"], done["outcome"], done["satisfaction"], done["number"]) == (
        "closing", "done", "reached", 5, CALLER)
    assert done["placed_linkedid"]
    contact = wait_for(lambda: (lambda rows: rows[0] if rows and rows[0]["ended_at"] else None)(console_hotline.query(
        "SELECT direction, work_order_id, outcome, ended_at FROM contact WHERE linkedid = :l",
        l=done["placed_linkedid"])), what="the callback's outbound contact")
    assert (contact["direction"], contact["work_order_id"], contact["outcome"]) == ("outbound", order_id, "answered")
