"""Calls beyond the trunk's configured lines are refused with the all-lines-busy announcement and a busy
signal, and recorded as such."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.integration.test_call_path import contact_of, dial_hotline, ended_contact
from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline, start_hotline

pytestmark = pytest.mark.integration


@pytest.fixture
def one_line_hotline(tmp_path: Path) -> Iterator[RunningHotline]:
    running = start_hotline(tmp_path / "hotline", asterisk={"trunk_lines": 1})
    yield running
    running.stop()


def test_call_beyond_the_trunk_lines_is_refused_busy(one_line_hotline: RunningHotline,
                                                     phones: Callable[..., BaresipPhone]) -> None:
    hotline = one_line_hotline
    manager = hotline.login("manager1")
    first = phones("13100000001")
    dial_hotline(first, hotline)  # takes the only line (in the IVR)
    second = phones("13100000002")
    second.dial(f"sip:96106@127.0.0.1:{hotline.sip_port}")
    closed = second.wait_event("CALL_CLOSED", timeout=20)
    assert "486" in closed.get("param", "") or "Busy" in closed.get("param", ""), closed
    assert ended_contact(hotline, manager, "13100000002")["outcome"] == "lines_busy"
    first_contact = contact_of(hotline, manager, "13100000001")
    assert first_contact is not None and first_contact["ended_at"] is None
    first.hangup()
