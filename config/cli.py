"""The ``qingquan`` command: run the hotline, import billing data, generate prompts, add users."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from config.secrets import MIN_LENGTH, weakness
from config.settings import Settings, load_settings

log = logging.getLogger("qingquan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="qingquan", description="Qingquan (清泉) utility hotline")
    parser.add_argument("--settings", type=Path, help="TOML settings file (else QINGQUAN_SETTINGS_FILE)")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="start the hotline")
    run.add_argument("--demo", action="store_true", help="seed demo agents and accounts; print how to call")
    imp = commands.add_parser("import-accounts", help="load billing data from a CSV file")
    imp.add_argument("file", type=Path)
    gen = commands.add_parser("generate-prompts", help="write missing placeholder prompts (espeak-ng)")
    gen.add_argument("--force", action="store_true", help="overwrite existing prompts too")
    hist = commands.add_parser("generate-history", help="write realistic past calls (demos, benchmarks)")
    hist.add_argument("--years", type=int, default=1)
    hist.add_argument("--yearly", type=int, default=530_000, help="calls a year (default: Kunming's 96106)")
    hist.add_argument("--until", type=date.fromisoformat, default=None, help="the last day (default: yesterday)")
    hist.add_argument("--seed", type=int, default=96106)
    tallies = commands.add_parser("refresh-report-tallies", help="fill the reports' per-hour tallies of the "
                                  "settled hours (after importing or generating history)")
    tallies.add_argument("--rebuild", action="store_true", help="recompute the hours already filled too")
    check = commands.add_parser("check-menu", help="check an IVR menu file (YAML) against these settings")
    check.add_argument("file", type=Path, nargs="?", help="the menu file (default: ivr.menu_file)")
    user = commands.add_parser("create-user", help="add a console user")
    user.add_argument("username")
    user.add_argument("--role", default="agent", choices=["agent", "supervisor", "manager", "admin"])
    user.add_argument("--name", default="")
    user.add_argument("--password", required=True)
    user.add_argument("--skills", default="", help="skill levels for skills routing, e.g. billing=4,repair=2")
    user.add_argument("--queues", default="", help="queues the agent serves, e.g. general,billing (default all)")
    user.add_argument("--team", default="", help="the agent's team, or the team a supervisor oversees (a "
                      "supervisor hears its agents' recordings; without a team, every agent's)")
    leave = commands.add_parser("deactivate-user", help="a user who left: no more log-in; their open work "
                                "orders are listed as unowned for a supervisor to reassign")
    leave.add_argument("username")
    leave.add_argument("--reactivate", action="store_true", help="let the user log in again")
    _add_simulate(commands)
    args = parser.parse_args(argv)

    try:
        settings = load_settings(args.settings)
    except ValueError as exc:
        print(f"qingquan: invalid settings: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "run":
        return asyncio.run(_run(settings, demo=args.demo))
    if args.command == "import-accounts":
        return _import_accounts(settings, args.file)
    if args.command == "generate-prompts":
        return _generate_prompts(settings, force=args.force)
    if args.command == "generate-history":
        return _generate_history(settings, args.years, args.yearly, args.until, args.seed)
    if args.command == "refresh-report-tallies":
        return _refresh_report_tallies(settings, rebuild=args.rebuild)
    if args.command == "check-menu":
        return _check_menu(settings, args.file)
    if args.command == "deactivate-user":
        return _set_active(settings, args.username, args.reactivate)
    if args.command == "simulate":
        return _simulate(settings, args)
    return _create_user(settings, args.username, args.role, args.name or args.username, args.password,
                        skills=args.skills, queues=args.queues, team=args.team)


async def _run(settings: Settings, *, demo: bool) -> int:
    from config.composition import Hotline
    from config.demo import demo_instructions, seed_demo

    if demo and settings.environment == "production":
        log.error("--demo is refused with production settings")
        return 2
    hotline = Hotline(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await hotline.start()
        if demo:
            await asyncio.to_thread(seed_demo, hotline.factory, datetime.now(UTC))
            sys.stdout.write(demo_instructions(settings) + "\n")
            sys.stdout.flush()
        await stop.wait()
    except Exception:
        log.exception("Qingquan failed")
        return 1
    finally:
        await hotline.stop()
    return 0


def _import_accounts(settings: Settings, path: Path) -> int:
    from billing.importer import format_import_report, import_accounts
    from kernel.database import make_engine, make_session_factory, upgrade_schema
    from kernel.errors import InvalidInput

    engine = make_engine(settings.effective_database_url)
    upgrade_schema(engine)
    try:
        result = import_accounts(make_session_factory(engine), path, now=datetime.now(UTC))
    except InvalidInput as exc:
        sys.stderr.write(f"qingquan import-accounts: {exc.message}\n")
        return 2
    sys.stdout.write(format_import_report(result) + "\n")
    return 1 if result.errors and not (result.inserted or result.updated) else 0


def _generate_prompts(settings: Settings, *, force: bool) -> int:
    from ivr.prompts import generate_hold_music, generate_prompts

    written = generate_prompts(settings.ivr.prompt_dir, force=force)
    generate_hold_music(settings.ivr.hold_music_dir, force=force)
    sys.stdout.write(f"{len(written)} prompts written to {settings.ivr.prompt_dir}\n")
    return 0


def _refresh_report_tallies(settings: Settings, *, rebuild: bool) -> int:
    from kernel.database import make_engine, make_session_factory, upgrade_schema
    from reports.report_tallies import refresh

    engine = make_engine(settings.effective_database_url)
    upgrade_schema(engine)
    started = time.monotonic()

    def shown(through: datetime, hours: int) -> None:
        sys.stderr.write(f"\rfilled {hours:>8,} hours, through {through:%Y-%m-%d %H:%M} UTC")
        sys.stderr.flush()

    hours = refresh(make_session_factory(engine), datetime.now(UTC), rebuild=rebuild, progress=shown)
    print(f"\n{hours:,} settled hours filled in {time.monotonic() - started:,.1f} s")
    return 0


def _generate_history(settings: Settings, years: int, yearly: int, until: date | None, seed: int) -> int:
    from kernel.database import make_engine, make_session_factory, upgrade_schema
    from reports.history import expected_total, generate
    from reports.history_store import write_history

    if years < 1 or yearly < 1:
        sys.stderr.write("qingquan generate-history: --years and --yearly must be at least 1\n")
        return 2
    engine = make_engine(settings.effective_database_url)
    upgrade_schema(engine)
    last = until or (datetime.now(UTC).date() - timedelta(days=1))
    total = expected_total(years, yearly)
    started = time.monotonic()

    def bar(done: int) -> None:
        share = min(1.0, done / total)
        rate = done / max(time.monotonic() - started, 1e-9)
        sys.stderr.write(f"\r[{'#' * int(share * 40):<40}] {done:>10,} calls  {rate:,.0f}/s")
        sys.stderr.flush()

    rows = generate(last, years, yearly, seed, settings.timezone, trunk_lines=settings.asterisk.trunk_lines)
    written = write_history(make_session_factory(engine), rows, progress=bar)
    elapsed = max(time.monotonic() - started, 1e-9)
    sys.stderr.write("\n")
    every = sum(written.values())
    sys.stdout.write(f"{written['contact']} calls written, {years} year(s) up to {last}: {every:,} rows in "
                     f"{elapsed:,.0f} s ({every / elapsed:,.0f} rows/s; "
                     + ", ".join(f"{table} {count:,}" for table, count in written.items()) + ")\n")
    return 0


def _check_menu(settings: Settings, path: Path | None) -> int:
    from config.menu import menu_builder
    from ivr.menu_source import read_menu_document
    from ivr.menu_tree import MenuInvalid

    path = path or settings.ivr.menu_file
    try:
        tree = menu_builder(settings)(read_menu_document(path))
    except MenuInvalid as exc:
        sys.stderr.write(f"qingquan check-menu: {path or 'the default menu'} has {len(exc.problems)} problem(s):\n")
        sys.stderr.write("".join(f"  - {problem}\n" for problem in exc.problems))
        return 2
    missing = sorted(name for name in tree.prompt_names()
                     if not (settings.ivr.prompt_dir / f"{name}.wav").exists())
    sys.stdout.write(f"{path or 'the default menu'}: {len(tree.nodes)} nodes, start {tree.start!r}: valid\n")
    if missing:
        sys.stdout.write(f"prompts not yet in {settings.ivr.prompt_dir}: {', '.join(missing)}\n")
    return 0


def _create_user(settings: Settings, username: str, role: str, name: str, password: str, *, skills: str = "",
                 queues: str = "", team: str = "") -> int:
    from agent_console.users import create_user, parse_queues, parse_skills
    from kernel.database import make_engine, make_session_factory, transaction, upgrade_schema
    from kernel.errors import QingquanError

    weak = weakness(password, MIN_LENGTH["user"]) if settings.environment == "production" else None
    if weak is not None:
        sys.stderr.write(f"qingquan create-user: production refuses a password that is {weak}\n")
        return 2
    engine = make_engine(settings.effective_database_url)
    upgrade_schema(engine)
    try:
        with transaction(make_session_factory(engine)) as session:
            create_user(session, username=username, password=password, role=role, display_name=name,
                        now=datetime.now(UTC), skills=parse_skills(skills), queues=parse_queues(queues),
                        team=team or None)
    except QingquanError as exc:
        sys.stderr.write(f"qingquan create-user: {exc.message}\n")
        return 2
    sys.stdout.write(f"user {username} ({role}{', team ' + team if team else ''}) created\n")
    return 0


def _set_active(settings: Settings, username: str, active: bool) -> int:
    from agent_console.users import set_active
    from kernel.database import make_engine, make_session_factory, transaction, upgrade_schema
    from kernel.errors import QingquanError

    engine = make_engine(settings.effective_database_url)
    upgrade_schema(engine)
    try:
        with transaction(make_session_factory(engine)) as session:
            set_active(session, username, active)
    except QingquanError as exc:
        sys.stderr.write(f"qingquan deactivate-user: {exc.message}\n")
        return 2
    sys.stdout.write(f"user {username} {'reactivated' if active else 'deactivated'}\n")
    return 0


def _add_simulate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sim = commands.add_parser("simulate", help="load test: real SIP calls through the trunk, IVR and ACD, "
                              "answered by simulated agents on SIPp seat phones (the hotline must be running "
                              "with the same settings)")
    sim.add_argument("--calls", type=int, default=20, help="calls to place")
    sim.add_argument("--rate", type=float, default=1.0, help="mean arrivals a second")
    sim.add_argument("--agents", type=int, default=4, help="simulated agents, one everyday seat each")
    sim.add_argument("--talk", type=float, default=20.0, help="mean talk time, seconds (exponential)")
    sim.add_argument("--talk-min", type=float, default=3.0, help="shortest talk time, seconds")
    sim.add_argument("--wrapup", type=float, default=2.0, help="mean time agents take to end wrap-up, seconds")
    sim.add_argument("--patience", type=float, default=600.0, help="a caller still waiting hangs up after this")
    sim.add_argument("--mix", default="agent=5,repair=2,bill=3", help="IVR paths and their weights")
    sim.add_argument("--even", action="store_true", help="evenly spaced arrivals (default: Poisson)")
    sim.add_argument("--consoles", type=int, default=0, help="supervisors' consoles (websockets) watching: "
                     "latency of agent state pushes")
    sim.add_argument("--emergency-after", type=float, default=None, help="seconds into the run when the "
                     "supervisor throws the emergency switch (a cold snap)")
    sim.add_argument("--emergency-agents", type=int, default=0, help="agents who then join on emergency seats")
    sim.add_argument("--check-report", action="store_true", help="the day's summary report must count exactly "
                     "this run's calls (a hotline with a fresh database)")
    sim.add_argument("--seed", type=int, default=96106)
    sim.add_argument("--run-tag", type=int, default=1, help="0-99: callers are numbered 139<tag><index>")
    sim.add_argument("--dir", type=Path, default=None, help="where SIPp's files go (default: a temporary dir)")


def _simulate(settings: Settings, args: argparse.Namespace) -> int:
    from kernel.errors import InvalidInput
    from loadgen.plan import PlanRequest
    from loadgen.report import format_report
    from loadgen.simulate import SimulationOptions, simulate

    try:
        mix = {kind.strip(): float(weight) for kind, _, weight in
               (part.partition("=") for part in args.mix.split(",") if part.strip())}
    except ValueError:
        sys.stderr.write("qingquan simulate: --mix is kind=weight,... e.g. agent=5,repair=2,bill=3\n")
        return 2
    request = PlanRequest(calls=args.calls, rate=args.rate, seed=args.seed, talk_mean_seconds=args.talk,
                          talk_min_seconds=args.talk_min, poisson=not args.even, mix=mix, run_tag=args.run_tag)
    options = SimulationOptions(request=request, agents=args.agents, patience_seconds=args.patience,
                                wrapup_mean_seconds=args.wrapup, directory=args.dir, consoles=args.consoles,
                                emergency_after_seconds=args.emergency_after,
                                emergency_agents=args.emergency_agents, check_report=args.check_report)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per agent request would drown the figures
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped: still stop SIPp and log the agents out
    try:
        result = simulate(settings, options)
    except InvalidInput as exc:
        sys.stderr.write(f"qingquan simulate: {exc.message}\n")
        return 2
    sys.stdout.write(format_report(result) + "\n")
    clean = result.reconciliation.clean and not result.report_findings
    return 0 if clean and result.callers.failed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
