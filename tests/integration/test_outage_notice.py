"""A caller whose number is a demo account's phone, in a zone under an outage, hears the outage notice before
the menu and hangs up: the contact is deflected, never queued. 0 goes on to the menu; another key over the
notice is already the menu's choice (type-ahead)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.test_call_path import contact_of, dial_hotline, ended_contact
from tests.support.acd_steps import contact_where
from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline, wait_for

pytestmark = pytest.mark.integration


def test_caller_in_an_affected_zone_hears_the_notice_and_hangs_up_deflected(
        hotline: RunningHotline, phones: Callable[..., BaresipPhone]) -> None:
    supervisor = hotline.login("super1")
    now = datetime.now(UTC)
    with hotline.client(supervisor) as c:
        created = c.post("/api/outages", json={  # the demo account 10001234 (phone 13800000001) is in "north"
            "supply_zone": "north", "kind": "emergency", "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(hours=3)).isoformat(), "note": "主管爆裂抢修"})
        assert created.status_code == 201, created.text

    caller = phones("13800000001")
    dial_hotline(caller, hotline)
    wait_for(lambda: "outage notice" in hotline.log_text() or contact_of(hotline, supervisor, "13800000001"),
             what="the call to arrive")
    time.sleep(2.0)  # in the middle of the notice (it lasts well over 2 s)
    caller.hangup()

    contact = ended_contact(hotline, supervisor, "13800000001")
    assert contact["outcome"] == "deflected"
    assert contact["ivr_path"] == "outage"
    assert contact["queued_at"] is None


def test_pressing_0_after_the_notice_goes_on_to_the_menu_and_an_agent(
        hotline: RunningHotline, phones: Callable[..., BaresipPhone]) -> None:
    supervisor = planned_outage(hotline)

    caller = phones("13800000001")
    dial_hotline(caller, hotline)
    time.sleep(1.0)
    caller.send_dtmf("0")  # on to the menu
    contact = wait_for(lambda: _pressed_through(caller, hotline, supervisor), timeout=30,
                       what="the caller to reach the queue")
    assert contact["ivr_path"].startswith("outage>main") and contact["ivr_path"].endswith("queue")
    caller.hangup()
    assert ended_contact(hotline, supervisor, "13800000001")["outcome"] == "abandoned"


def test_a_menu_key_over_the_notice_is_the_menu_choice(hotline: RunningHotline,
                                                      phones: Callable[..., BaresipPhone]) -> None:
    supervisor = planned_outage(hotline)

    caller = phones("13800000001")
    dial_hotline(caller, hotline)
    wait_for(lambda: contact_of(hotline, supervisor, caller.user), what="the call to arrive")
    time.sleep(1.5)  # in the notice (it lasts well over 3 s)
    caller.send_dtmf("2")  # a repair, at the menu: the notice and the menu's prompts are skipped
    assert contact_where(hotline, supervisor, caller.user, "queued_at")["ivr_path"] == "outage>main>repair>queue"
    caller.hangup()


def planned_outage(hotline: RunningHotline) -> str:
    """A planned outage in the demo account 10001234's zone ("north", phone 13800000001); the supervisor's token."""
    supervisor = hotline.login("super1")
    now = datetime.now(UTC)
    with hotline.client(supervisor) as c:
        assert c.post("/api/outages", json={
            "supply_zone": "north", "kind": "planned", "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(hours=3)).isoformat()}).status_code == 201
    return supervisor


def _pressed_through(caller: BaresipPhone, hotline: RunningHotline, token: str) -> dict[str, object] | None:
    """Presses 0 (an agent, at the menu) until the contact shows the caller queued."""
    contact = contact_of(hotline, token, caller.user)
    if contact and contact["queued_at"]:
        return contact
    caller.send_dtmf("0")
    time.sleep(1.0)
    return None
