"""The audit log of listens (``recording_access``): written before the first byte is sent. A player asks for
a file in several range requests (a first request, then one per seek); one playback is one row: a user's
request for a recording within a minute of their last row for it writes nothing new."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from recordings.byte_range import ByteRange
from recordings.models import Recording, RecordingAccess

SAME_PLAYBACK = timedelta(minutes=1)


def record_listen(session: Session, recording: Recording, *, user_id: int, client_ip: str, served: ByteRange,
                  file_bytes: int, now: datetime) -> bool:
    """Appends the listen unless it continues one logged in the last minute; True when a row was written."""
    recent = session.scalars(
        select(RecordingAccess.id).where(RecordingAccess.recording_id == recording.id,
                                         RecordingAccess.user_id == user_id,
                                         RecordingAccess.at > now - SAME_PLAYBACK).limit(1)).first()
    if recent is not None:
        return False
    session.add(RecordingAccess(recording_id=recording.id, user_id=user_id, at=now, client_ip=client_ip[:64],
                                range_start=served.start, range_end=served.end, file_bytes=file_bytes))
    return True
