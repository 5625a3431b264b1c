"""A hand-built day for the agent reports, with known answers (see tests/db/test_agent_reports*.py).

The local day is 2026-11-23 in Shanghai: 2026-11-22 16:00 UTC to 2026-11-23 16:00 UTC. Agent A works a shift
across local midnight (in ready since 22:05 the evening before, logged out at 02:00), answers one call with
an extended wrap-up and a second one that they transfer to agent B; B also places an outbound call. C is an
agent with no activity, D an inactive agent, S a supervisor who listens to a call, M a manager.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from acd.models import AgentStateChange
from agent_console.models import User
from contacts.models import Contact, ContactEvent
from kernel.database import transaction
from work_orders.models import Callback, WorkOrder

DAY = date(2026, 11, 23)
START = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # local midnight
END = START + timedelta(days=1)
NOW = END + timedelta(days=2)
USERS = {"A": (1, "agent", True), "B": (2, "agent", True), "C": (3, "agent", True), "D": (4, "agent", False),
         "S": (5, "supervisor", True), "M": (6, "manager", True)}
IDS = {name: user_id for name, (user_id, _, _) in USERS.items()}


def t(clock: str, day: int = 22) -> datetime:
    """A UTC instant on 2026-11-``day`` given as HH:MM[:SS]."""
    parts = [int(p) for p in clock.split(":")] + [0]
    return datetime(2026, 11, day, parts[0], parts[1], parts[2], tzinfo=UTC)


def states(agent: str, *steps: tuple[str, str] | tuple[str, str, str | None]) -> list[AgentStateChange]:
    """The agent's changes: (time, to_state[, linkedid]); from_state follows the previous step."""
    rows, previous = [], "logged_out"
    for step in steps:
        clock, to_state, linkedid = (*step, None)[:3]
        rows.append(AgentStateChange(agent_id=IDS[agent], from_state=previous, to_state=to_state,
                                     reason="", linkedid=linkedid, at=t(str(clock))))
        previous = str(to_state)
    return rows


def contact(linkedid: str, arrived: str, **fields: Any) -> Contact:
    values: dict[str, Any] = {"queue": "general", "direction": "inbound", "ivr_path": "main>agent",
                              "offer_count": 1, **fields}
    for key, value in list(values.items()):
        if key.endswith("_at") and isinstance(value, str):
            values[key] = t(value)
    return Contact(linkedid=linkedid, arrived_at=t(arrived), **values)


def order(order_id: int, owner: str, first_owner: str, created: datetime, due: datetime,
          closed: datetime | None = None) -> WorkOrder:
    return WorkOrder(id=order_id, category="leak", priority="normal", status="closed" if closed else "new",
                     description="漏水", owner_id=IDS[owner], first_owner_id=IDS[first_owner],
                     created_by_id=IDS[first_owner], created_at=created, updated_at=created, due_at=due,
                     closed_at=closed)


def closing_callback(owner: str, outcome: str, satisfaction: int | None, done: datetime, order_id: int) -> Callback:
    return Callback(work_order_id=order_id, number="13900000001", kind="closing", owner_id=IDS[owner],
                    created_by_id=IDS[owner], due_at=done, status="done" if outcome == "reached" else "failed",
                    outcome=outcome, satisfaction=satisfaction, created_at=done - timedelta(hours=1), done_at=done)


