"""The call plan of a load run, drawn before any call is placed: when each call arrives, which IVR path it
follows (with the DTMF keys it presses and when), how long the agent talks, and what its contact record must
say afterwards. Pure: a seed and the request in, the same plan out, so a run can be repeated and reconciled
call by call against the contacts it left.

Callers are numbered ``139RRNNNNNN`` (RR: the run's tag, NNNNNN: the call's index), outside the demo
accounts' ``138...`` phones, so a contact is matched to its planned call by the caller's number alone."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass

from kernel.call_events import SELF_SERVICE
from kernel.errors import InvalidInput

ANSWERED = "answered"
DEMO_ACCOUNTS = ("10001234", "10005678", "10009999")  # ``qingquan run --demo`` seeds these
FIRST_KEY_SECONDS = 2.0  # a caller's first key, after the answer: halfway through the 4 s welcome, as people do


@dataclass(frozen=True)
class KeyPress:
    """Keys pressed ``after_seconds`` after the previous press (the first: after the call was answered)."""

    after_seconds: float
    keys: str


@dataclass(frozen=True)
class IvrPath:
    """A way through the default IVR menu: what the caller keys, and what the contact must show."""

    name: str
    presses: tuple[KeyPress, ...]
    expected_outcome: str
    path_node: str  # a node of the menu the contact's IVR path must pass through
    account: str | None = None  # the account number the contact must carry (bill self-service)

    @property
    def keys(self) -> str:
        return "".join(press.keys for press in self.presses)


def agent_path() -> IvrPath:
    """0 halfway through the welcome prompt (4 s): an agent."""
    return IvrPath("agent", (KeyPress(FIRST_KEY_SECONDS, "0"),), ANSWERED, "agent")


def repair_path() -> IvrPath:
    """2 halfway through the welcome prompt: a repair, to an agent."""
    return IvrPath("repair", (KeyPress(FIRST_KEY_SECONDS, "2"),), ANSWERED, "repair")


def bill_path(account: str) -> IvrPath:
    """1, then the account number and #: the bill is read, the caller stays silent and the IVR says goodbye
    and hangs up (self-service)."""
    return IvrPath(f"bill-{account}", (KeyPress(FIRST_KEY_SECONDS, "1"), KeyPress(1.5, f"{account}#")),
                   SELF_SERVICE, "bill", account)


DEFAULT_MIX: Mapping[str, float] = {"agent": 0.5, "repair": 0.2, "bill": 0.3}


@dataclass(frozen=True)
class PlanRequest:
    calls: int
    rate: float  # mean arrivals per second
    seed: int = 96106
    talk_mean_seconds: float = 20.0
    talk_min_seconds: float = 3.0
    poisson: bool = True  # exponential gaps between arrivals; False: evenly spaced
    mix: Mapping[str, float] | None = None  # path kind -> weight (agent, repair, bill); None: DEFAULT_MIX
    run_tag: int = 0  # 0-99, the RR of the callers' numbers

    def check(self) -> None:
        """Raises InvalidInput for a request no plan can be drawn from."""
        problems = []
        if self.calls < 1 or self.calls > 999_999:
            problems.append("calls must be 1 to 999999")
        if not self.rate > 0:
            problems.append("rate must be above 0 calls a second")
        if not 0 < self.talk_min_seconds <= self.talk_mean_seconds:
            problems.append("talk times need 0 < minimum <= mean")
        if not 0 <= self.run_tag <= 99:
            problems.append("run tag must be 0 to 99")
        mix = self.mix if self.mix is not None else DEFAULT_MIX
        unknown = sorted(set(mix) - set(DEFAULT_MIX))
        if unknown:
            problems.append(f"unknown path kinds {unknown}: use {sorted(DEFAULT_MIX)}")
        if any(w < 0 or not math.isfinite(w) for w in mix.values()) or not sum(mix.values()) > 0:
            problems.append("path weights must be non-negative with a positive sum")
        if problems:
            raise InvalidInput("; ".join(problems))


@dataclass(frozen=True)
class PlannedCall:
    index: int
    caller_number: str
    arrive_seconds: float  # after the run's start
    path: IvrPath
    talk_seconds: float  # the agent's talk time (answered paths; 0 for self-service)

    @property
    def expected_outcome(self) -> str:
        return self.path.expected_outcome


@dataclass(frozen=True)
class CallPlan:
    request: PlanRequest
    calls: tuple[PlannedCall, ...]

    @property
    def paths(self) -> tuple[IvrPath, ...]:
        """The distinct paths the calls take, in order of first use."""
        seen: dict[str, IvrPath] = {}
        for call in self.calls:
            seen.setdefault(call.path.name, call.path)
        return tuple(seen.values())

    @property
    def last_arrival_seconds(self) -> float:
        return max(call.arrive_seconds for call in self.calls)

    def by_number(self) -> dict[str, PlannedCall]:
        return {call.caller_number: call for call in self.calls}


def caller_number(run_tag: int, index: int) -> str:
    return f"139{run_tag:02d}{index:06d}"


def draw_plan(request: PlanRequest) -> CallPlan:
    """The calls of ``request``: arrivals at ``rate`` (Poisson or evenly spaced) from 0 s, a path per call by
    the mix's weights, an exponential talk time of the given mean, never below the minimum nor above four
    times the mean."""
    request.check()
    rng = random.Random(request.seed)
    mix = dict(request.mix if request.mix is not None else DEFAULT_MIX)
    kinds = [kind for kind in DEFAULT_MIX if mix.get(kind, 0) > 0]
    weights = [mix[kind] for kind in kinds]
    calls = []
    at = 0.0
    for index in range(request.calls):
        if index:
            at += rng.expovariate(request.rate) if request.poisson else 1.0 / request.rate
        kind = rng.choices(kinds, weights)[0]
        path = _path(kind, rng)
        talk = 0.0
        if path.expected_outcome == ANSWERED:
            drawn = rng.expovariate(1.0 / request.talk_mean_seconds)
            talk = round(min(max(drawn, request.talk_min_seconds), 4 * request.talk_mean_seconds), 3)
        calls.append(PlannedCall(index=index, caller_number=caller_number(request.run_tag, index),
                                 arrive_seconds=round(at, 3), path=path, talk_seconds=talk))
    return CallPlan(request=request, calls=tuple(calls))


def _path(kind: str, rng: random.Random) -> IvrPath:
    if kind == "agent":
        return agent_path()
    if kind == "repair":
        return repair_path()
    return bill_path(rng.choice(DEMO_ACCOUNTS))


def wrapup_seconds(seed: int, agent: int, call: int, mean: float) -> float:
    """How long simulated agent ``agent`` takes over the wrap-up of its ``call``-th call before ending it
    from the console: uniform on [mean/2, 3·mean/2], the same for the same seed."""
    rng = random.Random(f"{seed}/{agent}/{call}")
    return round(rng.uniform(mean / 2, 3 * mean / 2), 3)
