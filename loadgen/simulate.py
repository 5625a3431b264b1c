"""``qingquan simulate``: a load run against a running hotline, on real SIP. The plan is drawn first
(:mod:`loadgen.plan`); the seats are registered and answered by one SIPp UAS; simulated agents work the
console; one SIPp UAC places the planned calls through the IP-identified trunk; processes are sampled
throughout; afterwards the contacts are reconciled with the plan, call by call.

The hotline must be up (``qingquan run``) with the same settings file: the run reads the SIP, HTTP and AMI
ports, the seats and their passwords, and the database from it."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import httpx
from sqlalchemy.orm import Session, sessionmaker

from config.settings import Settings
from kernel.database import make_engine, make_session_factory
from kernel.errors import InvalidInput
from loadgen.agents import SimulatedAgent
from loadgen.consoles import ConsoleWatchers
from loadgen.plan import CallPlan, PlanRequest, draw_plan
from loadgen.procstats import ProcessFigures, ProcessSampler, listening_pid
from loadgen.reconcile import Reconciliation, offer_latencies, peak_concurrency, reconcile
from loadgen.records import SIM_PASSWORD, ended_contacts, ensure_agents, ensure_supervisor, read_run
from loadgen.sipp_log import CallerFigures, caller_figures, milestones
from loadgen.sipp_process import SippRun, free_udp_port, stop_process

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SimulationOptions:
    request: PlanRequest
    agents: int
    patience_seconds: float = 600.0  # a caller not hung up on by then hangs up (an abandon: a failure)
    wrapup_mean_seconds: float = 2.0  # agents end wrap-up from the console after about this long
    consoles: int = 0  # supervisors' consoles (websockets) watching the run: state-push latency
    settle_seconds: float = 30.0  # after the last caller: time for the last contacts to be written
    directory: Path | None = None  # SIPp's files; default: a new temporary directory


@dataclass
class SimulationResult:
    plan: CallPlan
    started_at: datetime
    seconds: float
    callers: CallerFigures
    reconciliation: Reconciliation
    offer_latency_seconds: list[float]
    processes: dict[str, ProcessFigures]
    agent_offers: int
    agent_missed: int
    wrapups_ended: int  # by the agents from the console (the rest ran out on the ACD's own clock)
    consoles: int = 0
    console_latency_seconds: list[float] = field(default_factory=list)
    agent_problems: list[str] = field(default_factory=list)
    sipp_errors: list[str] = field(default_factory=list)
    directory: Path = Path(".")

    @property
    def peak_concurrency(self) -> int:
        return peak_concurrency(self.callers.spans)


def check_options(settings: Settings, options: SimulationOptions) -> list[tuple[str, str]]:
    """The seats the agents take; raises InvalidInput for a run this hotline cannot carry."""
    options.request.check()
    if settings.environment == "production":
        raise InvalidInput("simulate is refused with production settings: it adds agents and places calls")
    if "127.0.0.1" not in settings.asterisk.trunk_match:
        raise InvalidInput("simulate calls from 127.0.0.1: add it to asterisk.trunk_match")
    seats = [(s.name, s.password) for s in settings.asterisk.seats if not s.emergency]
    if not 1 <= options.agents <= len(seats):
        raise InvalidInput(f"agents must be 1 to {len(seats)} (the hotline's everyday seats)")
    if options.patience_seconds <= 0:
        raise InvalidInput("patience must be above 0 seconds")
    if not 0 <= options.consoles <= 1000:
        raise InvalidInput("consoles must be 0 to 1000")
    return seats[:options.agents]


def simulate(settings: Settings, options: SimulationOptions) -> SimulationResult:
    seats = check_options(settings, options)
    plan = draw_plan(options.request)
    directory = options.directory or Path(tempfile.mkdtemp(prefix="qq-sim-"))
    factory = make_session_factory(make_engine(settings.effective_database_url))
    started_at = datetime.now(UTC)
    usernames = ensure_agents(factory, options.agents, started_at)
    sipp = SippRun(directory=directory, asterisk=f"{settings.asterisk.sip_host}:{settings.asterisk.sip_port}",
                   hotline_number=settings.asterisk.hotline_numbers[0], seat_port=free_udp_port(),
                   caller_port=free_udp_port(), seat_media_port=free_udp_port(4),
                   caller_media_port=free_udp_port(4))
    sipp.write(plan, seats, options.patience_seconds)
    base_url = f"http://{settings.http.host}:{settings.http.port}"
    sampler = ProcessSampler({**_hotline_processes(settings), "simulate": os.getpid()})
    agents = [SimulatedAgent(base_url, name, SIM_PASSWORD, seat, number=n, seed=options.request.seed,
                             wrapup_mean_seconds=options.wrapup_mean_seconds)
              for n, (name, (seat, _)) in enumerate(zip(usernames, seats, strict=True), start=1)]
    watchers = _console_watchers(factory, base_url, options.consoles, started_at)
    sipp.register(len(seats))
    seat_phones = sipp.start_seats()
    sampler.add("sipp seats", seat_phones.pid)
    callers = None
    clock = time.monotonic()
    try:
        _wait_registered(base_url, usernames[0], [seat for seat, _ in seats])
        for agent in agents:
            agent.start()
        if watchers is not None:
            watchers.start()
        sampler.start()
        clock = time.monotonic()
        callers = sipp.start_callers(len(plan.calls),
                                     plan.last_arrival_seconds + options.patience_seconds + 120)
        sampler.add("sipp callers", callers.pid)
        callers.wait()
        _wait_written(factory, plan, started_at, options.settle_seconds)
    finally:
        seconds = time.monotonic() - clock
        processes = sampler.stop()
        if callers is not None:
            stop_process(callers)
        for agent in agents:
            agent.stop()
        if watchers is not None:
            watchers.stop()
        stop_process(seat_phones)
        try:
            sipp.register(len(seats), unregister=True)
        except RuntimeError as exc:
            log.warning("%s", exc)
    numbers = [call.caller_number for call in plan.calls]
    since = started_at - timedelta(seconds=1)
    records = read_run(factory, numbers, since, [a.agent_id for a in agents if a.agent_id is not None])
    return SimulationResult(
        plan=plan, started_at=started_at, seconds=seconds,
        callers=caller_figures(len(plan.calls), milestones(sipp.action_lines("callers"))),
        reconciliation=reconcile(plan, records.contacts, records.recorded_linkedids,
                                 recording=settings.recordings.enabled),
        offer_latency_seconds=offer_latencies(records.offers, records.contacts, records.ready_changes),
        processes=processes, agent_offers=sum(a.counts.offers for a in agents),
        agent_missed=sum(a.counts.missed for a in agents),
        wrapups_ended=sum(a.counts.wrapups_ended for a in agents),
        agent_problems=[f"{a.username}: {e}" for a in agents for e in a.counts.errors]
        + (watchers.errors[:10] if watchers else []),
        consoles=options.consoles, console_latency_seconds=watchers.latencies if watchers else [],
        sipp_errors=sipp.error_lines("callers") + sipp.error_lines("seats"), directory=directory)


def _console_watchers(factory: sessionmaker[Session], base_url: str, count: int,
                      now: datetime) -> ConsoleWatchers | None:
    if count <= 0:
        return None
    username = ensure_supervisor(factory, now)
    login = httpx.post(f"{base_url}/api/auth/login", json={"username": username, "password": SIM_PASSWORD},
                       timeout=10)
    login.raise_for_status()
    return ConsoleWatchers(base_url.replace("http", "ws", 1) + f"/ws?token={login.json()['access_token']}", count)


def _hotline_processes(settings: Settings) -> dict[str, int]:
    found = {"app": listening_pid(settings.http.port), "asterisk": listening_pid(settings.asterisk.ami_port)}
    if settings.redis_url:
        found["redis"] = listening_pid(urlparse(settings.redis_url).port or 6379)
    return {name: pid for name, pid in found.items() if pid is not None}


def _wait_registered(base_url: str, username: str, seats: list[str], timeout: float = 20.0) -> None:
    """Until the ACD has seen every seat register (the agents may then be offered calls on them)."""
    token = httpx.post(f"{base_url}/api/auth/login", json={"username": username, "password": SIM_PASSWORD},
                       timeout=10).json()["access_token"]
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        while time.monotonic() < deadline:
            registered = {s["seat"] for s in client.get("/api/seats").json() if s["registered"]}
            if registered >= set(seats):
                return
            time.sleep(0.2)
    raise RuntimeError(f"seats not registered after {timeout} s: {sorted(set(seats) - registered)}")


def _wait_written(factory: sessionmaker[Session], plan: CallPlan, since: datetime, timeout: float) -> None:
    """Until every planned call's contact has ended (or ``timeout``): the app writes them from events."""
    numbers = [call.caller_number for call in plan.calls]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ended_contacts(factory, numbers, since - timedelta(seconds=1)) >= len(numbers):
            return
        time.sleep(0.5)
