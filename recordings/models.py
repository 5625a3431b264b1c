"""Call recordings: one row per recorded agent leg (normally one per contact), and the append-only log of
every listen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kernel.database import Base, UtcDateTime


class Recording(Base):
    """A WAV file Asterisk recorded. ``public_id`` is the only name a client ever sees (a random 128-bit token);
    ``path`` is where the file lives and is never shown. ``deleted_at``: the retention period removed the file."""

    __tablename__ = "recording"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    linkedid: Mapped[str] = mapped_column(String(64), index=True)  # the contact's call
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(Integer, index=True)  # None: no agent was known for the seat
    seat: Mapped[str] = mapped_column(String(40))
    path: Mapped[str] = mapped_column(String(1024), unique=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    bytes: Mapped[int | None] = mapped_column(BigInteger)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RecordingAccess(Base):
    """One row per listen (append-only; the database refuses updates and deletes): who, which recording, when,
    from where, and the bytes served (``range_start``-``range_end`` inclusive, of a file of ``file_bytes``).
    The range requests of one playback are one row: a user's further requests for the same recording within
    a minute of their last row are not written again."""

    __tablename__ = "recording_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recording.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    client_ip: Mapped[str] = mapped_column(String(64))
    range_start: Mapped[int] = mapped_column(BigInteger)
    range_end: Mapped[int] = mapped_column(BigInteger)
    file_bytes: Mapped[int] = mapped_column(BigInteger)
