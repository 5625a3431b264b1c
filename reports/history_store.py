"""Writes the generated history (:func:`reports.history.generate`) into the database, fast and resumable.

The generator numbers contacts, work orders and callbacks from 1 and its agents from 1 to 50; here they are
shifted past the rows already stored and the agents mapped to ``app_user`` rows (``hist-agent-01`` …, created
when missing, with a password hash that no password matches: nobody logs in as a generated agent). Rows are
buffered per table and flushed together, parents first, one transaction per flush, so the stored rows are
always a prefix of the generated stream: :func:`stored_counts` and ``skip`` resume an interrupted run. On
PostgreSQL the rows go in with COPY (psycopg 3), on SQLite with executemany."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from agent_console.models import User
from kernel.database import Base, transaction
from reports.history import Row
from reports.history_agents import ALL_AGENTS

BATCH = 20_000  # contacts per flush (with their other rows)
# Flush order: a row's parents first (foreign keys).
TABLES = ("contact", "work_order", "callback", "work_order_history", "agent_state_change", "trunk_occupancy")
NUMBERED = ("contact", "work_order", "callback")  # the generator gives their ids
REFERENCES: Mapping[str, Mapping[str, str]] = {  # column -> the numbered table it refers to
    "contact": {"id": "contact"},
    "work_order": {"id": "work_order", "contact_id": "contact"},
    "callback": {"id": "callback", "work_order_id": "work_order", "contact_id": "contact"},
    "work_order_history": {"work_order_id": "work_order"},
}
AGENT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "contact": ("agent_id",), "work_order": ("owner_id", "first_owner_id", "created_by_id"),
    "callback": ("owner_id", "created_by_id"), "work_order_history": ("actor_id", "to_owner_id"),
    "agent_state_change": ("agent_id",)}
LOCKED_PASSWORD = "!generated-history-agent"  # not a password hash: verify_password never accepts it


def agent_username(number: int) -> str:
    return f"hist-agent-{number:02d}"


def ensure_agent_users(session: Session, now: datetime, count: int = ALL_AGENTS) -> list[int]:
    """The user ids of generated agents 1..count (index 0 is agent 1), adding the missing users."""
    names = [agent_username(n) for n in range(1, count + 1)]
    known = dict(session.execute(select(User.username, User.id).where(User.username.in_(names))).all())
    for n, name in enumerate(names, 1):
        if name not in known:
            user = User(username=name, display_name=f"历史坐席 {n:02d}", password_hash=LOCKED_PASSWORD,
                        role="agent", active=True, created_at=now, skills={}, queues=[], team=None)
            session.add(user)
            session.flush()
            known[name] = user.id
    return [known[name] for name in names]


def stored_counts(factory: sessionmaker[Session]) -> dict[str, int]:
    """Rows in each table the generator writes (to resume a run on a database that holds only its rows)."""
    with factory() as session:
        return {table: int(session.scalar(select(func.count()).select_from(Base.metadata.tables[table])) or 0)
                for table in TABLES}


def write_history(factory: sessionmaker[Session], rows: Iterable[Row], *,
                  progress: Callable[[int], None] = lambda _n: None,
                  skip: Mapping[str, int] | None = None) -> dict[str, int]:
    """Writes ``rows``, leaving out the first ``skip[table]`` rows of each table (already stored by an earlier
    run). Returns the rows written per table; ``progress`` gets the contacts written so far."""
    with transaction(factory) as session:
        users = ensure_agent_users(session, datetime.now(UTC))
        offsets = {} if skip else {table: _max_id(session, table) for table in NUMBERED}
    left = dict(skip or {})
    written = dict.fromkeys(TABLES, 0)
    buffers: dict[str, list[dict[str, Any]]] = {table: [] for table in TABLES}
    for table, row in rows:
        if left.get(table, 0) > 0:
            left[table] -= 1
            continue
        buffers[table].append(_shifted(table, row, offsets, users))
        if len(buffers["contact"]) >= BATCH:
            _flush(factory, buffers, written)
            progress(written["contact"])
    _flush(factory, buffers, written)
    progress(written["contact"])
    _advance_sequences(factory)
    return written


def _shifted(table: str, row: dict[str, Any], offsets: Mapping[str, int], users: Sequence[int]) -> dict[str, Any]:
    for column, numbered in REFERENCES.get(table, {}).items():
        if row[column] is not None:
            row[column] += offsets.get(numbered, 0)
    for column in AGENT_COLUMNS.get(table, ()):
        if row[column] is not None:
            row[column] = users[row[column] - 1]
    return row


def _flush(factory: sessionmaker[Session], buffers: dict[str, list[dict[str, Any]]],
           written: dict[str, int]) -> None:
    with transaction(factory) as session:
        postgres = session.bind is not None and session.bind.dialect.name == "postgresql"
        for table in TABLES:
            batch = buffers[table]
            if not batch:
                continue
            if postgres:
                _copy(session, table, batch)
            else:
                session.execute(insert(Base.metadata.tables[table]), batch)
            written[table] += len(batch)
            buffers[table] = []


def _copy(session: Session, table: str, batch: list[dict[str, Any]]) -> None:
    columns = list(batch[0])
    connection = session.connection().connection.driver_connection
    assert connection is not None
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in batch:
            copy.write_row([row[column] for column in columns])


def _max_id(session: Session, table: str) -> int:
    return int(session.scalar(select(func.max(Base.metadata.tables[table].c.id))) or 0)


def _advance_sequences(factory: sessionmaker[Session]) -> None:
    """Rows with explicit ids leave PostgreSQL's sequences behind: move them past the largest id."""
    with transaction(factory) as session:
        if session.bind is None or session.bind.dialect.name != "postgresql":
            return
        for table in NUMBERED:
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"GREATEST((SELECT max(id) FROM {table}), 1))"))
