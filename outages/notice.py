"""Which outage (停水) a caller's supply zone is under at a moment, and what the IVR plays about it.

Pure: no SQL, no clock, no I/O. An outage applies to a zone from ``starts_at`` (inclusive) to ``ends_at``
(exclusive) unless it was cancelled at or before that moment. When several apply, an emergency outage wins
over a planned one, then the one that ends latest (the caller is told the later restoration), then the one
registered last."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from ivr.say_zh import say_date, say_integer

__all__ = ["KINDS", "Kind", "OutageWindow", "applicable_outage", "notice_prompts", "restoration_hour"]

Kind = Literal["planned", "emergency"]
KINDS: tuple[Kind, ...] = ("planned", "emergency")
CHOICE_KEY = "0"  # the caller presses it for the menu; hanging up instead counts as deflected


@dataclass(frozen=True)
class OutageWindow:
    id: int
    supply_zone: str
    kind: Kind
    starts_at: datetime
    ends_at: datetime
    cancelled_at: datetime | None = None

    def applies(self, zone: str, now: datetime) -> bool:
        if not zone or zone != self.supply_zone:
            return False
        if self.cancelled_at is not None and self.cancelled_at <= now:
            return False
        return self.starts_at <= now < self.ends_at


def applicable_outage(outages: Iterable[OutageWindow], zones: Iterable[str], now: datetime) -> OutageWindow | None:
    """The outage a caller from any of ``zones`` should hear about at ``now`` (None if none applies)."""
    wanted = {zone for zone in zones if zone}
    candidates = [o for o in outages if any(o.applies(zone, now) for zone in wanted)]
    if not candidates:
        return None
    return max(candidates, key=lambda o: (o.kind == "emergency", o.ends_at, o.id))


def restoration_hour(ends_at: datetime, tz: ZoneInfo) -> datetime:
    """The local hour said as the expected restoration: rounded up, so the caller is never told too early."""
    local = ends_at.astimezone(tz)
    hour = local.replace(minute=0, second=0, microsecond=0)
    return hour if hour == local else hour + timedelta(hours=1)


def notice_prompts(outage: OutageWindow, tz: ZoneInfo) -> tuple[str, ...]:
    """您所在供水区域正在停水。本次为计划/抢修停水。预计恢复供水时间为 <date> <hour>点。
    如已了解请挂机，需要人工服务请按0。"""
    restore = restoration_hour(outage.ends_at, tz)
    return ("outage-notice", f"outage-{outage.kind}", "outage-restore", *say_date(restore.date()),
            *say_integer(restore.hour), "point", "outage-choice")
