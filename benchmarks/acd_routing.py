"""Routing decisions per second of the pure ACD core, with many waiting calls and many agents.

Prints figures; asserts nothing. Usage: .venv/bin/python benchmarks/acd_routing.py [waiting] [agents]
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from acd.core import AcdState, AgentLegGone, Enqueue, LogIn, MarkAnswered, RegisterSeat, SetReady, decide


def main(waiting: int = 1000, agents: int = 200, rounds: int = 2000) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    state = AcdState(wrapup_seconds=0)
    for n in range(agents):
        seat = f"seat{n}"
        state, _ = decide(state, RegisterSeat(seat, True), now)
        state, _ = decide(state, LogIn(n, seat), now)
    for n in range(waiting + rounds):
        state, _ = decide(state, Enqueue(f"call{n}", f"PJSIP/trunk-{n}", "general"), now)
    latencies = []
    for n in range(agents):  # all agents go ready: each decision offers one call
        t0 = time.perf_counter()
        state, _ = decide(state, SetReady(n), now)
        latencies.append(time.perf_counter() - t0)
    offered = [(a.agent_id, a.call, a.seat) for a in state.agents.values() if a.call]
    for i in range(rounds):  # answer, finish, re-route
        agent_id, call, seat = offered[i % len(offered)]
        now += timedelta(seconds=1)
        t0 = time.perf_counter()
        state, _ = decide(state, MarkAnswered(call), now)
        state, _ = decide(state, AgentLegGone(call, seat), now)  # zero wrap-up: ready, next call offered
        latencies.append(time.perf_counter() - t0)
        agent = state.agents[agent_id]
        offered[i % len(offered)] = (agent_id, agent.call, seat)
    latencies.sort()
    total = sum(latencies)
    print(f"waiting calls: {waiting}, agents: {agents}, routing steps timed: {len(latencies)}")
    print("(a step: an agent going ready and being offered the next call, or an answer + hang-up + next offer)")
    print(f"steps per second: {len(latencies) / total:,.0f}")
    p99 = latencies[int(len(latencies) * 0.99)]
    print(f"median: {statistics.median(latencies) * 1e3:.3f} ms, p99: {p99 * 1e3:.3f} ms")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
