"""The ACD's routing policy, built from settings (the core never reads settings itself)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from acd.policy import AcdPolicy, OverflowRule, QueuePolicy, SkillStep, Strategy
from config.hours import opening_hours
from config.settings import OverflowSettings, Settings


def _rules(rules: list[OverflowSettings]) -> tuple[OverflowRule, ...]:
    return tuple(OverflowRule(r.after_seconds, r.to_queue) for r in sorted(rules, key=lambda r: r.after_seconds))


def acd_policy(settings: Settings) -> AcdPolicy:
    acd = settings.acd
    queues = {
        q.name: QueuePolicy(
            name=q.name, strategy=Strategy(q.strategy),
            wrapup_seconds=acd.wrapup_seconds if q.wrapup_seconds is None else q.wrapup_seconds,
            skills=dict(q.skills), relax=tuple(SkillStep(s.after_seconds, s.lower_by) for s in q.relax),
            overflow=_rules(q.overflow), emergency_overflow=_rules(q.emergency_overflow),
            emergency_only=q.emergency_only, callback_after_seconds=q.callback_after_seconds,
            sticky_seconds=q.sticky_seconds, default_handle_seconds=q.default_handle_seconds,
            hours=opening_hours(q))
        for q in acd.queues
    }
    return AcdPolicy(queues=queues, default_queue=acd.queue, reasons=tuple(acd.reasons),
                     emergency_seats=frozenset(s.name for s in settings.asterisk.seats if s.emergency),
                     offer_timeout_seconds=settings.asterisk.ring_seconds + 15,
                     timezone=ZoneInfo(settings.timezone))
