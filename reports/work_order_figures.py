"""Work-order tallies for the metrics: the cohort of orders created in each period (办结率, 处理及时率) and the
closing callbacks (回访) completed in it (回访满意率).

An order belongs to its first owner (首问负责制: the agent who took the call, kept through handovers) and to
the queue and company of the call it was opened from. A closing callback counts where its order does."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal_column, or_, select
from sqlalchemy.orm import Session

from contacts.models import Contact
from reports.metric_sql import Filters, Group, Window, bucket_number, plain_key
from reports.metrics import KeyedTally, Tally
from work_orders.models import Callback, WorkOrder

CLOSED = "closed"
CLOSING = "closing"
DONE = "done"
REACHED = "reached"



def _key(group: Group) -> Any | None:
    columns: dict[Group, Any] = {"agent": WorkOrder.first_owner_id, "queue": Contact.queue,
                                 "company": Contact.company}
    return columns.get(group)


def _needs_call(group: Group, filters: Filters) -> bool:
    """Whether the grouping or the filters read the order's call (its queue or company)."""
    return group in ("queue", "company") or filters.queue is not None or filters.company is not None


def _filters(filters: Filters) -> list[ColumnElement[bool]]:
    conditions = []
    if filters.agent_id is not None:
        conditions.append(WorkOrder.first_owner_id == filters.agent_id)
    if filters.queue is not None:
        conditions.append(Contact.queue == filters.queue)
    if filters.company is not None:
        conditions.append(Contact.company == filters.company)
    return conditions


def _grouped(session: Session, window: Window, moment: Any, group: Group, columns: list[Any],
             query_from: Any, where: list[ColumnElement[bool]]) -> list[tuple[int, str | None, list[Any]]]:
    dialect = session.get_bind().dialect.name
    size = window.periods.utc_seconds
    bucket = bucket_number(dialect, moment, size)
    key = _key(group)
    query = (select(bucket if size else literal_column("0"), key if key is not None else literal_column("NULL"),
                    *columns).select_from(query_from)
             .where(moment >= window.start, moment < window.end, *where)
             .group_by(*([bucket] if size else []), *([key] if key is not None else [])))
    return [(window.periods.local_index(int(row[0])), plain_key(row[1]), list(row[2:]))
            for row in session.execute(query)]


def work_order_tallies(session: Session, window: Window, *, group: Group, filters: Filters) -> list[KeyedTally]:
    closed = WorkOrder.status == CLOSED
    settled = or_(closed, WorkOrder.due_at <= window.now)
    on_time = and_(closed, WorkOrder.closed_at <= WorkOrder.due_at)
    joined: Any = WorkOrder.__table__
    if _needs_call(group, filters):
        joined = joined.outerjoin(Contact.__table__, Contact.id == WorkOrder.contact_id)
    rows = _grouped(session, window, WorkOrder.created_at, group,
                    [func.count(), func.count(case((closed, 1))), func.count(case((settled, 1))),
                     func.count(case((on_time, 1)))], joined, _filters(filters))
    return [(index, key, Tally(orders_opened=opened, orders_closed=done, orders_settled=due, orders_on_time=timely))
            for index, key, (opened, done, due, timely) in rows]


def closing_callback_tallies(session: Session, window: Window, *, group: Group,
                             filters: Filters) -> list[KeyedTally]:
    joined: Any = Callback.__table__  # joined to the order (its first owner) and its call only when needed
    if _needs_call(group, filters) or group == "agent" or filters.agent_id is not None:
        joined = joined.join(WorkOrder.__table__, WorkOrder.id == Callback.work_order_id)
    if _needs_call(group, filters):
        joined = joined.outerjoin(Contact.__table__, Contact.id == WorkOrder.contact_id)
    reached = [Callback.kind == CLOSING, Callback.status == DONE, Callback.outcome == REACHED]
    rows = _grouped(session, window, Callback.done_at, group,
                    [func.count(), func.count(case((Callback.satisfaction >= 4, 1)))], joined,
                    [*reached, *_filters(filters)])
    return [(index, key, Tally(callbacks_reached=count, callbacks_satisfied=satisfied))
            for index, key, (count, satisfied) in rows]
