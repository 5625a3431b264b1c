"""If the Qingquan application is down, the dialplan still gets a caller to a human: the FastAGI call
fails and the caller goes to the fallback app_queue over the seats, never to silence."""

from __future__ import annotations

from collections.abc import Callable

from tests.integration.test_call_path import dial_hotline
from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline, wait_for


def test_app_down_callers_reach_a_seat_through_the_fallback_queue(hotline: RunningHotline,
                                                                  phones: Callable[..., BaresipPhone]) -> None:
    seat_phone = phones("agent", hotline=hotline, seat="seat1001")
    wait_for(lambda: "seat1001" in hotline.health()["registered_seats"], what="seat1001 to register")
    hotline.kill_app()
    caller = phones("13400000001")
    dial_hotline(caller, hotline)
    seat_phone.wait_event("CALL_ESTABLISHED", timeout=20)
    caller.hangup()
    caller.wait_event("CALL_CLOSED", timeout=10)
