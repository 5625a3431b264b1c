"""SIPp's action log of a load run, read back: the lines the scenarios write (``<event> <caller number> <ms>``,
see :mod:`loadgen.sipp_scenarios`) become per-call milestones and the callers' side of the figures. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


def milestones(lines: Iterable[str]) -> dict[str, dict[str, float]]:
    """caller number -> event -> SIPp's clock in seconds (the first of each event); other lines are skipped."""
    calls: dict[str, dict[str, float]] = defaultdict(dict)
    for line in lines:
        parts = line.split()
        if len(parts) != 3 or not parts[2].isdigit():
            continue
        event, number, ms = parts
        calls[number].setdefault(event, int(ms) / 1000)
    return dict(calls)


@dataclass(frozen=True)
class CallerFigures:
    attempted: int
    invited: int  # INVITE sent
    set_up: int  # answered by Asterisk (200 OK)
    completed: int  # the far end hung up: the agent, or the IVR after self-service
    gave_up: int  # hung up by the caller after its patience ran out
    setup_seconds: tuple[float, ...]  # INVITE -> 200 OK, per call set up
    spans: tuple[tuple[float, float], ...]  # (200 OK, end) of each call that ended, SIPp's clock

    @property
    def failed(self) -> int:
        """Planned calls that did not end the planned way (never set up, or given up, or never ended)."""
        return self.attempted - self.completed


def caller_figures(attempted: int, calls: dict[str, dict[str, float]]) -> CallerFigures:
    setups = []
    spans = []
    for events in calls.values():
        if "invite" in events and "up" in events:
            setups.append(events["up"] - events["invite"])
        end = events.get("far_bye", events.get("gave_up"))
        if "up" in events and end is not None:
            spans.append((events["up"], end))
    return CallerFigures(
        attempted=attempted,
        invited=sum("invite" in e for e in calls.values()),
        set_up=sum("up" in e for e in calls.values()),
        completed=sum("far_bye" in e for e in calls.values()),
        gave_up=sum("gave_up" in e for e in calls.values()),
        setup_seconds=tuple(setups), spans=tuple(spans))
