"""Faults under load, on real parts: ``qingquan simulate`` (load_trunk's rig: SIPp callers through the trunk and
IVR, simulated agents on SIPp seat phones) against a hotline on PostgreSQL (a throwaway cluster) and Redis, and
mid-run, once a third of the calls have arrived, one fault:

- ``redis``: Redis stopped for 5 s and started again (empty: it keeps nothing); the node gives
  routing up within a lease TTL and takes it again, resyncing from Asterisk.
- ``database``: PostgreSQL stopped for 5 s and started again; the contact records are written
  late (write_until_stored retries), and a simulated agent (benchmarks.order_desk) writes work orders through
  the API from 2 s before the outage to 3 s after, retrying on 503 under each order's Idempotency-Key as the
  console's outbox does: each must be written exactly once.
- ``failover``: two app nodes on one Asterisk, Redis and PostgreSQL (tests.support.nodes); the routing node
  is SIGKILLed and the standby takes routing over. A call in the killed node's IVR is taken up again by the
  dialplan's AGI failover on the other node.

Every planned call must reconcile (simulate's check, and this benchmark's own over the same plan); printed per
stage: simulate's figures, the outage window, the time to recover (routing resumed, first contact event
written, first call offered after it), the fate of every call the fault touched, and the work orders sent,
written and duplicated. Exits non-zero when a stage does not reconcile.
Usage: .venv/bin/python -m benchmarks.load_faults [--smoke] [redis|database|failover ...]   (default: all three;
--smoke: 12 agent and repair calls, the fault after 4, 3 s outages: tests/integration/test_load_faults_smoke.py)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from benchmarks.fault_figures import (
    BILLING_DOWN_PROBLEMS,
    DURING,
    IN_IVR,
    IVR_RESTART_PROBLEMS,
    OutageWindow,
    billing_down_calls,
    fates,
    served_otherwise,
    summary_lines,
)
from benchmarks.load_stage import Stage, hotline_settings, print_run, run_simulate, simulate_command
from benchmarks.order_desk import OrderDesk
from kernel.database import make_engine, make_session_factory
from loadgen.plan import draw_plan
from loadgen.reconcile import Reconciliation, reconcile
from loadgen.records import read_run
from loadgen.sipp_log import caller_figures, milestones
from tests.redis.support import RedisServer
from tests.support.hotline import RunningHotline, start_hotline, wait_for
from tests.support.nodes import start_cluster
from tests.support.postgres import PostgresCluster


@dataclass(frozen=True)
class FaultLoad:
    stage: Stage
    fault_after_calls: int  # the fault begins once this many calls have arrived
    outage_seconds: float  # how long Redis or PostgreSQL stays stopped


FULL = FaultLoad(Stage("faults", calls=90, rate=1.2, agents=12, talk=10.0, talk_min=3.0, wrapup_seconds=5.0),
                 fault_after_calls=30, outage_seconds=5.0)
SMOKE = FaultLoad(Stage("faults-smoke", calls=12, rate=2.0, agents=3, talk=3.0, talk_min=1.5, wrapup_seconds=3.0,
                        survey=False, mix="agent=1,repair=1"),  # the integration test's size: no 50 s bill calls
                  fault_after_calls=4, outage_seconds=3.0)
LEASE_TTL = 2.0  # the failover stage's; a single node keeps the default
RECOVERY_TIMEOUT = 60.0
DEMO_PASSWORD = "qingquan-demo"
STAGES = ("redis", "database", "failover")


@dataclass
class Rig:
    """A running hotline for one stage: ``serving`` answers the agents (and stays up); ``inject`` is the fault
    (returns once the service is back: Redis or PostgreSQL answering, the standby routing)."""

    serving: RunningHotline
    settings_file: Path
    inject: Callable[[], None]
    fault: str
    database_url: str


@dataclass
class Recovery:
    window: OutageWindow | None = None
    routing_resumed: float | None = None  # seconds after the window
    first_write: float | None = None
    desk: OrderDesk | None = None
    notes: list[str] = field(default_factory=list)


@contextmanager
def rig(name: str, root: Path, load: FaultLoad) -> Iterator[Rig]:
    with ExitStack() as stack:
        pg_dir = root / "pg"
        pg_dir.mkdir(parents=True)
        postgres = PostgresCluster(pg_dir / "data")
        postgres.start()
        stack.callback(postgres.stop)
        url = postgres.create_database("qq_faults")
        settings = hotline_settings(load.stage)
        if name == "failover":
            settings["recordings"]["directory"] = str(root / "recordings")  # both nodes read Asterisk's files
            cluster = start_cluster(root / "cluster", lease_ttl_seconds=LEASE_TTL,
                                    settings={**settings, "database_url": url})
            stack.callback(cluster.stop)
            wait_for(cluster.nodes[0].routing, timeout=30, what="node A to route")
            standby = cluster.nodes[1]

            def kill_router() -> None:
                cluster.nodes[0].kill_app()
                wait_for(standby.routing, timeout=RECOVERY_TIMEOUT, interval=0.05, what="the standby to route")

            yield Rig(standby, standby.root / "settings.toml", kill_router, "the routing node SIGKILLed", url)
            return
        (root / "redis").mkdir()
        redis = RedisServer(root / "redis")
        redis.start()
        stack.callback(redis.stop)
        hotline = start_hotline(root / "hotline", database_url=url, redis_url=redis.url, **settings)
        stack.callback(hotline.stop)
        server: PostgresCluster | RedisServer = redis if name == "redis" else postgres

        def restart() -> None:
            server.stop()
            time.sleep(load.outage_seconds)
            server.start()

        yield Rig(hotline, hotline.root / "settings.toml", restart,
                  f"{'Redis' if name == 'redis' else 'PostgreSQL'} stopped {load.outage_seconds:g} s", url)


def scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as connection:
        return connection.execute(text(sql), params).scalar()


def last_event_id(engine: Engine) -> int:
    return int(scalar(engine, "SELECT coalesce(max(id), 0) FROM contact_event") or 0)


def inject_mid_run(name: str, load: FaultLoad, running: Rig, engine: Engine, recovery: Recovery,
                   process: subprocess.Popen[bytes]) -> None:
    """Waits for ``load.fault_after_calls`` arrivals, injects the fault, and measures the recovery."""
    wait_for(lambda: process.poll() is not None or scalar(
        engine, "SELECT count(*) FROM contact WHERE caller_number LIKE '13901%'") >= load.fault_after_calls,
        timeout=300, interval=0.5, what=f"{load.fault_after_calls} calls to arrive")
    if process.poll() is not None:
        recovery.notes.append("simulate ended before the fault")
        return
    if name == "database":
        recovery.desk = OrderDesk(running.serving.base_url, "agent1", DEMO_PASSWORD)
        recovery.desk.start()
        time.sleep(2.0)
    began = datetime.now(UTC)
    started = time.monotonic()
    running.inject()
    restored, back = datetime.now(UTC), time.monotonic()
    recovery.window = OutageWindow(began, restored)
    engine.dispose()  # the pooled connections died with the server
    print(f"  fault: {running.fault} at {began:%H:%M:%S.%f}"[:-3] + f", service back after "
          f"{back - started:.1f} s", flush=True)
    before = last_event_id(engine)
    recovery.routing_resumed = _seconds_until(lambda: bool(running.serving.health().get("routing")), back)
    recovery.first_write = _seconds_until(lambda: last_event_id(engine) > before, back)
    if recovery.desk is not None:
        time.sleep(max(0.0, back + 3.0 - time.monotonic()))
        recovery.desk.stop_new()


def _seconds_until(check: Callable[[], bool], since: float) -> float | None:
    try:
        wait_for(check, timeout=RECOVERY_TIMEOUT, interval=0.05, what="recovery")
    except TimeoutError:
        return None
    return time.monotonic() - since


def run_stage(name: str, load: FaultLoad = FULL) -> bool:
    root = Path(tempfile.mkdtemp(prefix=f"qq-faults-{name}-"))
    root.chmod(0o755)  # PostgreSQL's server (the postgres user when this is root) must reach its directory
    stage = load.stage
    print(f"\n== fault stage {name}: {stage.calls} calls at {stage.rate:g}/s, {stage.agents} agents; the fault "
          f"once {load.fault_after_calls} calls have arrived", flush=True)
    recovery = Recovery()
    with rig(name, root, load) as running:
        engine = make_engine(running.database_url)
        since = datetime.now(UTC) - timedelta(seconds=1)
        run = run_simulate(simulate_command(stage, running.settings_file, root / "sipp"), root,
                           lambda process: inject_mid_run(name, load, running, engine, recovery, process))
        print_run(run, running.serving.root / "hotline.log")
        ok = run.returncode in (0, 1) and recovery.window is not None  # 1: simulate's own check (see report)
        ok = report(name, stage, engine, since, recovery, root / "sipp") and ok
        engine.dispose()
    if ok:
        shutil.rmtree(root, ignore_errors=True)
    else:
        print(f"  (files kept in {root})")
    return ok


def report(name: str, stage: Stage, engine: Engine, since: datetime, recovery: Recovery, sipp_dir: Path) -> bool:
    """Prints the stage's fault figures; True when every planned call reconciled — a bill call put through to
    an agent because billing was down (with the database) counts, and is listed — every SIPp caller's call
    ended as planned, and every order was written once. (simulate's own verdict counts such a call as a
    mismatch, and its check of the day's report too.)"""
    plan = draw_plan(stage.plan_request())
    records = read_run(make_session_factory(engine), [c.caller_number for c in plan.calls], since, [])
    checked = reconcile(plan, records.contacts, records.recorded_linkedids, recording=stage.recording,
                        missed_recordings=records.missed_recordings, recording_faults=records.recording_faults)
    window = recovery.window
    rerouted, findings = served_otherwise(checked.findings, records.contacts, billing_down_calls(records.contacts),
                                          BILLING_DOWN_PROBLEMS)
    restarted: set[str] = set()
    if name == "failover" and window is not None:  # the killed node's IVR dialogues: the dialplan starts them again
        in_ivr = {f.caller_number for f in fates(plan, records.contacts, (), window) if f.phase == IN_IVR}
        restarted, findings = served_otherwise(findings, records.contacts, in_ivr, IVR_RESTART_PROBLEMS)
    checked = Reconciliation(checked.planned, checked.matched, tuple(findings))
    log = sipp_dir / "callers-actions.log"
    callers = caller_figures(len(plan.calls), milestones(log.read_text().splitlines() if log.exists() else []))
    for note in recovery.notes:
        print(f"  {note}")
    ok = not findings and checked.matched + len(rerouted) + len(restarted) == checked.planned and callers.failed == 0
    if window is not None:
        offered = scalar(engine, "SELECT min(at) FROM contact_event WHERE type = 'call.offered' AND at > :t",
                         t=window.restored)
        print(f"  outage window {window.seconds:.1f} s; routing resumed {_s(recovery.routing_resumed)}, first "
              f"contact event written {_s(recovery.first_write)}, first call offered "
              f"{_s((offered - window.restored).total_seconds() if offered else None)} after the service was back")
        touched = fates(plan, records.contacts, findings, window)
        print("  calls the fault touched (where they were when it began):")
        print("\n".join(summary_lines(touched)))
        shown = [f for f in touched if f.phase in (IN_IVR, DURING) or f.problems]
        print("\n".join(f"    {fate.line()}" for fate in shown[:60]))
    if recovery.desk is not None:
        ok = recovery.desk.check_written(engine, RECOVERY_TIMEOUT) and ok
    if rerouted:
        print(f"  bill calls put through to an agent because billing was down (answered, ended; no account "
              f"read): {len(rerouted)}: {', '.join(sorted(rerouted))}")
    if restarted:
        by_number = {str(c["caller_number"]): c for c in records.contacts}
        fallback = sorted(n for n in restarted if by_number[n].get("agent_id") is None)
        print(f"  calls in the killed node's IVR, served after all (ended): {len(restarted)}; the menu started "
              f"again on the standby (the simulated caller's keys spent, the menu's default took them to an "
              f"agent): {', '.join(sorted(restarted - set(fallback))) or 'none'}; answered through the fallback "
              f"queue (app_queue: a seat answered, the contact names no agent): {', '.join(fallback) or 'none'}")
    print(f"  SIPp callers: {callers.completed} of {callers.attempted} calls ended as planned, failed "
          f"{callers.failed}")
    _print_reconciliation(checked, len(rerouted), len(restarted))
    print(f"  stage {name}: {'PASS' if ok else 'FAIL'}", flush=True)
    return ok


def _print_reconciliation(checked: Reconciliation, rerouted: int, restarted: int) -> None:
    failed = len({f.caller_number for f in checked.findings})
    otherwise = [f"{rerouted} put through to an agent as billing was down"] if rerouted else []
    otherwise += [f"{restarted} in the killed node's IVR, served another way"] if restarted else []
    print(f"  calls planned {checked.planned}, reconciled {checked.matched + rerouted + restarted}"
          + (f" ({'; '.join(otherwise)})" if otherwise else "") + f", failed {failed}")
    by_number: dict[str, list[str]] = {}
    for finding in checked.findings:
        by_number.setdefault(finding.caller_number, []).append(f"{finding.problem}: {finding.detail}")
    for number, problems in list(by_number.items())[:30]:
        print(f"    {number} " + "; ".join(problems))


def _s(seconds: float | None) -> str:
    return "never" if seconds is None else f"{seconds:.1f} s"


def main(arguments: list[str]) -> int:
    load = SMOKE if "--smoke" in arguments else FULL
    names = [a for a in arguments if a != "--smoke"]
    ok = True
    for name in names or list(STAGES):
        if name not in STAGES:
            print(f"unknown stage {name}: {', '.join(STAGES)} (and --smoke for the integration test's size)")
            return 2
        ok = run_stage(name, load) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
