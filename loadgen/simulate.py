"""``qingquan simulate``: a load run against a running hotline, on real SIP. The plan is drawn first
(:mod:`loadgen.plan`); the seats are registered and answered by one SIPp UAS; simulated agents work the
console (and, for a cold snap, more agents join on the emergency seats when the supervisor throws the
emergency switch mid-run); one SIPp UAC places the planned calls through the IP-identified trunk; processes
are sampled throughout; afterwards the contacts are reconciled with the plan, call by call, and (on a fresh
database) the day's summary report with the plan's counts.

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
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from config.settings import Settings
from kernel.database import make_engine, make_session_factory
from kernel.errors import InvalidInput
from loadgen.plan import CallPlan, PlanRequest, draw_plan
from loadgen.procstats import ProcessFigures, ProcessSampler, listening_pid
from loadgen.reconcile import (
    Finding,
    Reconciliation,
    offer_latencies,
    peak_concurrency,
    reconcile,
    report_agreement,
)
from loadgen.records import ended_contacts, read_run, unsettled_recordings
from loadgen.sipp_log import CallerFigures, caller_figures, milestones
from loadgen.sipp_process import SippRun, free_udp_port, stop_process
from loadgen.staff import Staff

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SimulationOptions:
    request: PlanRequest
    agents: int
    patience_seconds: float = 600.0  # a caller not hung up on by then hangs up (an abandon: a failure)
    wrapup_mean_seconds: float = 2.0  # agents end wrap-up from the console after about this long
    consoles: int = 0  # supervisors' consoles (websockets) watching the run: state-push latency
    emergency_after_seconds: float | None = None  # the supervisor throws the emergency switch then
    emergency_agents: int = 0  # who then log in on the emergency seats
    check_report: bool = False  # the day's summary report must count exactly the plan (a fresh database)
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
    report_findings: tuple[Finding, ...] = ()
    report_checked: bool = False
    emergency_switched_seconds: float | None = None  # into the run, when the switch was thrown
    emergency_agents: int = 0
    emergency_offers: int = 0  # offers the emergency agents took

    @property
    def peak_concurrency(self) -> int:
        return peak_concurrency(self.callers.spans)


def check_options(settings: Settings, options: SimulationOptions) -> tuple[list[tuple[str, str]], list[str]]:
    """The seats to register (name, password) and, of them, those the emergency agents take; raises InvalidInput
    for a run this hotline cannot carry."""
    options.request.check()
    if settings.environment == "production":
        raise InvalidInput("simulate is refused with production settings: it adds agents and places calls")
    if "127.0.0.1" not in settings.asterisk.trunk_match:
        raise InvalidInput("simulate calls from 127.0.0.1: add it to asterisk.trunk_match")
    everyday = [(s.name, s.password) for s in settings.asterisk.seats if not s.emergency]
    emergency = [(s.name, s.password) for s in settings.asterisk.seats if s.emergency]
    if not 1 <= options.agents <= len(everyday):
        raise InvalidInput(f"agents must be 1 to {len(everyday)} (the hotline's everyday seats)")
    if not 0 <= options.emergency_agents <= len(emergency):
        raise InvalidInput(f"emergency agents must be 0 to {len(emergency)} (the hotline's emergency seats)")
    if options.emergency_agents and options.emergency_after_seconds is None:
        raise InvalidInput("emergency agents join when the emergency switch is thrown: give its time")
    if options.emergency_after_seconds is not None and options.emergency_after_seconds < 0:
        raise InvalidInput("the emergency switch time must be 0 or more seconds into the run")
    if options.patience_seconds <= 0:
        raise InvalidInput("patience must be above 0 seconds")
    if not 0 <= options.consoles <= 1000:
        raise InvalidInput("consoles must be 0 to 1000")
    extra = emergency[:options.emergency_agents]
    return everyday[:options.agents] + extra, [name for name, _ in extra]


def simulate(settings: Settings, options: SimulationOptions) -> SimulationResult:
    seats, emergency_seats = check_options(settings, options)
    plan = draw_plan(options.request)
    directory = options.directory or Path(tempfile.mkdtemp(prefix="qq-sim-"))
    factory = make_session_factory(make_engine(settings.effective_database_url))
    started_at = datetime.now(UTC)
    sipp = SippRun(directory=directory, asterisk=f"{settings.asterisk.sip_host}:{settings.asterisk.sip_port}",
                   hotline_number=settings.asterisk.hotline_numbers[0], seat_port=free_udp_port(),
                   caller_port=free_udp_port(), seat_media_port=free_udp_port(4),
                   caller_media_port=free_udp_port(4))
    sipp.write(plan, seats, options.patience_seconds)
    staff = Staff(f"http://{settings.http.host}:{settings.http.port}", factory,
                  everyday=[name for name, _ in seats if name not in emergency_seats], emergency=emergency_seats,
                  seed=options.request.seed, wrapup_mean_seconds=options.wrapup_mean_seconds,
                  consoles=options.consoles, now=started_at)
    sampler = ProcessSampler({**_hotline_processes(settings), "simulate": os.getpid()})
    sipp.register(len(seats))
    seat_phones = sipp.start_seats()
    sampler.add("sipp seats", seat_phones.pid)
    callers = None
    clock = time.monotonic()
    try:
        staff.start()
        sampler.start()
        clock = time.monotonic()
        callers = sipp.start_callers(len(plan.calls), plan.last_arrival_seconds + options.patience_seconds + 120)
        sampler.add("sipp callers", callers.pid)
        if options.emergency_after_seconds is not None:
            staff.switch_emergency_after(options.emergency_after_seconds)
        callers.wait()
        _wait_written(factory, plan, started_at, options.settle_seconds, recording=settings.recordings.enabled)
    finally:
        seconds = time.monotonic() - clock
        processes = sampler.stop()
        if callers is not None:
            stop_process(callers)
        staff.stop()
        stop_process(seat_phones)
        try:
            sipp.register(len(seats), unregister=True)
        except RuntimeError as exc:
            log.warning("%s", exc)
    try:
        return _result(settings, options, plan, sipp, staff, factory, started_at, seconds, processes, clock)
    finally:
        staff.close()


def _result(settings: Settings, options: SimulationOptions, plan: CallPlan, sipp: SippRun, staff: Staff,
            factory: sessionmaker[Session], started_at: datetime, seconds: float,
            processes: dict[str, ProcessFigures], clock: float) -> SimulationResult:
    agents, watchers = staff.agents, staff.watchers
    numbers = [call.caller_number for call in plan.calls]
    records = read_run(factory, numbers, started_at - timedelta(seconds=1),
                       [a.agent_id for a in agents if a.agent_id is not None])
    report_findings: tuple[Finding, ...] = ()
    if options.check_report:
        day = datetime.now(ZoneInfo(settings.timezone)).date()
        report_findings = tuple(report_agreement(plan, staff.summary(day)))
    switched = staff.emergency_switched_at
    return SimulationResult(
        plan=plan, started_at=started_at, seconds=seconds,
        callers=caller_figures(len(plan.calls), milestones(sipp.action_lines("callers"))),
        reconciliation=reconcile(plan, records.contacts, records.recorded_linkedids,
                                 recording=settings.recordings.enabled,
                                 missed_recordings=records.missed_recordings,
                                 recording_faults=records.recording_faults),
        offer_latency_seconds=offer_latencies(records.offers, records.contacts, records.ready_changes),
        processes=processes, agent_offers=sum(a.counts.offers for a in agents),
        agent_missed=sum(a.counts.missed for a in agents),
        wrapups_ended=sum(a.counts.wrapups_ended for a in agents),
        agent_problems=[f"{a.username}: {e}" for a in agents for e in a.counts.errors] + staff.problems
        + (watchers.errors[:10] if watchers else []),
        consoles=options.consoles, console_latency_seconds=watchers.latencies if watchers else [],
        sipp_errors=sipp.error_lines("callers") + sipp.error_lines("seats"), directory=sipp.directory,
        report_findings=report_findings, report_checked=options.check_report,
        emergency_switched_seconds=None if switched is None else switched - clock,
        emergency_agents=options.emergency_agents, emergency_offers=staff.emergency_offers)


def _hotline_processes(settings: Settings) -> dict[str, int]:
    found = {"app": listening_pid(settings.http.port), "asterisk": listening_pid(settings.asterisk.ami_port)}
    if settings.redis_url:
        found["redis"] = listening_pid(urlparse(settings.redis_url).port or 6379)
    return {name: pid for name, pid in found.items() if pid is not None}


def _wait_written(factory: sessionmaker[Session], plan: CallPlan, since: datetime, timeout: float, *,
                  recording: bool) -> None:
    """Until every planned call's contact has ended and every answered one's recording is settled (or
    ``timeout``; recordings only when ``recording`` is on): the app writes them from events."""
    numbers = [call.caller_number for call in plan.calls]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (ended_contacts(factory, numbers, since - timedelta(seconds=1)) >= len(numbers)
                and (not recording or unsettled_recordings(factory, numbers, since - timedelta(seconds=1)) == 0)):
            return
        time.sleep(0.5)
