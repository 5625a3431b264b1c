"""One contact record per call, the append-only event log it can be rebuilt from, and the append-only log of
the carrier trunk's lines in use."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, Index, Integer, SmallInteger, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from kernel.database import Base, UtcDateTime


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    linkedid: Mapped[str] = mapped_column(String(64), unique=True)
    caller_number: Mapped[str | None] = mapped_column(String(40))
    dialed_number: Mapped[str | None] = mapped_column(String(40))
    account_number: Mapped[str | None] = mapped_column(String(32), index=True)
    queue: Mapped[str | None] = mapped_column(String(40))
    agent_id: Mapped[int | None] = mapped_column(Integer, index=True)
    seat: Mapped[str | None] = mapped_column(String(40))
    ivr_path: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(24))
    arrived_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ivr_left_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    offered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    offer_count: Mapped[int] = mapped_column(Integer, default=0)
    reconstructed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The caller's wait in seconds: queued -> answered, or queued -> ended for an abandon.
    wait_seconds: Mapped[float | None] = mapped_column(Float)
    # Where the last offer stands: offered, ringing, answered, or the failed Dial's status in lower case.
    offer_state: Mapped[str | None] = mapped_column(String(16))
    # For an abandon: "queue" (hung up waiting) or "ringing" (hung up while a seat was offered or rang).
    abandon_stage: Mapped[str | None] = mapped_column(String(12))
    # An abandon within acd.short_abandon_seconds: reported apart, left out of the rates.
    overflowed_to: Mapped[str | None] = mapped_column(String(40))
    callback_number: Mapped[str | None] = mapped_column(String(40))
    # requested -> agent_answered -> connected | customer_noanswer | customer_busy ...
    callback_status: Mapped[str | None] = mapped_column(String(24))
    short_abandon: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    company: Mapped[str | None] = mapped_column(String(32))  # the water company the account belongs to
    # The agent's leg ended (the talk ends there; the caller may stay on for the survey). None: at ended_at.
    talk_ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)  # post-call survey, 1-5
    satisfaction_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # "outbound" for a call an agent placed from the console (click-to-call); None or "inbound" otherwise.
    direction: Mapped[str | None] = mapped_column(String(8))
    work_order_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the order an outbound call is about
    # Transfers keep the first answer (answered_at, agent_id, and talk_ended_at: the first agent's talk); the
    # agent who took the call last by transfer, how many transfers, when the last one was made and answered.
    transferred_to_agent_id: Mapped[int | None] = mapped_column(Integer)
    transfer_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    transferred_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    transfer_answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The answering agent's after-call work for this call in seconds: the sum of that agent's finished wrap-up
    # segments for the linkedid (written by acd.state_log when the wrap-up ends; None: none finished yet).
    acw_seconds: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index("ix_contact_arrived_at", "arrived_at"),
        Index("ix_contact_account_number_arrived_at", "account_number", "arrived_at"),  # FCR (0010)
        Index("ix_contact_agent_id_arrived_at", "agent_id", "arrived_at"),
        Index("ix_contact_queue_arrived_at", "queue", "arrived_at"),
    )


class ContactEvent(Base):
    __tablename__ = "contact_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    linkedid: Mapped[str] = mapped_column(String(64), index=True)
    type: Mapped[str] = mapped_column(String(48))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TrunkOccupancy(Base):
    """One row each time a trunk call takes a line (+1), lets it go (-1) or is refused because every line is
    busy (0). ``lines_in_use`` is the count after the change, as Asterisk itself counts it when it says."""

    __tablename__ = "trunk_occupancy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    lines_in_use: Mapped[int] = mapped_column(Integer)
    change: Mapped[int] = mapped_column(SmallInteger)
    linkedid: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint("lines_in_use >= 0", name="lines_in_use_not_negative"),
        CheckConstraint("change IN (-1, 0, 1)", name="change_is_a_step"),
    )


class TrunkHour(Base):
    """The trunk's figures per settled UTC hour (:mod:`reports.report_tallies`), pre-aggregated from
    ``trunk_occupancy``: line-seconds, the most lines in use, all-lines-busy refusals. A row per filled hour,
    even an idle one: the row says the hour is filled (``agent_state_hour`` is filled in the same
    transaction)."""

    __tablename__ = "trunk_hour"

    hour_start: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    line_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    peak_lines: Mapped[int | None] = mapped_column(Integer)  # None: no line was in use, no row in the hour
    refused: Mapped[int] = mapped_column(Integer, default=0)


class ContactHour(Base):
    """The call figures' tallies (:class:`reports.metrics.Tally`'s call fields) per settled UTC hour of
    arrival and (queue, agent, company), pre-aggregated from ``contact`` by :mod:`reports.report_tallies` once
    the hour's first-contact-resolution windows have closed. A filled hour with no call has one row of zeros
    and no keys: the rows say which hours are filled. ``answered_within_target`` is for the default service
    target (:data:`reports.report_tallies_store.STORED_TARGET_SECONDS`); a report with another target is
    computed live."""

    __tablename__ = "contact_hour"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hour_start: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    queue: Mapped[str | None] = mapped_column(String(40))
    agent_id: Mapped[int | None] = mapped_column(Integer)
    company: Mapped[str | None] = mapped_column(String(32))
    calls: Mapped[int] = mapped_column(Integer, default=0)
    offered: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    abandoned: Mapped[int] = mapped_column(Integer, default=0)
    short_abandoned: Mapped[int] = mapped_column(Integer, default=0)
    answered_within_target: Mapped[int] = mapped_column(Integer, default=0)
    answer_wait_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    longest_wait_seconds: Mapped[float | None] = mapped_column(Float)
    handled: Mapped[int] = mapped_column(Integer, default=0)
    talk_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    acw_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    self_served: Mapped[int] = mapped_column(Integer, default=0)
    deflected: Mapped[int] = mapped_column(Integer, default=0)
    callbacks_requested: Mapped[int] = mapped_column(Integer, default=0)
    callbacks_completed: Mapped[int] = mapped_column(Integer, default=0)
    fcr_eligible: Mapped[int] = mapped_column(Integer, default=0)
    fcr_resolved: Mapped[int] = mapped_column(Integer, default=0)
    fcr_pending: Mapped[int] = mapped_column(Integer, default=0)
    survey_offered: Mapped[int] = mapped_column(Integer, default=0)
    survey_responses: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[int] = mapped_column(Integer, default=0)
