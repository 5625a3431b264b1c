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
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from acd.models import AgentStateChange, AgentStateHour
from contacts.models import Contact, ContactHour, TrunkHour, TrunkOccupancy
from kernel.clock import Clock
from kernel.periodic import PeriodicJob
from reports.contact_tallies import FCR_DAYS, contact_query
from reports.metric_periods import bucketing
from reports.metric_sql import Filters, Window, tune_for_reports
from reports.metrics import Tally
from reports.report_tallies_store import CONTACT_FIELDS, HOUR, STORED_TARGET_SECONDS, floor_hour
from reports.step_tallies import agent_seconds, trunk_live

log = logging.getLogger(__name__)

SETTLING = timedelta(hours=2)
# A call's tallies are final once its first-contact-resolution window has closed; a day more for late edits
# (a survey rating, a queue callback's outcome, a wrap-up's length).
CONTACT_SETTLING = timedelta(days=FCR_DAYS + 1)
BATCH = timedelta(days=7)
REFRESH_EVERY_SECONDS = 3600.0


def settled_until(now: datetime) -> datetime:
    """Hours starting before this instant are settled."""
    return floor_hour(now - SETTLING)


def contacts_settled_until(now: datetime) -> datetime:
    """Hours of arrival starting before this instant have their call tallies settled."""
    return floor_hour(now - CONTACT_SETTLING)


def refresh(factory: sessionmaker[Session], now: datetime, *, rebuild: bool = False,
            progress: Callable[[datetime, int], None] | None = None) -> int:
    """Computes every settled hour from the first log row (and the first call) on that is not filled yet
    (every one when ``rebuild``); returns how many hours were written, of the step and the call tallies."""
    with factory() as session:
        firsts = [session.scalar(select(func.min(AgentStateChange.at))),
                  session.scalar(select(func.min(TrunkOccupancy.at)))]
        first_call = session.scalar(select(func.min(Contact.arrived_at)))
    known = [moment for moment in firsts if moment is not None]
    written = 0
    if known:
        written += _refresh(factory, floor_hour(min(known)), settled_until(now), TrunkHour.hour_start, _fill,
                            rebuild, progress)
    if first_call is not None:
        written += _refresh(factory, floor_hour(first_call), contacts_settled_until(now), ContactHour.hour_start,
                            lambda f, start, end: _fill_contacts(f, start, end, now), rebuild, progress)
    return written


def _refresh(factory: sessionmaker[Session], first: datetime, limit: datetime, hours_column: Any,
             fill: Callable[[sessionmaker[Session], datetime, datetime], None], rebuild: bool,
             progress: Callable[[datetime, int], None] | None) -> int:
    """Fills, a batch at a time, the hours ``[first, limit)`` of the table of ``hours_column`` that are not
    filled yet (all when ``rebuild``)."""
    with factory() as session:
        filled = set() if rebuild else set(session.scalars(
            select(hours_column).distinct().where(hours_column >= first, hours_column < limit)))
    written = 0
    start = first
    while start < limit:
        end = min(start + BATCH, limit)
        hours = round((end - start) / HOUR)
        if rebuild or any(start + n * HOUR not in filled for n in range(hours)):
            fill(factory, start, end)
            written += hours
            if progress is not None:
                progress(end, written)
        start = end
    return written


def _fill_contacts(factory: sessionmaker[Session], start: datetime, end: datetime, now: datetime) -> None:
    """Replaces the call tallies of the hours ``[start, end)`` in one transaction: a row per hour and (queue,
    agent, company) that had calls, a row of zeros for an hour without any."""
    window = Window(start=start, end=end, now=now, periods=bucketing(start, end, "hour", "UTC"))
    keys: list[Any] = [Contact.queue, Contact.agent_id, Contact.company]
    with factory() as session, session.begin():
        tune_for_reports(session)
        found = list(contact_query(session, window, keys, Filters(), STORED_TARGET_SECONDS))
        session.execute(delete(ContactHour).where(ContactHour.hour_start >= start, ContactHour.hour_start < end))
        rows = [{"hour_start": datetime.fromtimestamp(bucket * 3600, UTC), "queue": queue, "agent_id": agent,
                 "company": company, **{name: getattr(tally, name) for name in CONTACT_FIELDS}}
                for bucket, (queue, agent, company), tally in found]
        busy = {row["hour_start"] for row in rows}
        rows += [{"hour_start": bucket.start, **{name: getattr(Tally(), name) for name in CONTACT_FIELDS}}
                 for bucket in window.periods.buckets if bucket.start not in busy]
        session.execute(insert(ContactHour), rows)


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

