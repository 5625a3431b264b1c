"""What the recording database tests share: users of every role in two teams, real WAV files in a recordings
directory, recording rows, and a clock the tests move by hand."""

from __future__ import annotations

import math
import struct
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from agent_console.models import User
from kernel.database import transaction
from recordings.models import Recording
from recordings.public_id import new_public_id

T0 = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
# username -> (role, team)
PEOPLE = {"agent_a": ("agent", "a"), "agent_a2": ("agent", "a"), "agent_b": ("agent", "b"),
          "super_a": ("supervisor", "a"), "super_b": ("supervisor", "b"), "super_all": ("supervisor", None),
          "manager": ("manager", None), "admin": ("admin", None)}


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def make_people(factory: sessionmaker[Session]) -> dict[str, int]:
    """The users of PEOPLE (they never log in with a password: the tests issue their tokens)."""
    with transaction(factory) as session:
        users = {name: User(username=name, display_name=name, password_hash="-", role=role, active=True,
                            created_at=T0, skills={}, queues=[], team=team) for name, (role, team) in PEOPLE.items()}
        session.add_all(users.values())
        session.flush()
        return {name: user.id for name, user in users.items()}


def write_wav(path: Path, seconds: float, frequency: float = 440.0, rate: int = 8000) -> bytes:
    """A real 8 kHz 16-bit mono WAV file, as MixMonitor writes them; returns its bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * frequency * n / rate)))
                      for n in range(int(seconds * rate)))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return path.read_bytes()


def add_recording(factory: sessionmaker[Session], path: Path, *, agent_id: int | None, linkedid: str = "1700.1",
                  started_at: datetime = T0, ended: bool = True, deleted_at: datetime | None = None,
                  seat: str = "seat1001") -> str:
    public_id = new_public_id()
    with transaction(factory) as session:
        session.add(Recording(public_id=public_id, linkedid=linkedid, agent_id=agent_id, seat=seat, path=str(path),
                              started_at=started_at, ended_at=started_at + timedelta(seconds=30) if ended else None,
                              duration_seconds=30.0 if ended else None, deleted_at=deleted_at))
    return public_id
