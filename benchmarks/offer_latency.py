"""Offer latency on real Asterisk with real SIP phones: Qingquan against app_queue on the same Asterisk, the
same seat phone and the same run, samples interleaved (ABBA), until the agent's phone rings.

Case 1, an agent is free when the caller arrives: from the caller entering the queue (the AMI event
QingquanQueued / QueueCallerJoin, stamped when it reaches the benchmark's own AMI session) to the seat
phone's CALL_INCOMING (baresip ctrl_tcp, stamped on arrival). Case 1i, the same through the IVR: the caller
dials an IVR number (Qingquan: the hotline; app_queue: the same IVR over FastAGI, then Queue()) and keys 0
for an agent; from the point where the two systems start to differ (AMI AGIExecStart of SET VARIABLE
QQ_OWNER, the command Qingquan's IVR sends as it asks its ACD for a free agent; the IVR code is the same for
both up to there) to CALL_INCOMING. Its parts also show the start of the IVR's transfer (SET VARIABLE
QQ_QUEUE).
Case 2, a caller waits when the agent becomes
free: (a) unpause: from the moment the request leaves (HTTP PUT /api/agent/state ready / AMI QueuePause
Paused=false), sent at a random 0.2-1.2 s after the caller joined; (b) end of wrap-up after the previous
call's hang-up, both systems with 1 s of wrap-up: from the moment wrap-up ends (Qingquan: its ACD's
wrap-up start, from the console feed, + 1 s; app_queue: its rule is whole seconds, ``time(NULL) - lastcall
< wrapuptime``, so the second boundary after AgentComplete + 1 s).

All stamps are time.time() in this process. Prints figures; asserts nothing.
Usage: .venv/bin/python -m benchmarks.offer_latency [SAMPLES]   (SAMPLES per system per case, default 20)
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks.offer_rig import APP_QUEUE, QINGQUAN, WRAPUP_SECONDS, Rig, start_rig
from tests.support.ami_client import received_at


@dataclass
class Sample:
    start: float  # time.time() of the trigger
    latency: float  # seconds, trigger -> seat phone rings
    parts: dict[str, float] = field(default_factory=dict)  # seconds since the trigger


def ring_time(rig: Rig) -> float:
    return float(rig.seat.wait_event("CALL_INCOMING")["received_at"])


def agent_free_on_arrival(rig: Rig, system: str, rng: random.Random) -> Sample:
    rig.own(system, free=True)
    rig.quiet()
    caller = rig.callers[0]
    start = received_at(rig.dial(caller, system))
    dial_begin = received_at(rig.dial_begin())
    rang = ring_time(rig)
    rig.hang_up(caller)
    if system == QINGQUAN:
        rig.wait_agent("ready")
    return Sample(start, rang - start, {"AMI DialBegin": dial_begin - start})


def agent_free_after_ivr(rig: Rig, system: str, rng: random.Random) -> Sample:
    rig.own(system, free=True)
    rig.quiet()
    caller = rig.callers[0]
    transfer, diverge = rig.through_ivr(caller, system)
    start = received_at(diverge)
    queued = received_at(rig.queued(caller, system))
    dial_begin = received_at(rig.dial_begin())
    rang = ring_time(rig)
    rig.hang_up(caller)
    if system == QINGQUAN:
        rig.wait_agent("ready")
    return Sample(start, rang - start, {"IVR transfer start": received_at(transfer) - start,
                                        "AMI queued/join": queued - start, "AMI DialBegin": dial_begin - start})


def unpause(rig: Rig, system: str, rng: random.Random) -> Sample:
    rig.own(system, free=False)
    rig.quiet()
    caller = rig.callers[0]
    rig.dial(caller, system)
    time.sleep(rng.uniform(0.2, 1.2))  # any phase of app_queue's once-a-second re-check
    parts: dict[str, float] = {}
    if system == QINGQUAN:
        start = rig.http.send(rig.state_request("ready"))
        status, body, replied = rig.http.read_response()
        if status != 200:
            raise RuntimeError(f"ready refused: {status} {body!r}")
        parts["HTTP reply"] = replied - start
        rig.owner = (QINGQUAN, True)
    else:
        start = time.time()
        _, reply = rig.ami.send(rig.pause_action(False))
        reply.get(timeout=5)
        rig.owner = (APP_QUEUE, True)
    parts["AMI DialBegin"] = received_at(rig.dial_begin()) - start
    rang = ring_time(rig)
    rig.hang_up(caller)
    if system == QINGQUAN:
        rig.wait_agent("ready")
    return Sample(start, rang - start, parts)


def end_of_wrapup(rig: Rig, system: str, rng: random.Random) -> Sample:
    rig.own(system, free=True)
    rig.quiet()
    previous, waiting = rig.callers
    rig.dial(previous, system)
    rig.seat.wait_event("CALL_INCOMING")
    rig.answer_at_seat()
    if system == QINGQUAN:
        rig.wait_agent("on_call")
    time.sleep((rng.random() - time.time() % 1.0) % 1.0)  # the waiting caller joins at a random phase of the
    rig.dial(waiting, system)                            # second, so app_queue's re-check phase is random too
    time.sleep(0.2)
    if system == APP_QUEUE:  # hang up mid-second, so the whole-second wrap-up rule is unambiguous
        time.sleep((1.3 - time.time() % 1.0) % 1.0)
    rig.feed.drain()
    rig.hang_up(previous)
    if system == QINGQUAN:
        start = rig.feed.next_change("wrap_up") + WRAPUP_SECONDS
    else:
        completed = received_at(rig.ami.wait_event(lambda e: e.get("Event") == "AgentComplete"))
        start = math.floor(completed) + WRAPUP_SECONDS
    dial_begin = received_at(rig.dial_begin())
    rang = ring_time(rig)
    rig.hang_up(waiting)
    if system == QINGQUAN:
        rig.wait_agent("ready")
    return Sample(start, rang - start, {"AMI DialBegin": dial_begin - start})


Case = Callable[[Rig, str, random.Random], Sample]
CASES: list[tuple[str, str, Case]] = [
    ("1", "agent free when the caller arrives", agent_free_on_arrival),
    ("1i", "agent free when the IVR hands the caller to the queue", agent_free_after_ivr),
    ("2a", "callers waiting, agent unpaused/ready", unpause),
    ("2b", f"callers waiting, end of {WRAPUP_SECONDS} s wrap-up", end_of_wrapup),
]


def run_case(rig: Rig, case: Case, samples: int, rng: random.Random) -> dict[str, list[Sample]]:
    results: dict[str, list[Sample]] = {QINGQUAN: [], APP_QUEUE: []}
    for i in range(samples):
        order = (QINGQUAN, APP_QUEUE) if i % 4 in (0, 3) else (APP_QUEUE, QINGQUAN)  # ABBA
        for system in order:
            results[system].append(case(rig, system, rng))
    return results


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1] if len(values) > 1 else values[0]


def figures(samples: list[Sample]) -> str:
    ms = [s.latency * 1000 for s in samples]
    return (f"{len(ms):3d} {statistics.median(ms):9.2f} {p90(ms):9.2f} {min(ms):9.2f} {max(ms):9.2f}")


def parts_line(samples: list[Sample]) -> str:
    names = list(samples[0].parts)
    return ", ".join(f"{name} {statistics.median([s.parts[name] * 1000 for s in samples]):.2f}" for name in names)


def report(key: str, title: str, results: dict[str, list[Sample]]) -> None:
    qq = statistics.median(s.latency for s in results[QINGQUAN])
    aq = statistics.median(s.latency for s in results[APP_QUEUE])
    print(f"\ncase {key}: {title}")
    for system in (QINGQUAN, APP_QUEUE):
        print(f"  {system:<10}{figures(results[system])}   (median ms after the trigger: "
              f"{parts_line(results[system])})")
    if key.startswith("1"):
        print(f"  ratio Qingquan/app_queue (median): {qq / aq:.2f}   goal <= 1.5")
    else:
        print(f"  speed-up app_queue/Qingquan (median): {aq / qq:.0f}x   goal >= 50x")


def main(samples: int = 20) -> None:
    sys.setswitchinterval(0.0002)  # reader threads stamp arrivals promptly
    rng = random.Random(96106)
    started = time.monotonic()
    rig = start_rig()
    try:
        print(f"Offer latency to the seat phone's incoming call, real Asterisk + baresip; {samples} samples per "
              f"system per case, interleaved")
        print(f"  {'system':<10}{'n':>3} {'median':>9} {'p90':>9} {'min':>9} {'max':>9}   (ms)")
        for key, title, case in CASES:
            report(key, title, run_case(rig, case, samples, rng))
    finally:
        rig.stop()
    print(f"\n(run took {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
