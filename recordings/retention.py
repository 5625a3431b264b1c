"""The retention period: recordings older than ``recordings.retention_days`` are deleted, file and all; the
row stays, marked ``deleted_at`` (who listened to what stays answerable). Files in the recordings directory
that no row knows (a call recorded while no app node saw its events) go by the same rule, by the day
directory Asterisk wrote them in. Each sweep that deletes says how many files in the log.

What to delete is chosen by pure functions (:func:`expired`, :func:`expired_days`); the sweeper does the I/O,
once at start and then every hour."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select, true, update
from sqlalchemy.orm import Session, sessionmaker

from kernel.clock import Clock
from kernel.database import transaction
from kernel.periodic import PeriodicJob
from recordings.models import Recording

log = logging.getLogger(__name__)

SWEEP_EVERY_SECONDS = 3600.0
_BATCH = 500


@dataclass(frozen=True)
class Candidate:
    id: int
    path: str
    started_at: datetime


@dataclass(frozen=True)
class SweepResult:
    deleted: int = 0  # files of recordings in the database
    orphans: int = 0  # files no row knew
    kept: int = 0  # expired, but their file could not be deleted (see the warnings)


def cutoff(now: datetime, retention_days: int) -> datetime | None:
    """Recordings started before this moment are expired; None: kept for ever (retention_days 0)."""
    return now - timedelta(days=retention_days) if retention_days > 0 else None


def expired(candidates: Iterable[Candidate], now: datetime, retention_days: int) -> list[Candidate]:
    """The recordings started more than ``retention_days`` days before ``now``."""
    limit = cutoff(now, retention_days)
    return [] if limit is None else [c for c in candidates if c.started_at < limit]


def expired_days(days: Iterable[date], now: datetime, retention_days: int) -> list[date]:
    """The day directories (UTC dates, as qq-record names them) whose every recording is expired: the whole
    day ended before the cutoff."""
    limit = cutoff(now, retention_days)
    if limit is None:
        return []
    return sorted(d for d in days if datetime.combine(d + timedelta(days=1), time(), UTC) <= limit)


def inside(directory: Path, path: Path) -> bool:
    """True when ``path`` lies within ``directory`` (no file elsewhere is ever served or deleted)."""
    try:
        return path.resolve().is_relative_to(directory.resolve())
    except (OSError, RuntimeError):
        return False


class RetentionSweeper:
    def __init__(self, factory: sessionmaker[Session], directory: Path, retention_days: int, clock: Clock,
                 every_seconds: float = SWEEP_EVERY_SECONDS) -> None:
        self._factory = factory
        self._directory = directory
        self._retention_days = retention_days
        self._clock = clock
        self._job = PeriodicJob("recording retention sweep", self.sweep, every_seconds, log)

    def start(self) -> None:
        if self._retention_days > 0:
            self._job.start()

    async def stop(self) -> None:
        await self._job.stop()

    def sweep(self) -> SweepResult:
        now = self._clock.now()
        if cutoff(now, self._retention_days) is None:
            return SweepResult()
        if not self._directory.is_dir():
            log.warning("recordings: %s is not on this node; no recording is deleted here", self._directory)
            return SweepResult()
        deleted, kept = self._delete_expired_rows(now)
        orphans = self._delete_orphans(now)
        if deleted or orphans:
            log.info("recordings: deleted %s files older than %s days%s", deleted + orphans, self._retention_days,
                     f" ({orphans} without a database row)" if orphans else "")
        return SweepResult(deleted=deleted, orphans=orphans, kept=kept)

    def _delete_expired_rows(self, now: datetime) -> tuple[int, int]:
        deleted, skipped = 0, set[int]()
        while True:
            with transaction(self._factory) as session:
                rows = session.execute(
                    select(Recording.id, Recording.path, Recording.started_at)
                    .where(Recording.deleted_at.is_(None), Recording.id.not_in(skipped) if skipped else true())
                    .order_by(Recording.started_at).limit(_BATCH)).all()
            batch = expired((Candidate(*row) for row in rows), now, self._retention_days)
            if not batch:
                return deleted, len(skipped)
            gone = [c.id for c in batch if self._remove(Path(c.path))]
            skipped.update(c.id for c in batch if c.id not in set(gone))
            with transaction(self._factory) as session:
                result = session.execute(update(Recording).where(Recording.id.in_(gone),
                                                                 Recording.deleted_at.is_(None))
                                         .values(deleted_at=now))
                deleted += result.rowcount  # type: ignore[attr-defined]

    def _remove(self, path: Path) -> bool:
        """Deletes a recording's file; True once it is gone (also when it already was)."""
        if not inside(self._directory, path):
            log.warning("recordings: %s is outside %s; not deleted", path, self._directory)
            return False
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("recordings: could not delete %s: %s", path, exc)
            return False
        return True

    def _delete_orphans(self, now: datetime) -> int:
        days = dict(self._day_directories())
        removed = 0
        for day in expired_days(days, now, self._retention_days):
            files = sorted(days[day].glob("*.wav"))
            with transaction(self._factory) as session:
                known = set(session.scalars(select(Recording.path).where(
                    Recording.path.in_([str(f) for f in files]), Recording.deleted_at.is_(None))))
            for file in files:
                if str(file) not in known and self._remove(file):
                    removed += 1
            _remove_empty(days[day], self._directory)
        return removed

    def _day_directories(self) -> Iterator[tuple[date, Path]]:
        """``YYYY/MM/DD`` directories under the recordings directory."""
        for folder in self._directory.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]"):
            try:
                yield date(int(folder.parent.parent.name), int(folder.parent.name), int(folder.name)), folder
            except ValueError:
                continue


def _remove_empty(folder: Path, root: Path) -> None:
    """Removes ``folder`` and its parents up to ``root`` while they are empty."""
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
