"""SQL building blocks the metric adapters share: UTC bucket numbers, the report window, the grouping and
the filters. Dialect-aware for SQLite and PostgreSQL, like :mod:`reports.arith`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import BigInteger, ColumnElement, Integer, SQLColumnExpression, cast, func, literal_column

from reports.metric_periods import Bucketing

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
