"""SQL building blocks the metric adapters share: UTC bucket numbers, the report window, the grouping and
the filters. Dialect-aware for SQLite and PostgreSQL, like :mod:`reports.arith`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import BigInteger, ColumnElement, Integer, SQLColumnExpression, cast, func, literal_column, text
from sqlalchemy.orm import Session

from reports.metric_periods import Bucketing


def tune_for_reports(session: Session) -> None:
    """PostgreSQL settings for the report queries, for the session's current transaction only (SET LOCAL).

    - ``jit = off``: the planner's estimates for the correlated FCR test trip the JIT, whose compilation alone
      costs seconds; these queries run far faster interpreted.
    - ``work_mem = 64MB``: a month of agent state changes sorts in memory rather than on disk.
    - ``random_page_cost = 1.1``: a report period's rows are few and cached, so index ranges are cheap. With
      the default (4, spinning disks) the planner seq-scans all work orders to join a month's closing callbacks
      (225 ms on 0.9 M orders instead of 35 ms probing their primary key), and reads the whole
      (agent_id, arrived_at) index to get the agent report's calls in grouped order.
    Nothing on SQLite."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text("SET LOCAL jit = off"))
    session.execute(text("SET LOCAL work_mem = '64MB'"))
    session.execute(text("SET LOCAL random_page_cost = 1.1"))


Group = Literal["none", "queue", "agent", "company"]
GROUPS: tuple[Group, ...] = get_args(Group)


@dataclass(frozen=True)
class Filters:
    queue: str | None = None
    agent_id: int | None = None
    company: str | None = None

    @property
    def any(self) -> bool:
        return self.queue is not None or self.agent_id is not None or self.company is not None


@dataclass(frozen=True)
class Window:
    """The report's period ``[start, end)``, what is known of it (up to ``cutoff`` = min(end, now)) and its
    local periods."""

    start: datetime
    end: datetime
    now: datetime
    periods: Bucketing

    @property
    def cutoff(self) -> datetime:
        return max(self.start, min(self.end, self.now))


def bucket_number(dialect: str, moment: SQLColumnExpression[Any], size: int | None) -> ColumnElement[Any]:
    """The UTC bucket of ``moment``: floor(seconds since the epoch / ``size``) (0 for every row when ``size``
    is None, the report's single total period)."""
    if size is None:
        return literal_column("0")
    if dialect == "sqlite":
        return cast(func.strftime("%s", moment), Integer) // size
    if dialect == "postgresql":
        # date_part is double precision; extract(epoch) is numeric since PostgreSQL 14, several times slower
        return cast(func.floor(func.date_part("epoch", moment) / size), BigInteger)
    raise NotImplementedError(f"reports support SQLite and PostgreSQL, not {dialect}")


def plain_key(value: object) -> str | None:
    """A group key as the report shows it (agent ids as text)."""
    return None if value is None else str(value)


def call_key(table: Any, group: Group) -> Any | None:
    """The grouping column of ``table``, a call's row (``contact``) or the calls' stored hours (``contact_hour``):
    both have the call's queue, answering agent and company."""
    return {"queue": table.queue, "agent": table.agent_id, "company": table.company}.get(group)


def call_filters(table: Any, filters: Filters) -> list[ColumnElement[bool]]:
    """The filters as conditions on ``table`` (see :func:`call_key`)."""
    return [column == value for column, value in ((table.queue, filters.queue), (table.agent_id, filters.agent_id),
                                                  (table.company, filters.company)) if value is not None]
