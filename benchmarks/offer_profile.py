"""Where Qingquan's offer latency goes: runs Qingquan-only samples of the offer-latency cases 1 and 2a with
profiling hooks loaded into the app process (benchmarks/profile_hooks/sitecustomize.py, which wraps a few
of the app's functions to write timestamps; the app's code is not changed), then prints for each stage the
median time after the trigger, on the same clock as the benchmark.

Usage: .venv/bin/python -m benchmarks.offer_profile [SAMPLES] [SWITCH_INTERVAL]
SWITCH_INTERVAL, when given, is set as the app process's GIL switch interval (seconds; Python's default is
0.005), to test whether threads holding the GIL delay the event loop that sends the offer."""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.offer_latency import Sample, agent_free_on_arrival, unpause
from benchmarks.offer_rig import QINGQUAN, SEAT, Rig, start_rig
from tests.support.ami_client import received_at

HOOKS = Path(__file__).resolve().parent / "profile_hooks"
Trace = list[tuple[float, str, str]]

CASE_STAGES = {
    "1": [("app_ami_bytes", "QingquanQueued"), ("app_ami_event", "UserEvent"), ("acd_submit", "Enqueue"),
          ("acd_handle", "Enqueue"), ("ami_offer_called", ""), ("ami_action_written", "Redirect")],
    "2a": [("app_http_bytes", ""), ("app_auth_dependency", ""), ("acd_execute", "SetReady"),
           ("acd_handle", "SetReady"), ("ami_offer_called", ""), ("ami_action_written", "Redirect")],
}


def read_trace(path: Path) -> Trace:
    trace: Trace = []
    for line in path.read_text().splitlines():
        at, stage, *detail = line.split(" ", 2)
        trace.append((float(at), stage, detail[0] if detail else ""))
    return trace


def stage_time(trace: Trace, sample: Sample, stage: str, detail: str) -> float | None:
    for at, name, text in trace:
        if name == stage and (not detail or text == detail) and sample.start - 0.02 <= at <= sample.start + 1:
            return at - sample.start
    return None


def print_profile(case: str, samples: list[Sample], trace: Trace) -> None:
    print(f"\ncase {case}: Qingquan, median ms after the trigger (n={len(samples)})")
    rows: list[tuple[str, list[float]]] = []
    for stage, detail in CASE_STAGES[case]:
        times = [t for s in samples if (t := stage_time(trace, s, stage, detail)) is not None]
        rows.append((f"{stage} {detail}".strip(), times))
    for name in samples[0].parts:
        rows.append((f"(benchmark) {name}", [s.parts[name] for s in samples]))
    rows.append(("(benchmark) seat phone CALL_INCOMING", [s.latency for s in samples]))
    for name, times in sorted(rows, key=lambda row: statistics.median(row[1]) if row[1] else 0.0):
        if times:
            ms = sorted(t * 1000 for t in times)
            print(f"  {name:<42} median {statistics.median(ms):7.2f}  min {ms[0]:7.2f}  max {ms[-1]:7.2f}")


def asterisk_alone(rig: Rig, mechanism: str, rng: random.Random) -> Sample:
    """The AMI action sent by the benchmark itself, no app in the path: ``redirect`` moves a caller held in
    acd-hold (agent not ready, so the ACD leaves it alone) into acd-connect; ``originate`` calls the seat
    straight from AMI (Async, into an Echo). From the action leaving to the seat phone ringing."""
    rig.own(QINGQUAN, free=False)
    rig.quiet()
    caller = rig.callers[0]
    joined = rig.dial(caller, QINGQUAN)
    time.sleep(rng.uniform(0.1, 0.3))
    if mechanism == "redirect":
        action = {"Action": "Redirect", "Channel": joined["Channel"], "Context": "acd-connect", "Exten": SEAT,
                  "Priority": "1"}
    else:
        action = {"Action": "Originate", "Channel": f"PJSIP/{SEAT}", "Application": "Echo", "Async": "true"}
    start = time.time()
    rig.ami.send(action)
    dial_begin = received_at(rig.dial_begin()) if mechanism == "redirect" else start
    rang = float(rig.seat.wait_event("CALL_INCOMING")["received_at"])
    if mechanism == "redirect":
        rig.hang_up(caller)
    else:
        rig.seat.command("hangup")
        rig.seat.wait_event("CALL_CLOSED")
        rig.hang_up(caller, seat_rang=False)
    return Sample(start, rang - start, {"AMI DialBegin": dial_begin - start})


def main(samples: int = 15, switch_interval: str = "") -> None:
    sys.setswitchinterval(0.0002)
    rng = random.Random(7)
    trace_path = Path(tempfile.mkdtemp(prefix="qq-trace-")) / "trace.txt"
    env = {"PYTHONPATH": str(HOOKS), "QQ_TRACE_FILE": str(trace_path)}
    if switch_interval:
        env["QQ_SWITCH_INTERVAL"] = switch_interval
    rig: Rig | None = None
    try:
        rig = start_rig(**env)
        print(f"app GIL switch interval: {switch_interval or 'Python default (0.005 s)'}")
        first = [agent_free_on_arrival(rig, QINGQUAN, rng) for _ in range(samples)]
        second = [unpause(rig, QINGQUAN, rng) for _ in range(samples)]
        floors = {m: [asterisk_alone(rig, m, rng) for _ in range(samples)] for m in ("redirect", "originate")}
    finally:
        if rig is not None:
            rig.stop()
    trace = read_trace(trace_path)
    print_profile("1", first, trace)
    print_profile("2a", second, trace)
    print("\nAsterisk alone, the benchmark sending the action itself: median ms from the action to the ring")
    for mechanism, floor in floors.items():
        ms = sorted(x.latency * 1000 for x in floor)
        print(f"  {mechanism:<10} n={len(ms)} median {statistics.median(ms):.2f}  min {ms[0]:.2f}  max {ms[-1]:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15, sys.argv[2] if len(sys.argv) > 2 else "")
