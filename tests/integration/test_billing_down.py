"""The billing system is down: a caller who asks for their bill hears the apology and reaches the queue, on real
parts (Asterisk, baresip, the FastAGI IVR) with the HTTP billing adapter pointed at a port where nothing
listens."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import pytest

from tests.integration.test_call_path import contact_of, dial_hotline, ended_contact
from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port of 127.0.0.1 that is bound (so nobody else takes it) but does not listen: connections are refused."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield int(bound.getsockname()[1])


def test_billing_system_down_sends_the_caller_to_an_agent(hotline_with: Callable[..., RunningHotline],
                                                          phones: Callable[..., BaresipPhone],
                                                          closed_port: int) -> None:
    hotline = hotline_with(billing={"adapter": "http", "url": f"http://127.0.0.1:{closed_port}/accounts/{{account}}",
                                    "timeout_seconds": 2.0})
    manager = hotline.login("manager1")
    caller = phones("13700000004")
    dial_hotline(caller, hotline)
    time.sleep(1.0)
    caller.send_dtmf("1")  # hear my bill
    time.sleep(1.5)
    caller.send_dtmf("10001234#")  # a demo account: known to the local database, but bills now come over HTTP

    contact = wait_for(lambda: (lambda c: c if c and c["queued_at"] else None)(
        contact_of(hotline, manager, "13700000004")), timeout=20, what="the caller to reach the queue")
    assert "billing_down" in contact["ivr_path"].split(">")
    assert contact["ivr_path"].endswith("queue")
    assert contact["account_number"] == "10001234"  # what the caller keyed goes to the agent, unchecked
    log = hotline.log_text()
    assert "bills come from the billing system http://127.0.0.1:" in log
    assert "billing unavailable for account lookup" in log and "cannot be reached" in log

    caller.hangup()
    assert ended_contact(hotline, manager, "13700000004")["outcome"] == "abandoned"
