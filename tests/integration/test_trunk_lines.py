"""Calls beyond the trunk's configured lines are refused with the all-lines-busy announcement and a busy
signal, and recorded as such; the trunk's occupancy is logged line by line, with Asterisk's own count; a
caller who hangs up while queued has its wait recorded (a short abandon under a high threshold)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from contacts.models import TrunkOccupancy
from kernel.database import make_engine, make_session_factory
from reports.trunk_occupancy import trunk_occupancy
from tests.integration.test_call_path import call_and_queue, contact_of, ended_contact
from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline, start_hotline, wait_for

pytestmark = pytest.mark.integration

SEIZED, REFUSED, RELEASED = 1, 0, -1


@pytest.fixture
def one_line_hotline(tmp_path: Path) -> Iterator[RunningHotline]:
    running = start_hotline(tmp_path / "hotline", asterisk={"trunk_lines": 1}, acd={"short_abandon_seconds": 3600})
    yield running
    running.stop()


def occupancy_rows(hotline: RunningHotline) -> list[tuple[int, int, str | None]]:
    """(change, lines_in_use, linkedid) of every trunk_occupancy row, oldest first."""
    engine = make_engine(hotline.database_url or f"sqlite:///{hotline.root / 'var' / 'qingquan.db'}")
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(TrunkOccupancy.change, TrunkOccupancy.lines_in_use,
                                             TrunkOccupancy.linkedid).order_by(TrunkOccupancy.id)).all()
        return [(change, lines, linkedid) for change, lines, linkedid in rows]
    finally:
        engine.dispose()


def test_call_beyond_the_trunk_lines_is_refused_busy(one_line_hotline: RunningHotline,
                                                     phones: Callable[..., BaresipPhone]) -> None:
    hotline = one_line_hotline
    manager = hotline.login("manager1")
    first = call_and_queue(hotline, phones("13100000001"), manager)  # takes the only line; no agent is ready
    first_id = contact_of(hotline, manager, "13100000001")["linkedid"]  # type: ignore[index]
    assert wait_for(lambda: occupancy_rows(hotline), what="the seized line") == [(SEIZED, 1, first_id)]

    second = phones("13100000002")
    second.dial(f"sip:96106@127.0.0.1:{hotline.sip_port}")
    closed = second.wait_event("CALL_CLOSED", timeout=20)
    assert "486" in closed.get("param", "") or "Busy" in closed.get("param", ""), closed
    refused = ended_contact(hotline, manager, "13100000002")
    assert refused["outcome"] == "lines_busy"
    first_contact = contact_of(hotline, manager, "13100000001")
    assert first_contact is not None and first_contact["ended_at"] is None

    first.hangup()
    abandoned = ended_contact(hotline, manager, "13100000001")
    assert (abandoned["outcome"], abandoned["abandon_stage"], abandoned["short_abandon"]) == (
        "abandoned", "queue", True)
    assert abandoned["wait_seconds"] > 0
    assert abs(abandoned["wait_seconds"] - _seconds(abandoned["queued_at"], abandoned["ended_at"])) < 0.01

    rows = wait_for(lambda: (lambda r: r if len(r) == 3 else None)(occupancy_rows(hotline)),
                    what="the released line")
    assert rows == [(SEIZED, 1, first_id), (REFUSED, 1, refused["linkedid"]), (RELEASED, 0, first_id)]

    with hotline.client(manager) as c:
        figures = c.get("/api/reports/summary").json()["figures"]
    assert (figures["offered"], figures["abandoned"], figures["short_abandoned"]) == (1, 0, 1)
    assert figures["answer_rate"] is None  # the only offered call was a short abandon

    engine = make_engine(hotline.database_url or f"sqlite:///{hotline.root / 'var' / 'qingquan.db'}")
    try:
        with make_session_factory(engine)() as session:
            start = _instant(abandoned["arrived_at"]) - timedelta(minutes=1)
            [interval] = trunk_occupancy(session, start, start + timedelta(hours=1),
                                         interval=timedelta(hours=1))
    finally:
        engine.dispose()
    assert (interval.peak_lines, interval.seized, interval.refused) == (1, 1, 1)
    assert 0 < interval.carried_erlangs < 1


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _seconds(earlier: str, later: str) -> float:
    return (_instant(later) - _instant(earlier)).total_seconds()
