"""Outages in SQL: register, list, cancel, and find the one a caller's number is under (account.phone ->
supply_zone -> outage)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from billing.caller import number_variants
from billing.models import Account
from kernel.clock import Clock
from kernel.database import transaction
from kernel.errors import InvalidInput, NotFound
from outages.models import Outage
from outages.notice import KINDS, Kind, OutageWindow, applicable_outage, notice_prompts

log = logging.getLogger(__name__)


def register_outage(session: Session, *, supply_zone: str, kind: str, starts_at: datetime, ends_at: datetime,
                    note: str, created_by: int | None, now: datetime) -> Outage:
    zone = supply_zone.strip()
    if not zone:
        raise InvalidInput("supply_zone must not be empty")
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}")
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput("starts_at and ends_at need a time zone")
    if ends_at <= starts_at:
        raise InvalidInput("ends_at must be after starts_at")
    outage = Outage(supply_zone=zone, kind=kind, starts_at=starts_at, ends_at=ends_at, note=note,
                    created_by=created_by, created_at=now)
    session.add(outage)
    session.flush()
    log.info("outage %s registered for zone %s (%s, %s to %s) by %s", outage.id, zone, kind, starts_at, ends_at,
             created_by)
    return outage


def list_outages(session: Session, *, zone: str | None = None, include_cancelled: bool = False,
                 current_at: datetime | None = None) -> list[Outage]:
    """Outages by start time; ``current_at`` keeps those not yet ended at that moment."""
    query = select(Outage).order_by(Outage.starts_at, Outage.id)
    if zone:
        query = query.where(Outage.supply_zone == zone)
    if not include_cancelled:
        query = query.where(Outage.cancelled_at.is_(None))
    if current_at is not None:
        query = query.where(Outage.ends_at > current_at)
    return list(session.scalars(query))


def get_outage(session: Session, outage_id: int) -> Outage:
    outage = session.get(Outage, outage_id)
    if outage is None:
        raise NotFound(f"outage {outage_id} does not exist")
    return outage


def cancel_outage(session: Session, outage_id: int, now: datetime) -> Outage:
    """Cancels an outage (again: no change, the first cancellation time stays)."""
    outage = get_outage(session, outage_id)
    if outage.cancelled_at is None:
        outage.cancelled_at = now
        log.info("outage %s cancelled", outage_id)
    return outage


def window(outage: Outage) -> OutageWindow:
    kind: Kind = "emergency" if outage.kind == "emergency" else "planned"
    return OutageWindow(id=outage.id, supply_zone=outage.supply_zone, kind=kind, starts_at=outage.starts_at,
                        ends_at=outage.ends_at, cancelled_at=outage.cancelled_at)


def outage_for_number(session: Session, number: str, now: datetime) -> OutageWindow | None:
    """The outage the caller's supply zone (through the accounts with that phone) is under at ``now``."""
    if not number:
        return None
    zones = set(session.scalars(select(Account.supply_zone).where(Account.phone.in_(number_variants(number)))))
    zones.discard("")
    if not zones:
        return None
    rows = session.scalars(select(Outage).where(Outage.supply_zone.in_(zones), Outage.cancelled_at.is_(None),
                                                Outage.starts_at <= now, Outage.ends_at > now))
    return applicable_outage((window(o) for o in rows), zones, now)


class OutageNotices:
    """What the IVR asks at call start: the notice prompts for a caller's number (() when none applies).
    Best effort: a failing lookup logs a warning and the caller goes on to the menu."""

    def __init__(self, factory: sessionmaker[Session], clock: Clock, tz: ZoneInfo) -> None:
        self._factory = factory
        self._clock = clock
        self._tz = tz

    async def prompts_for(self, number: str) -> tuple[str, ...]:
        try:
            outage = await asyncio.to_thread(self._find, number)
        except Exception as exc:
            log.warning("outage lookup for %s failed: %s", number, exc)
            return ()
        return notice_prompts(outage, self._tz) if outage is not None else ()

    def _find(self, number: str) -> OutageWindow | None:
        with transaction(self._factory) as session:
            return outage_for_number(session, number, self._clock.now())
