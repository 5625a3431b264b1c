"""The history generator: deterministic, shaped like a hotline's year, consistent across its tables (agents,
trunk lines, work orders), and readable by the reports on both back-ends."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import islice, pairwise
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from agent_console.auth import verify_password
from agent_console.models import User
from contacts.models import Contact
from reports.history import Row, generate
from reports.history_store import LOCKED_PASSWORD, stored_counts, write_history
from reports.summary import summarize
from work_orders.models import WorkOrder
from work_orders.rules import DEFAULT_LIMITS

LAST = date(2026, 11, 24)


@cache
def a_year() -> tuple[Row, ...]:
    """A small year (20,000 calls, one cold snap with 50 agents): every table's rows."""
    return tuple(generate(LAST, 1, 20_000, seed=7))


def rows_of(table: str, rows: tuple[Row, ...] | list[Row]) -> list[dict[str, Any]]:
    return [row for name, row in rows if name == table]


def test_the_same_seed_gives_the_same_rows() -> None:
    first = list(islice(generate(LAST, 1, 20_000, seed=1), 3_000))
    again = list(islice(generate(LAST, 1, 20_000, seed=1), 3_000))
    other = list(islice(generate(LAST, 1, 20_000, seed=2), 3_000))
    assert first == again and first != other
    assert {name for name, _row in first} >= {"contact", "agent_state_change", "trunk_occupancy", "work_order"}


def test_a_year_has_its_volume_shape_and_consistent_contacts() -> None:
    contacts = rows_of("contact", a_year())
    assert 20_000 <= len(contacts) <= 20_000 * 1.15  # the cold snap adds calls
    assert all(a["arrived_at"] <= b["arrived_at"] for a, b in pairwise(contacts))
    assert [c["id"] for c in contacts] == list(range(1, len(contacts) + 1))
    by_hour = Counter(c["arrived_at"].astimezone(UTC).hour for c in contacts)  # Shanghai 10:00 is 02:00 UTC
    assert by_hour[2] > 10 * by_hour[19]  # mid-morning against 3 a.m.
    outcomes = Counter(c["outcome"] for c in contacts)
    assert outcomes["answered"] > outcomes["abandoned"] > 0 and outcomes["self_service"] > 0
    for c in contacts:
        if c["answered_at"]:
            assert c["queued_at"] <= c["offered_at"] <= c["answered_at"] <= c["talk_ended_at"] <= c["ended_at"]
        assert c["arrived_at"] <= c["ended_at"]
    per_day = Counter(c["arrived_at"].date() for c in contacts)
    assert max(per_day.values()) > 3 * (len(contacts) / 365)  # a cold snap


def test_agents_follow_the_state_machine_and_never_hold_two_calls() -> None:
    changes = rows_of("agent_state_change", a_year())
    by_agent: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for change in changes:
        by_agent[change["agent_id"]].append(change)
    assert len(by_agent) == 50  # 15, and 35 more during the cold snap
    for agent_changes in by_agent.values():
        assert all(a["at"] <= b["at"] for a, b in pairwise(agent_changes))  # each agent's rows in time order
        assert agent_changes[0]["from_state"] == "logged_out"
        assert all(a["to_state"] == b["from_state"] for a, b in pairwise(agent_changes))  # a chain: no overlap
        assert agent_changes[-1]["to_state"] == "logged_out"
    reasons = Counter(c["reason"] for c in changes if c["to_state"] == "not_ready")
    assert reasons["break"] > 0 and reasons["meal"] > 0
    on_call = {(c["linkedid"], c["agent_id"], c["at"]) for c in changes if c["to_state"] == "on_call"}
    wrap_up = {(c["linkedid"], c["at"]) for c in changes if c["to_state"] == "wrap_up"}
    answered = [c for c in rows_of("contact", a_year()) if c["outcome"] == "answered"]
    assert len(on_call) == len(answered)
    for c in answered:
        assert (c["linkedid"], c["agent_id"], c["answered_at"]) in on_call
        assert (c["linkedid"], c["talk_ended_at"]) in wrap_up


