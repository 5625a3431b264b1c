"""Fills the step tallies per settled UTC hour (``agent_state_hour``, ``trunk_hour``) that the metrics report
reads instead of running window functions over a month of the state and trunk logs.

An hour is *settled* once it ended more than ``SETTLING`` ago. The logs are append-only, but a node that lost
the database (an outage, a failover) keeps its events and writes them when it is back (``write_until_stored``
retries): rows may land late, with their true, earlier ``at``. Two hours covers a database outage the
operators would notice and fix; a report of the last two hours computes them live from the logs, so a late row
within the margin is counted. The hours are computed with the report's own SQL (:mod:`reports.step_tallies`,
a batch of days at a time: one window-function pass per batch), a batch's rows replaced in one transaction,
so refreshing again changes nothing. Called hourly by the app (:class:`TallyRefresher`) and by
``qingquan refresh-report-tallies`` after history was imported or generated (``rebuild`` recomputes every
hour, for rows written into hours already filled)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from acd.models import AgentStateChange, AgentStateHour
from contacts.models import TrunkHour, TrunkOccupancy
from kernel.clock import Clock
from kernel.periodic import PeriodicJob
from reports.metric_periods import bucketing
from reports.metric_sql import Window
from reports.report_tallies_store import HOUR, floor_hour
from reports.step_tallies import agent_seconds, trunk_live

log = logging.getLogger(__name__)

SETTLING = timedelta(hours=2)
BATCH = timedelta(days=7)
REFRESH_EVERY_SECONDS = 3600.0


def settled_until(now: datetime) -> datetime:
    """Hours starting before this instant are settled."""
    return floor_hour(now - SETTLING)


def refresh(factory: sessionmaker[Session], now: datetime, *, rebuild: bool = False,
            progress: Callable[[datetime, int], None] | None = None) -> int:
    """Computes every settled hour from the first log row on that is not filled yet (every one when
    ``rebuild``); returns how many hours were written."""
    limit = settled_until(now)
    with factory() as session:
        firsts = [session.scalar(select(func.min(AgentStateChange.at))),
                  session.scalar(select(func.min(TrunkOccupancy.at)))]
        known = [moment for moment in firsts if moment is not None]
        if not known:
            return 0
        first = floor_hour(min(known))
        filled = set() if rebuild else set(session.scalars(
            select(TrunkHour.hour_start).where(TrunkHour.hour_start >= first, TrunkHour.hour_start < limit)))
    written = 0
    start = first
    while start < limit:
        end = min(start + BATCH, limit)
        hours = round((end - start) / HOUR)
        if rebuild or any(start + n * HOUR not in filled for n in range(hours)):
            _fill(factory, start, end)
            written += hours
            if progress is not None:
                progress(end, written)
        start = end
    return written


def _fill(factory: sessionmaker[Session], start: datetime, end: datetime) -> None:
    """Replaces the rows of the hours ``[start, end)`` in one transaction."""
    window = Window(start=start, end=end, now=end, periods=bucketing(start, end, "hour", "UTC"))
    starts = [bucket.start for bucket in window.periods.buckets]
    with factory() as session, session.begin():
        agents = agent_seconds(session, window, by_agent=True, agent_id=None)
        trunk = dict(trunk_live(session, window))
        for table in (AgentStateHour, TrunkHour):
            session.execute(delete(table).where(table.hour_start >= start, table.hour_start < end))
        agent_rows = [{"hour_start": starts[index], "agent_id": agent, "state": state, "seconds": seconds}
                      for (index, agent, state), seconds in agents.items()]
        if agent_rows:
            session.execute(insert(AgentStateHour), agent_rows)
        trunk_rows = []
        for index, hour in enumerate(starts):
            tally = trunk.get(index)
            trunk_rows.append({"hour_start": hour,
                               "line_seconds": tally.trunk_line_seconds if tally else 0.0,
                               "peak_lines": tally.trunk_peak_lines if tally else None,
                               "refused": tally.all_lines_busy if tally else 0})
        session.execute(insert(TrunkHour), trunk_rows)


class TallyRefresher:
    """The app's hourly refresh of the settled hours (every node may run it: a batch is replaced whole); a
    failure is logged, the report computes unfilled hours live and the next round retries."""

    def __init__(self, factory: sessionmaker[Session], clock: Clock,
                 every_seconds: float = REFRESH_EVERY_SECONDS) -> None:
        self._factory = factory
        self._clock = clock
        self._job = PeriodicJob("report-tallies", self._refresh, every_seconds, log)

    def start(self) -> None:
        self._job.start()

    async def stop(self) -> None:
        await self._job.stop()

    def _refresh(self) -> None:
        hours = refresh(self._factory, self._clock.now())
        if hours:
            log.info("reports: %d settled hours of step tallies filled", hours)

