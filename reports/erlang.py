"""Erlang B, C and A: the queueing formulas a hotline staffs its seats and sizes its trunk lines with. Pure.

Traffic in Erlangs is arrivals per second × mean handle time in seconds (A = λ·AHT).

- Erlang B (M/M/N/N): the share of calls refused when all N lines are busy. Sizes the trunk group.
- Erlang C (M/M/N, callers never give up): the probability of waiting, the service level (answered within
  T seconds) and the average speed of answer. Staffs the seats.
- Erlang A (M/M/N+M, Palm's model, callers give up after an exponential patience of mean ``patience``
  seconds): the same figures plus the share of callers who abandon. Closer to a real hotline, where callers
  who wait long hang up, so Erlang C overstates the agents needed.

Erlang A is computed from the birth–death chain of the number of calls in the system, truncated where its
tail no longer matters, and its service level from the tagged caller's race between reaching an agent and
giving up (a small continuous-time Markov chain solved by uniformization).

Staffing: :func:`agents_for_service_level` gives the fewest agents meeting a target, and :func:`scheduled`
adds shrinkage (breaks, training, absence: the share of paid time not on the phones).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "ErlangResult",
    "agents_for_service_level",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "lines_for_blocking",
    "scheduled",
]

_MAX_AGENTS = 10_000
_TAIL = 1e-12


@dataclass(frozen=True)
class ErlangResult:
    agents: int
    traffic: float  # Erlangs offered
    wait_probability: float  # an arriving caller has to wait
    service_level: float  # answered within the target, of all callers (abandons count as not answered in time)
    asa_seconds: float  # mean wait of all callers (0 for those answered at once)
    abandon_probability: float  # 0 in Erlang C
    occupancy: float  # agents' busy share


def erlang_b(lines: int, traffic: float) -> float:
    """The blocking probability with ``lines`` lines and ``traffic`` Erlangs (the stable recursion)."""
    _check(lines >= 0 and traffic >= 0, "lines and traffic must not be negative")
    blocking = 1.0
    for n in range(1, lines + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return blocking


def lines_for_blocking(traffic: float, target: float) -> int:
    """The fewest lines that refuse at most ``target`` of the calls (e.g. 0.01)."""
    _check(0 < target < 1, "the blocking target is a share between 0 and 1")
    if traffic <= 0:
        return 0
    lines, blocking = 0, 1.0
    while blocking > target:
        lines += 1
        blocking = traffic * blocking / (lines + traffic * blocking)
        _check(lines <= _MAX_AGENTS, "too much traffic")
    return lines


def erlang_c(agents: int, traffic: float, aht_seconds: float, target_seconds: float) -> ErlangResult:
    """Erlang C. With agents <= traffic the queue grows without bound: everybody waits, the service level is 0
    and the speed of answer infinite."""
    _check(agents >= 1 and traffic >= 0 and aht_seconds > 0 and target_seconds >= 0, "invalid Erlang C input")
    if agents <= traffic:
        return ErlangResult(agents, traffic, 1.0, 0.0, math.inf, 0.0, 1.0)
    blocking = erlang_b(agents, traffic)
    wait = agents * blocking / (agents - traffic * (1 - blocking))
    spare = agents - traffic
    service_level = 1 - wait * math.exp(-spare * target_seconds / aht_seconds)
    return ErlangResult(agents, traffic, wait, service_level, wait * aht_seconds / spare, 0.0, traffic / agents)


def erlang_a(agents: int, traffic: float, aht_seconds: float, target_seconds: float,
             patience_seconds: float) -> ErlangResult:
    """Erlang A (M/M/N+M). Callers who abandon before ``target_seconds`` count as not served in time; those
    answered within it count whatever their patience."""
    _check(agents >= 1 and traffic >= 0 and aht_seconds > 0 and target_seconds >= 0 and patience_seconds > 0,
           "invalid Erlang A input")
    mu, theta = 1 / aht_seconds, 1 / patience_seconds
    lam = traffic * mu
    weights = _stationary(agents, traffic, lam, mu, theta)
    total = math.fsum(weights)
    probs = [w / total for w in weights]
    waiting = probs[agents:]  # an arrival finds all agents busy and k = index callers ahead of it
    wait_probability = math.fsum(waiting)
    queue_length = math.fsum(k * p for k, p in enumerate(waiting))
    abandon_probability = theta * queue_length / lam if lam > 0 else 0.0
    served_late = math.fsum(p * (1 - _served_within(k, agents * mu, theta, target_seconds))
                            for k, p in enumerate(waiting))
    busy = math.fsum(min(n, agents) * p for n, p in enumerate(probs))
    return ErlangResult(agents, traffic, wait_probability, 1 - served_late,
                        queue_length / lam if lam > 0 else 0.0, abandon_probability, busy / agents)


def agents_for_service_level(traffic: float, aht_seconds: float, target_seconds: float, service_level: float,
                             patience_seconds: float | None = None) -> ErlangResult:
    """The fewest agents meeting ``service_level`` (e.g. 0.8 in 20 s): Erlang C, or Erlang A with patience."""
    _check(0 < service_level < 1, "the service level target is a share between 0 and 1")
    agents = max(1, math.floor(traffic) + (1 if patience_seconds is None else 0))
    while True:
        result = (erlang_c(agents, traffic, aht_seconds, target_seconds) if patience_seconds is None
                  else erlang_a(agents, traffic, aht_seconds, target_seconds, patience_seconds))
        if result.service_level >= service_level:
            return result
        agents += 1
        _check(agents <= _MAX_AGENTS, "too much traffic")


def scheduled(agents: int, shrinkage: float) -> int:
    """Agents to schedule so that ``agents`` are on the phones when ``shrinkage`` of paid time is not."""
    _check(0 <= shrinkage < 1, "shrinkage is a share between 0 and 1")
    return math.ceil(agents / (1 - shrinkage) - 1e-9)


def _stationary(agents: int, traffic: float, lam: float, mu: float, theta: float) -> list[float]:
    """Unnormalized stationary weights of the number in system, 0 .. the truncation point."""
    weights = [1.0]
    for n in range(1, agents + 1):
        weights.append(weights[-1] * traffic / n)
    k = 0
    while True:
        k += 1
        weights.append(weights[-1] * lam / (agents * mu + k * theta))
        if weights[-1] < _TAIL * math.fsum(weights) and k > 10:
            return weights


def _served_within(ahead: int, service_rate: float, theta: float, seconds: float) -> float:
    """The probability that a caller with ``ahead`` callers in front of them (all agents busy) reaches an agent
    within ``seconds`` without giving up. States: j callers ahead (ahead .. 0), then "served" and "gave up".
    From j, the line moves at rate service_rate + j·theta (an answer or someone ahead giving up); from 0 the
    caller is answered at service_rate; the caller gives up at theta from every state."""
    if seconds <= 0:
        return 0.0
    rates = [service_rate + j * theta + theta for j in range(ahead + 1)]  # total rate out of state j
    peak = max(rates)
    steps = peak * seconds
    # probability vector over j = ahead..0 (index j), served
    transient = [0.0] * (ahead + 1)
    transient[ahead] = 1.0
    served = 0.0
    result = 0.0
    n = 0
    cumulative = 0.0
    log_weight = -steps  # the Poisson(steps) weight of n jumps, built up in log space
    while True:
        weight = math.exp(log_weight)
        result += weight * served
        cumulative += weight
        if (1 - cumulative < 1e-12 and n > steps) or n > steps + 50 * math.sqrt(steps + 1) + 100:
            return min(1.0, result + (1 - cumulative) * served)
        moved = [0.0] * (ahead + 1)
        for j, p in enumerate(transient):
            if p == 0.0:
                continue
            forward = service_rate + j * theta  # the line moves (j > 0) or the caller is answered (j == 0)
            stay = 1 - rates[j] / peak
            moved[j] += p * stay
            if j == 0:
                served += p * forward / peak
            else:
                moved[j - 1] += p * forward / peak
        transient = moved
        n += 1
        log_weight += math.log(steps) - math.log(n) if steps > 0 else -math.inf


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)
