"""The staffing advisor's history: arrivals per local interval averaged over the period's days, AHT from the
talk (to the agent's hang-up, not the survey after it) plus after-call work, and the time calls hold a line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from contacts.models import Contact
from kernel.database import transaction
from reports.staffing import interval_loads

# 2026-11-23 00:00 in Shanghai is 2026-11-22 16:00 UTC
DAY0 = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)


def contact(n: int, arrived: datetime, *, talk: float | None = None, survey: float = 0, held: float = 60) -> Contact:
    answered = arrived + timedelta(seconds=20) if talk is not None else None
    talk_end = answered + timedelta(seconds=talk) if answered is not None and talk is not None else None
    ended = (talk_end + timedelta(seconds=survey)) if talk_end else arrived + timedelta(seconds=held)
    return Contact(linkedid=f"c{n}", arrived_at=arrived, answered_at=answered, talk_ended_at=talk_end, ended_at=ended,
                   ivr_path="main", offer_count=0)


def test_loads_per_local_interval(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        session.add_all([
            contact(1, DAY0 + timedelta(hours=8, minutes=5), talk=100, survey=30),  # day 1, 08:05 local
            contact(2, DAY0 + timedelta(hours=8, minutes=25), talk=200),
            contact(3, DAY0 + timedelta(days=1, hours=8, minutes=10), talk=300),  # day 2, 08:10
            contact(4, DAY0 + timedelta(days=1, hours=23, minutes=59)),  # day 2, 23:59: abandoned in the IVR
            contact(5, DAY0 - timedelta(minutes=1), talk=999),  # before the period
        ])
    with session_factory() as session:
        loads = interval_loads(session, DAY0, DAY0 + timedelta(days=2), "Asia/Shanghai", 30, wrapup_seconds=10)
    assert len(loads) == 48
    eight = loads[16]
    assert (eight.start.hour, eight.start.minute) == (8, 0)
    assert eight.calls == 1.5  # three calls over two days
    assert eight.aht_seconds == 200 + 10  # talk ends when the agent hangs up, not after the survey
    last = loads[47]
    assert last.calls == 0.5 and last.line_hold_seconds == 60 and last.aht_seconds == 210  # the day's mean talk
    assert loads[0].calls == 0
