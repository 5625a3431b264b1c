"""Routing decisions per second of the pure ACD core: 1,000 waiting calls, 200 agents with skills.

Four queues: two route by skills (with relaxation as calls wait), one by longest idle, one by fewest calls;
calls carry priorities; each agent has one to three skills at levels 1-5. A timed decision is one command
through ``decide``: an agent going ready (and being offered the best call for them), an answer, or a hang-up
after which the freed agent is offered the next call. Prints figures; asserts nothing.
Usage: .venv/bin/python -m benchmarks.acd_routing [WAITING] [AGENTS] [ROUNDS]
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from acd.commands import AgentLegGone, Command, Enqueue, LogIn, MarkAnswered, RegisterSeat, SetReady
from acd.core import AcdState, decide
from acd.policy import AcdPolicy, OverflowRule, QueuePolicy, SkillStep, Strategy

SKILLS = ("billing", "repair", "complaint", "mandarin")


def policy() -> AcdPolicy:
    relax = (SkillStep(30, 1), SkillStep(90, 2))
    return AcdPolicy(queues={
        "billing": QueuePolicy("billing", Strategy.SKILLS, 0, {"billing": 3}, relax),
        "repair": QueuePolicy("repair", Strategy.SKILLS, 0, {"repair": 2, "mandarin": 1}, relax,
                              overflow=(OverflowRule(120, "general"),)),
        "complaint": QueuePolicy("complaint", Strategy.FEWEST_CALLS, 0, {"complaint": 2}),
        "general": QueuePolicy("general", Strategy.LONGEST_IDLE, 0),
    }, default_queue="general")


def main(waiting: int = 1000, agents: int = 200, rounds: int = 5000) -> None:
    rng = random.Random(7)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    state = AcdState(policy=policy())
    queues = list(state.policy.queues)
    for n in range(agents):
        skills = {s: rng.randint(1, 5) for s in rng.sample(SKILLS, rng.randint(1, 3))}
        for command in (RegisterSeat(f"seat{n}", True), LogIn(n, f"seat{n}", skills)):
            state, _ = decide(state, command, now)
    arrivals = 0

    def arrival() -> Enqueue:
        nonlocal arrivals
        arrivals += 1
        return Enqueue(f"call{arrivals}", f"PJSIP/trunk-{arrivals}", rng.choice(queues),
                       priority=rng.choice((0, 0, 0, 1)))

    for _ in range(waiting + agents):
        state, _ = decide(state, arrival(), now)
    latencies: list[float] = []

    def timed(command: Command) -> None:
        nonlocal state
        t0 = time.perf_counter()
        state, _ = decide(state, command, now)
        latencies.append(time.perf_counter() - t0)

    for n in range(agents):
        timed(SetReady(n))
    for _ in range(rounds):
        now += timedelta(seconds=0.2)
        ringing = [a for a in state.agents.values() if a.call and a.state == "offered"]
        talking = [a for a in state.agents.values() if a.call and a.state == "on_call"]
        if ringing and (not talking or rng.random() < 0.5):
            agent = rng.choice(ringing)
            timed(MarkAnswered(agent.call or "", agent.seat or ""))
        elif talking:
            agent = rng.choice(talking)
            timed(AgentLegGone(agent.call or "", agent.seat or ""))  # zero wrap-up: the next offer follows
            timed(arrival())  # a new caller joins the line: about 1,000 keep waiting
        else:
            break
    latencies.sort()
    print(f"waiting calls: {waiting} (left at the end: {len(state.waiting)}), agents: {agents} with skills, "
          f"decisions timed: {len(latencies)}")
    print(f"decisions per second: {len(latencies) / sum(latencies):,.0f}")
    p99 = latencies[int(len(latencies) * 0.99)]
    print(f"median: {statistics.median(latencies) * 1e3:.3f} ms, p99: {p99 * 1e3:.3f} ms, "
          f"max: {latencies[-1] * 1e3:.3f} ms (goal: p99 under 1 ms)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:4]))
