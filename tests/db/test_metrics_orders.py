"""Work-order figures: the cohort of orders opened in a period (办结率, 处理及时率) per first owner and per the
queue of their call, and closing callbacks (回访满意率) by when they were completed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from agent_console.models import User
from contacts.models import Contact
from reports.metrics_query import metrics
from reports.summary import range_bounds
from work_orders.models import Callback, WorkOrder

DAY = date(2026, 11, 23)
START, END = range_bounds(DAY, DAY)
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
HOUR = timedelta(hours=1)
NOW = T0 + 48 * HOUR


def add(factory: sessionmaker[Session], *rows: object) -> None:
    with factory() as session, session.begin():
        session.add_all(rows)
        session.flush()


def order(order_id: int, owner: int, *, created: datetime = T0, due_in: float = 24, closed_in: float | None = None,
          contact_id: int | None = None, first_owner: int | None = None) -> WorkOrder:
    closed = None if closed_in is None else created + closed_in * HOUR
    return WorkOrder(id=order_id, contact_id=contact_id, category="leak", status="closed" if closed else "new",
                     description="漏水", owner_id=owner, first_owner_id=first_owner or owner, created_by_id=owner,
                     created_at=created, updated_at=created, due_at=created + due_in * HOUR, closed_at=closed)


def callback(callback_id: int, order_id: int, owner: int, *, done: datetime | None, outcome: str | None,
             satisfaction: int | None = None, kind: str = "closing", status: str = "done") -> Callback:
    return Callback(id=callback_id, work_order_id=order_id, number="139", kind=kind, owner_id=owner,
                    created_by_id=owner, due_at=T0, status=status, outcome=outcome, satisfaction=satisfaction,
                    created_at=T0, done_at=done)


def figures(factory: sessionmaker[Session], **options: Any) -> dict[str | None, Any]:
    with factory() as session:
        return {row.key: row.figures for row in metrics(session, START, END, now=NOW, **options)}


def people(factory: sessionmaker[Session]) -> tuple[int, int]:
    with factory() as session, session.begin():
        users = [User(username=name, display_name=name, password_hash="x", role="agent", created_at=T0)
                 for name in ("a1", "a2")]
        session.add_all(users)
        session.flush()
        return users[0].id, users[1].id


def test_work_order_cohort_and_closing_callbacks(session_factory: sessionmaker[Session]) -> None:
    a1, a2 = people(session_factory)
    add(session_factory,
        Contact(id=1, linkedid="c1", arrived_at=T0, queue="repair", ivr_path=""),
        Contact(id=2, linkedid="c2", arrived_at=T0, queue="billing", ivr_path=""))
    add(session_factory,
        order(1, a1, closed_in=10, contact_id=1),            # closed on time
        order(2, a1, closed_in=30, contact_id=1),            # closed late
        order(3, a1, due_in=24, contact_id=2),               # open, past due at NOW: settled, not on time
        order(4, a2, due_in=72, first_owner=a1),             # open, not yet due: not settled; a1's (首问)
        order(5, a2, created=T0 - 30 * HOUR, closed_in=1))   # another day's cohort
    add(session_factory,
        callback(1, 1, a1, done=T0 + 10 * HOUR, outcome="reached", satisfaction=5),
        callback(2, 2, a1, done=T0 + 12 * HOUR, outcome="reached", satisfaction=3),
        callback(3, 3, a1, done=T0 + 13 * HOUR, outcome="declined", status="done"),   # not reached
        callback(4, 3, a1, done=T0 + 14 * HOUR, outcome="no_answer", status="failed"),
        callback(5, 5, a2, done=T0 + 2 * HOUR, outcome="reached", satisfaction=4),  # its order is older
        callback(6, 4, a2, done=T0 + 3 * HOUR, outcome="reached", satisfaction=5, kind="promised"),
        callback(7, 1, a1, done=END + HOUR, outcome="reached", satisfaction=5))  # completed the next day
    whole = figures(session_factory)[None]
    assert (whole.orders_opened, whole.orders_closed, whole.closure_rate) == (4, 2, 0.5)
    assert (whole.orders_settled, whole.orders_on_time, whole.timely_rate) == (3, 1, 1 / 3)
    assert (whole.callbacks_reached, whole.callbacks_satisfied, whole.callback_satisfaction_rate) == (3, 2, 2 / 3)
    by_agent = figures(session_factory, group="agent")
    assert (by_agent[str(a1)].orders_opened, by_agent[str(a1)].callbacks_reached) == (4, 2)
    assert (by_agent[str(a2)].orders_opened, by_agent[str(a2)].callbacks_reached) == (0, 1)
    by_queue = figures(session_factory, group="queue")
    assert (by_queue["repair"].orders_opened, by_queue["repair"].closure_rate) == (2, 1.0)
    assert (by_queue["billing"].orders_settled, by_queue["billing"].timely_rate) == (1, 0.0)
    assert by_queue[None].orders_opened == 1
    repair = figures(session_factory, queue="repair")[None]
    assert (repair.orders_opened, repair.callbacks_reached, repair.calls) == (2, 2, 1)
