"""Agent state pushes to supervisors' consoles, without Asterisk: the real console app (its websocket endpoint,
the real hub behind the real event bus) on a real uvicorn server in this process's event loop, as
``qingquan run`` serves it, and N supervisor consoles (default 200) in a process of their own
(loadgen.consoles, the load run's watchers).

This process publishes ``agent.state_changed`` events on the bus: Poisson at ``--rate`` a second, plus a burst
of ``--burst`` changes every ``--burst-every`` seconds (a wave of calls answered at once); each one also wakes
the wallboard, a snapshot of 50 agents and the queues with ``--waiting`` callers sent to every supervisor at
most once a second (its size is printed). The 120-call load stage makes about 400 changes in all, at most
~10 a second while the calls arrive; the default 30 a second with bursts of 25 is a busier room than that.

Push latency, as the load run measures it: a console's arrival time (host clock) less the change's own ``at``.
Prints p50/p95/p99/max, the pushes counted, and this (server) process's CPU over the run.

Usage: .venv/bin/python -m benchmarks.console_push [--consoles 200] [--rate 30] [--seconds 30] [--burst 25]
       [--burst-every 5] [--waiting 70]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import socket
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from acd.commands import Enqueue, LogIn, RegisterSeat, SetReady
from acd.core import AcdState, decide
from agent_console.app import ConsoleContext, create_app
from agent_console.auth import Principal, issue_token
from agent_console.hub import ConsoleHub
from agent_console.wallboard import wallboard_snapshot
from config.composition import console_server
from config.settings import Settings
from kernel.call_events import AgentStateChanged
from kernel.clock import SystemClock
from kernel.database import make_engine, make_session_factory, upgrade_schema
from kernel.events import EventBus
from loadgen.consoles import ConsoleWatchers
from loadgen.records import ensure_supervisor

SECRET = "console-push-benchmark-secret-0000000000"
AGENTS = 50
STATES = ("ready", "offered", "on_call", "wrap_up")


class Acd:
    """The ACD node's face to the console: a fixed state (the feed reads an agent's state for the hello)."""

    def __init__(self, state: AcdState) -> None:
        self.state = state


def busy_room(waiting: int) -> AcdState:
    """50 agents logged in and ready, ``waiting`` callers queued (some offered): a full wallboard."""
    now = datetime.now(UTC)
    state = AcdState()
    for n in range(1, AGENTS + 1):
        for command in (RegisterSeat(f"seat{1000 + n}", True), LogIn(n, f"seat{1000 + n}"), SetReady(n)):
            state, _ = decide(state, command, now)
    for n in range(waiting):
        state, _ = decide(state, Enqueue(linkedid=f"bench-{n}", channel=f"PJSIP/trunk-{n}", queue="general",
                                         caller_number=f"1380000{n:04d}", ivr_path="main>agent"), now)
    return state


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def schedule(rate: float, seconds: float, burst: int, burst_every: float) -> list[float]:
    """When each change is published, in seconds from the start (the same every run: seeded)."""
    rng = random.Random(7)
    times: list[float] = []
    t = rng.expovariate(rate)
    while t < seconds:
        times.append(t)
        t += rng.expovariate(rate)
    if burst:
        times += [b * burst_every for b in range(1, int(seconds / burst_every) + 1) for _ in range(burst)]
    return sorted(t for t in times if t < seconds)


async def publish(bus: EventBus, times: list[float]) -> None:
    """One state change at each of ``times`` (on time however busy the loop: late ones go at once)."""
    rng = random.Random(7)
    loop = asyncio.get_running_loop()
    start = loop.time()
    for t in times:
        await asyncio.sleep(max(0.0, start + t - loop.time()))
        old, new = rng.sample(STATES, 2)
        bus.publish(AgentStateChanged(at=datetime.now(UTC), agent_id=rng.randint(1, AGENTS), from_state=old,
                                      to_state=new, reason=""))


async def run(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="qq-console-push-"))
    engine = make_engine(f"sqlite:///{workdir / 'bench.db'}")
    upgrade_schema(engine)
    factory = make_session_factory(engine)
    clock = SystemClock()
    supervisor = ensure_supervisor(factory, clock.now())
    from agent_console.models import User  # the supervisor's id, for the token
    with factory() as session:
        user_id = session.query(User.id).filter(User.username == supervisor).scalar()
    token = issue_token(Principal(user_id, supervisor, "supervisor"), SECRET, 60, clock.now())

    acd = Acd(busy_room(args.waiting))
    hub = ConsoleHub(None, wallboard=lambda: wallboard_snapshot(acd.state, clock.now()))  # type: ignore[arg-type]
    wallboard_bytes = len(json.dumps(wallboard_snapshot(acd.state, clock.now()), separators=(",", ":"),
                                     ensure_ascii=False).encode())
    bus = EventBus()
    bus.subscribe("console", hub.on_event)
    ctx = ConsoleContext(settings=Settings(auth={"secret_key": SECRET}), factory=factory,  # type: ignore[arg-type]
                         acd=acd, hub=hub, clock=clock, health=dict)  # type: ignore[arg-type]
    port = free_port()
    server = console_server(create_app(ctx), "127.0.0.1", port)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)

    watchers = ConsoleWatchers(f"ws://127.0.0.1:{port}/ws?token={token}", args.consoles)
    await asyncio.to_thread(watchers.start, 120)
    await asyncio.sleep(1)  # the hellos are out
    cpu0, wall0 = time.process_time(), time.monotonic()
    times = schedule(args.rate, args.seconds, args.burst, args.burst_every)
    await publish(bus, times)
    published = len(times)
    await bus.settle()
    await asyncio.sleep(2)  # the last pushes arrive
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    await asyncio.to_thread(watchers.stop)
    server.should_exit = True
    await serving
    await bus.close()
    engine.dispose()
    shutil.rmtree(workdir, ignore_errors=True)

    ordered = sorted(watchers.latencies)
    print(f"{args.consoles} supervisor consoles (own process), {published} state changes in {args.seconds:.0f} s "
          f"(rate {args.rate}/s + bursts of {args.burst} every {args.burst_every:.0f} s), wallboard "
          f"{wallboard_bytes / 1024:.1f} KiB at most once a second")
    print(f"pushes received: {len(ordered)} of {published * args.consoles} "
          f"({watchers.messages} messages in all); errors: {len(watchers.errors)} {watchers.errors[:3]}")
    if ordered:
        ms = [x * 1e3 for x in ordered]
        print(f"push latency ms: p50 {statistics.median(ms):.1f}  p95 {percentile(ms, 0.95):.1f}  "
              f"p99 {percentile(ms, 0.99):.1f}  max {ms[-1]:.1f}   (goal: p99 under 100)")
    print(f"server process CPU: {cpu / wall * 100:.0f} % of a core over {wall:.1f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--consoles", type=int, default=200)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--burst", type=int, default=25)
    parser.add_argument("--burst-every", type=float, default=5.0)
    parser.add_argument("--waiting", type=int, default=70)
    args: Any = parser.parse_args(argv)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
