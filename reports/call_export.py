"""Every call of a period as rows for the call-detail export, read in batches from a server-side cursor.

The columns are those of the call log (:class:`reports.summary.CallLogEntry`), with bilingual headers, oldest
call first. :func:`call_rows` opens its OWN session when the first row is pulled and closes it after the last:
a streamed download runs after the request's session has closed. It selects plain columns (no ORM objects) with
``yield_per``, which makes PostgreSQL use a server-side cursor, so memory holds one batch whatever the period
(a year of a 96106-sized hotline is ~530,000 calls). The rows are one consistent snapshot (one transaction)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contacts.models import Contact
from kernel.errors import InvalidInput
from reports.export import Column
from reports.summary import call_talk_seconds, call_wait_seconds

BATCH_SIZE = 2000

CALL_COLUMNS: tuple[Column, ...] = (
    Column("linkedid", "通话编号 linkedid"),
    Column("direction", "方向 direction"),
    Column("caller_number", "主叫号码 caller_number"),
    Column("dialed_number", "被叫号码 dialed_number"),
    Column("account_number", "户号 account_number"),
    Column("company", "水司 company"),
    Column("ivr_path", "IVR路径 ivr_path"),
    Column("queue", "队列 queue"),
    Column("arrived_at", "来电时间 arrived_at"),
    Column("ivr_left_at", "离开IVR时间 ivr_left_at"),
    Column("queued_at", "排队时间 queued_at"),
    Column("offered_at", "振铃时间 offered_at"),
    Column("answered_at", "接通时间 answered_at"),
    Column("ended_at", "结束时间 ended_at"),
    Column("wait_seconds", "等待时长(秒) wait_seconds"),
    Column("talk_seconds", "通话时长(秒) talk_seconds"),
    Column("outcome", "结果 outcome"),
    Column("abandon_stage", "放弃阶段 abandon_stage"),
    Column("short_abandon", "短时放弃 short_abandon"),
    Column("agent_id", "坐席编号 agent_id"),
    Column("agent_name", "坐席 agent_name"),
    Column("offer_count", "分配次数 offer_count"),
    Column("transfer_count", "转接次数 transfer_count"),
    Column("transferred_to_agent_id", "转接至坐席 transferred_to_agent_id"),
    Column("satisfaction", "满意度评分 satisfaction"),
    Column("work_order_id", "工单编号 work_order_id"),
)

_SELECTED = (Contact.linkedid, Contact.direction, Contact.caller_number, Contact.dialed_number,
             Contact.account_number, Contact.company, Contact.ivr_path, Contact.queue, Contact.arrived_at,
             Contact.ivr_left_at, Contact.queued_at, Contact.offered_at, Contact.answered_at, Contact.ended_at,
             Contact.wait_seconds, Contact.talk_ended_at, Contact.outcome, Contact.abandon_stage,
             Contact.short_abandon, Contact.agent_id, Contact.offer_count, Contact.transfer_count,
             Contact.transferred_to_agent_id, Contact.satisfaction, Contact.work_order_id)


def call_row(c: Any, agent_names: Mapping[int, str]) -> dict[str, Any]:
    """One exported call from its selected columns; the wait and talk times as the call log computes them."""
    return {
        "linkedid": c.linkedid, "direction": c.direction or "inbound", "caller_number": c.caller_number,
        "dialed_number": c.dialed_number, "account_number": c.account_number, "company": c.company,
        "ivr_path": c.ivr_path, "queue": c.queue, "arrived_at": c.arrived_at, "ivr_left_at": c.ivr_left_at,
        "queued_at": c.queued_at, "offered_at": c.offered_at, "answered_at": c.answered_at,
        "ended_at": c.ended_at, "wait_seconds": call_wait_seconds(c),
        "talk_seconds": call_talk_seconds(c), "outcome": c.outcome,
        "abandon_stage": c.abandon_stage, "short_abandon": bool(c.short_abandon), "agent_id": c.agent_id,
        "agent_name": agent_names.get(c.agent_id) if c.agent_id is not None else None,
        "offer_count": c.offer_count, "transfer_count": c.transfer_count or 0,
        "transferred_to_agent_id": c.transferred_to_agent_id, "satisfaction": c.satisfaction,
        "work_order_id": c.work_order_id,
    }


def call_rows(factory: sessionmaker[Session], start: datetime, end: datetime, *, agent_id: int | None = None,
              agent_names: Mapping[int, str] | None = None,
              batch_size: int = BATCH_SIZE) -> Iterator[dict[str, Any]]:
    """The calls with ``start <= arrived_at < end`` (only ``agent_id``'s if given), oldest first, lazily. The
    period is checked now, before any row is pulled (a streamed response can no longer refuse)."""
    if start.tzinfo is None or end.tzinfo is None or end < start:
        raise InvalidInput(f"not a period: {start.isoformat()} .. {end.isoformat()}")
    if batch_size < 1:
        raise InvalidInput(f"batch_size must be positive, not {batch_size}")
    names = agent_names or {}
    query = select(*_SELECTED).where(Contact.arrived_at >= start, Contact.arrived_at < end)
    if agent_id is not None:
        query = query.where(Contact.agent_id == agent_id)
    query = query.order_by(Contact.arrived_at, Contact.id).execution_options(yield_per=batch_size)

    def rows() -> Iterator[dict[str, Any]]:
        with factory() as session:
            for row in session.execute(query):
                yield call_row(row, names)

    return rows()

