"""Opening hours and the night service from settings (the cores never read settings themselves)."""

from __future__ import annotations

from acd.hours import DAY_NAMES, OpeningHours, week_from
from config.settings import QueueSettings, Settings
from ivr.night import NightMode


def opening_hours(queue: QueueSettings) -> OpeningHours:
    return OpeningHours(week=week_from(queue.hours), holidays=frozenset(queue.holidays),
                        workdays=frozenset(queue.workdays), workday_hours=DAY_NAMES.index(queue.workday_hours))


def night_modes(settings: Settings) -> dict[str, NightMode]:
    """Each queue's night service: "message" (the next opening, then goodbye) or "callback" (an offer)."""
    return {queue.name: queue.night_service for queue in settings.acd.queues}
