"""How the ACD routes, as data: queues with their strategy, skills, wrap-up, overflow, callback and
stickiness rules and opening hours, the not-ready reason codes, the emergency seats and the time zone.
Pure; built from settings by the composition root and handed to the core inside its state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from enum import StrEnum

from acd.hours import ALWAYS_OPEN, OpeningHours, is_open


class Strategy(StrEnum):
    LONGEST_IDLE = "longest_idle"  # the ready agent idle the longest (the default)
    FEWEST_CALLS = "fewest_calls"  # the ready agent who answered the fewest calls since logging in
    SKILLS = "skills"  # the ready agent whose skills best match the call (ties: longest idle)
    RING_ALL = "ring_all"  # every eligible ready agent rings at once; the first to answer takes it


@dataclass(frozen=True)
class SkillStep:
    """After waiting ``after_seconds``, every required skill level is lowered by ``lower_by`` (a level of
    0 or less is no longer required)."""

    after_seconds: float
    lower_by: int


@dataclass(frozen=True)
class OverflowRule:
    """After waiting ``after_seconds``, agents of ``to_queue`` may take the call too."""

    after_seconds: float
    to_queue: str


@dataclass(frozen=True)
class QueuePolicy:
    name: str
    strategy: Strategy = Strategy.LONGEST_IDLE
    wrapup_seconds: float = 10.0
    skills: Mapping[str, int] = field(default_factory=dict)  # required skill -> minimum level (1-5)
    relax: tuple[SkillStep, ...] = ()
    overflow: tuple[OverflowRule, ...] = ()
    emergency_overflow: tuple[OverflowRule, ...] = ()  # replaces ``overflow`` while emergency mode is on
    emergency_only: bool = False  # open only in emergency mode; calls for it go to the default queue otherwise
    callback_after_seconds: float | None = None  # offer a callback when the estimated wait reaches this
    sticky_seconds: float = 30.0  # how long a repeat caller waits for the owner of their open work order
    default_handle_seconds: float = 180.0  # the handle-time estimate before any call has been handled
    hours: OpeningHours = ALWAYS_OPEN  # while closed, the IVR's night service takes callers; callbacks wait


DEFAULT_REASONS = ("break", "meal", "training", "meeting", "after_call_work", "missed", "forced")
MAX_WRAPUP_EXTENSION_SECONDS = 600.0


@dataclass(frozen=True)
class AcdPolicy:
    queues: Mapping[str, QueuePolicy] = field(
        default_factory=lambda: {"general": QueuePolicy("general")})
    default_queue: str = "general"
    reasons: tuple[str, ...] = DEFAULT_REASONS
    emergency_seats: frozenset[str] = frozenset()  # seats that take calls only in emergency mode
    # An offer whose outcome never arrived (events lost in a takeover or a reconnect) counts as missed after
    # this long, so the call goes back to its place instead of waiting for ever.
    offer_timeout_seconds: float = 60.0
    timezone: tzinfo = UTC  # where the queues' opening hours are read

    def queue(self, name: str) -> QueuePolicy:
        """The named queue's policy; an unknown name gets the default queue's (a call is never refused)."""
        return self.queues.get(name) or self.queues.get(self.default_queue) or QueuePolicy(name)

    def seat_open(self, seat: str | None, emergency: bool) -> bool:
        """Whether a seat takes calls now: an emergency seat only in emergency mode."""
        return emergency or seat not in self.emergency_seats

    def is_open(self, queue: str, at: datetime) -> bool:
        """Whether the queue is within its opening hours at ``at``."""
        return is_open(self.queue(queue).hours, at, self.timezone)

    def overflow_rules(self, queue: str, emergency: bool) -> tuple[OverflowRule, ...]:
        policy = self.queue(queue)
        return policy.emergency_overflow if emergency and policy.emergency_overflow else policy.overflow


def relaxation(relax: tuple[SkillStep, ...], waited_seconds: float) -> int:
    """How many levels every required skill is lowered by after waiting ``waited_seconds``."""
    return max((step.lower_by for step in relax if waited_seconds >= step.after_seconds), default=0)