def test_trunk_lines_are_counted_and_refused_when_all_are_busy() -> None:
    rows = list(generate(LAST, 1, 20_000, seed=7, trunk_lines=3))
    lines = 0
    for sample in rows_of("trunk_occupancy", rows):
        lines += sample["change"]
        assert sample["lines_in_use"] == lines and 0 <= lines <= 3
    refused = {s["linkedid"] for s in rows_of("trunk_occupancy", rows) if s["change"] == 0}
    busy = {c["linkedid"] for c in rows_of("contact", rows) if c["outcome"] == "lines_busy"}
    assert refused and refused == busy and lines == 0  # every line is let go in the end
    samples = rows_of("trunk_occupancy", a_year())
    assert max(s["lines_in_use"] for s in samples) <= 120
    assert sum(s["change"] == 1 for s in samples) == len(rows_of("contact", a_year()))  # no refusal at 120


def test_work_orders_are_due_after_their_category_limit_and_mostly_closed_in_time() -> None:
    orders = rows_of("work_order", a_year())
    answered = {c["id"]: c for c in rows_of("contact", a_year()) if c["outcome"] == "answered"}
    assert 0.2 < len(orders) / len(answered) < 0.4
    for order in orders:
        assert order["due_at"] == DEFAULT_LIMITS.due_at(order["category"], order["created_at"])
        assert order["owner_id"] == answered[order["contact_id"]]["agent_id"]
        assert (order["status"] == "closed") == (order["closed_at"] is not None)
    closed = [o for o in orders if o["closed_at"]]
    in_time = sum(o["closed_at"] <= o["due_at"] for o in closed)
    assert 0.9 < in_time / len(closed) < 1 and len(closed) < len(orders)  # some late, some open at the end
    callbacks = rows_of("callback", a_year())
    scores = Counter(c["satisfaction"] for c in callbacks if c["outcome"] == "reached")
    assert scores.most_common(1)[0][0] == 5
    assert all(c["work_order_id"] <= len(orders) for c in callbacks)


def test_written_history_is_read_by_the_reports(session_factory: sessionmaker[Session]) -> None:
    rows = list(generate(LAST, 1, 3_650, seed=3))
    written = write_history(session_factory, iter(rows))
    assert written == dict(Counter(name for name, _row in rows)) | {
        table: 0 for table in written if table not in {name for name, _ in rows}}
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == written["contact"]
        start = datetime(2026, 1, 1, tzinfo=UTC)
        figures = summarize(session, start, start + timedelta(days=365))
        agents = session.scalars(select(User).where(User.username.like("hist-agent-%"))).all()
        order = session.scalars(select(WorkOrder).limit(1)).one()
        assert {order.owner_id} <= {agent.id for agent in agents}
    assert figures.calls > 0 and figures.answered > 0 and figures.self_served > 0
    assert 0 < figures.answer_rate < 1
    assert len(agents) == 50 and all(agent.password_hash == LOCKED_PASSWORD for agent in agents)
    assert not any(verify_password(LOCKED_PASSWORD, guess) for guess in ("", LOCKED_PASSWORD, "password"))


def test_an_interrupted_write_resumes_where_it_stopped(session_factory: sessionmaker[Session]) -> None:
    total = sum(1 for _row in generate(LAST, 1, 1_000, seed=5))
    write_history(session_factory, islice(generate(LAST, 1, 1_000, seed=5), total // 3))
    write_history(session_factory, generate(LAST, 1, 1_000, seed=5), skip=stored_counts(session_factory))
    expected = Counter(name for name, _row in generate(LAST, 1, 1_000, seed=5))
    assert {t: n for t, n in stored_counts(session_factory).items() if n} == dict(expected)
    with session_factory() as session:
        linkedids = session.scalars(select(Contact.linkedid).order_by(Contact.id)).all()
    assert linkedids == [f"hist-{n}" for n in range(1, expected["contact"] + 1)]