def build_day(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        session.add_all([User(id=uid, username=name, display_name=f"坐席{name}", password_hash="x", role=role,
                              active=active, created_at=t("00:00", 1), skills={}, queues=[])
                         for name, (uid, role, active) in USERS.items()])
        session.flush()
        session.add_all([
            *states("A", ("14:00", "not_ready"), ("14:05", "ready"),
                    ("16:10", "offered", "L1"), ("16:10:10", "on_call", "L1"), ("16:15", "wrap_up", "L1"),
                    ("16:16:30", "ready"),  # wrap-up extended by 30 s: 90 s in all
                    ("16:20", "offered", "L2"), ("16:20:05", "on_call", "L2"), ("16:22", "wrap_up", "L2"),
                    ("16:23", "ready"), ("18:00", "logged_out")),
            *states("B", ("15:00", "ready"), ("16:22", "offered", "L2"), ("16:22:10", "on_call", "L2"),
                    ("16:30:10", "wrap_up", "L2"), ("16:31:10", "ready"),
                    ("17:00", "dialing", "L3"), ("17:00:10", "on_call", "L3"), ("17:01", "wrap_up", "L3"),
                    ("17:01:30", "ready"), ("19:00", "logged_out")),
            *states("S", ("17:00", "not_ready"), ("17:10", "supervising", "spy1"), ("17:20", "not_ready"),
                    ("17:30", "logged_out")),
        ])
        session.add_all([
            # A answers after 30 s; the caller stays on for the survey (5) after A hangs up
            contact("L1", "16:09:30", queued_at="16:09:40", offered_at="16:10", answered_at="16:10:10",
                    talk_ended_at="16:15", ended_at="16:15:20", agent_id=IDS["A"], outcome="answered",
                    wait_seconds=30.0, satisfaction=5),
            # A answers, talks 115 s and transfers to B, who talks 480 s; the caller's survey (2, 30 s) rates B
            contact("L2", "16:19:50", queued_at="16:20", offered_at="16:20", answered_at="16:20:05",
                    talk_ended_at="16:22", ended_at="16:30:40", agent_id=IDS["A"], outcome="answered", seat="seat1001",
                    wait_seconds=5.0, transfer_count=1, transferred_at="16:22", transferred_to_agent_id=IDS["B"],
                    transfer_answered_at="16:22:10", satisfaction=2),
            # B's click-to-call: not a handled inbound call
            contact("L3", "17:00", direction="outbound", queue=None, answered_at="17:00:10", talk_ended_at="17:01",
                    ended_at="17:01", agent_id=IDS["B"], outcome="answered", offer_count=0),
            # abandons: after 50 s, a short one after 3 s, one after 700 s; a queue callback after 40 s
            contact("ab", "16:40", queued_at="16:40:10", ended_at="16:41", outcome="abandoned", wait_seconds=50.0),
            contact("short", "16:42", queued_at="16:42", ended_at="16:42:03", outcome="abandoned",
                    wait_seconds=3.0, short_abandon=True),
            contact("long", "16:50", queued_at="16:50", ended_at="17:01:40", outcome="abandoned", wait_seconds=700.0),
            contact("cb", "16:44", queued_at="16:44", ended_at="16:44:40", outcome="callback_requested",
                    callback_number="13900000002", callback_status="requested"),
            # answered after exactly 20 s, wait not stored (computed); in another queue
            contact("rep", "16:45", queue="repair", queued_at="16:45", answered_at="16:45:20", ended_at="16:46",
                    agent_id=IDS["C"] + 100, outcome="answered"),
            # still in line: left out of the curve
            contact("wait", "17:10", queued_at="17:10"),
        ])
        session.add_all([ContactEvent(linkedid="L2", type="agent.leg_ended", at=t(clock), data={"seat": seat})
                         for clock, seat in (("16:22", "seat1001"), ("16:30:10", "seat1002"))])
        session.add_all([
            order(1, "A", "A", t("16:30"), t("18:30")),  # open, overdue now
            order(2, "B", "A", t("16:31"), t("18:31", 23), closed=t("17:40")),  # handed over to B, closed by B
            order(3, "A", "A", t("09:00"), NOW + timedelta(days=3)),  # opened the day before, not due yet
            order(4, "B", "B", t("09:00"), t("10:00"), closed=t("10:00")),  # closed the day before
        ])
        session.flush()
        session.add_all([closing_callback("A", "reached", 5, t("17:00"), 1),
                         closing_callback("A", "reached", 3, t("17:05"), 3),
                         closing_callback("B", "no_answer", None, t("17:10"), 2)])
