"""Which answered agent legs still owe a recording. Pure: facts in, in whatever order they arrive, and out the
legs that ended answered but unrecorded (each flagged once).

The facts come from two writers that race: Asterisk's own events (the seat answered, the recording was told,
the leg hung up) arrive in the order Asterisk sent them, but the ACD's word on who took the call comes when
the ACD gets to it, which under load is after a short call's leg has already hung up. So a leg is judged when
the last of "answered" and "ended" is known, not when the end happens to arrive; and a call that went away
unseen (the AMI link was down) ends its legs too.

A leg is keyed by (linkedid, seat). A seat rung twice for one call (no answer, then a re-offer) gets a fresh
leg when it answers again: Asterisk's answer always precedes the ACD's, so a stale end is never taken for the
new leg's."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

Key = tuple[str, str]  # (linkedid, seat)


@dataclass(frozen=True)
class MissedLeg:
    """An answered agent leg that ended with no recording told for it."""

    linkedid: str
    seat: str
    agent_id: int | None
    at: datetime  # when the leg ended (or was found gone)


@dataclass
class _Leg:
    answered: bool = False
    agent_id: int | None = None
    recorded: bool = False
    ended_at: datetime | None = None
    flagged: bool = False


class LegBook:
    """The legs of recent calls (at most ``capacity``, the oldest forgotten first)."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._legs: OrderedDict[Key, _Leg] = OrderedDict()
        self._customers: OrderedDict[str, None] = OrderedDict()  # calls whose customer answered an agent's call
        self._capacity = capacity

    def seat_answered(self, linkedid: str, seat: str) -> None:
        """Asterisk says the seat answered (Dial's ANSWER): a new leg if the seat's last one for this call ended."""
        leg = self._legs.get((linkedid, seat))
        if leg is None or leg.ended_at is not None:
            leg = self._put((linkedid, seat), _Leg())
        leg.answered = True

    def agent_answered(self, linkedid: str, seat: str, agent_id: int, *, talking: bool = True) -> MissedLeg | None:
        """The ACD says ``agent_id`` took the call on ``seat``. ``talking``: the call is connected now (False
        for a queue callback, whose customer is dialled only after the agent answered)."""
        leg = self._legs.get((linkedid, seat)) or self._put((linkedid, seat), _Leg())
        leg.agent_id = agent_id
        leg.answered = leg.answered or talking or linkedid in self._customers
        return self._judge(linkedid, seat, leg)

    def customer_answered(self, linkedid: str) -> None:
        """The customer of an agent's own call (a callback, click-to-call) answered: the agent's leg talks (a
        callback's: also when the ACD names its agent only afterwards)."""
        self._customers[linkedid] = None
        self._customers.move_to_end(linkedid)
        while len(self._customers) > self._capacity:
            self._customers.popitem(last=False)
        for (call, _seat), leg in self._legs.items():
            if call == linkedid and leg.ended_at is None:
                leg.answered = True

    def agent_placed(self, linkedid: str, seat: str, agent_id: int) -> None:
        """An agent's own call rings their seat first (click-to-call): the leg is theirs, not yet talking."""
        leg = self._legs.get((linkedid, seat))
        if leg is None or leg.ended_at is not None:
            leg = self._put((linkedid, seat), _Leg())
        leg.agent_id = agent_id

    def recorded(self, linkedid: str, seat: str) -> datetime | None:
        """A recording was told for the leg; returns when the leg ended if that was seen first (an agent's own
        call records the customer's leg, which may tell its recording after the agent's leg hung up)."""
        leg = self._legs.get((linkedid, seat)) or self._put((linkedid, seat), _Leg())
        leg.recorded = True
        return leg.ended_at

    def ended(self, linkedid: str, seat: str, at: datetime) -> MissedLeg | None:
        leg = self._legs.get((linkedid, seat))
        if leg is None:  # a seat that rang and never answered: nothing owed
            return None
        if leg.ended_at is None:
            leg.ended_at = at
        return self._judge(linkedid, seat, leg)

    def calls_gone(self, live: Iterable[str], at: datetime) -> list[MissedLeg]:
        """After a resync: every leg of a call with no channel left has ended, unseen."""
        alive = frozenset(live)
        missed = []
        for (linkedid, seat), leg in list(self._legs.items()):
            if linkedid not in alive and leg.ended_at is None:
                leg.ended_at = at
                if (flagged := self._judge(linkedid, seat, leg)) is not None:
                    missed.append(flagged)
        return missed

    def agent_of(self, linkedid: str, seat: str) -> int | None:
        leg = self._legs.get((linkedid, seat))
        return leg.agent_id if leg is not None else None

    def _judge(self, linkedid: str, seat: str, leg: _Leg) -> MissedLeg | None:
        if leg.flagged or leg.recorded or not leg.answered or leg.ended_at is None:
            return None
        leg.flagged = True
        return MissedLeg(linkedid, seat, leg.agent_id, leg.ended_at)

    def _put(self, key: Key, leg: _Leg) -> _Leg:
        self._legs[key] = leg
        self._legs.move_to_end(key)
        while len(self._legs) > self._capacity:
            self._legs.popitem(last=False)
        return leg
