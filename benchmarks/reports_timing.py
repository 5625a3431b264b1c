"""Timing of the reports page's pieces for ``benchmarks/reports_dashboard.py``: prints figures, asserts nothing.

Each measured piece is a named callable taking a session; a piece whose module cannot be imported yet (the
metrics, agent report and abandon curve are written on other branches) is listed as "not available". The
export runs in a fresh interpreter (``python -m benchmarks.reports_timing export …``) so that its peak RSS is
its own. The slowest SQL statement of the dashboard is shown with EXPLAIN (ANALYZE, BUFFERS)."""

from __future__ import annotations

import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from contacts.models import Contact
from reports.report_tallies import refresh

TZ = "Asia/Shanghai"
Piece = Callable[[Session], object]


def pieces(start: datetime, end: datetime, now: datetime) -> dict[str, tuple[Piece | str, bool]]:
    """The pieces for the month ``[start, end)``: (the piece, or why it is not available; whether the reports
    page loads it). The page loads the dashboard (total, days and hours in one reading), the agent report,
    the abandon curve and the last day's agent timeline; the others are timed for comparison."""
    found: dict[str, tuple[Piece | str, bool]] = {}

    def add(name: str, module: str, make: Callable[[Any], Piece], page: bool) -> None:
        try:
            found[name] = (make(importlib.import_module(module)), page)
        except ImportError as exc:
            found[name] = (f"not available ({exc.name or module} not importable)", page)

    def metrics(by: str, group: str) -> Callable[[Any], Piece]:
        return lambda m: lambda s: m.metrics(s, start, end, by=by, group=group, tz=TZ, now=now)

    add("dashboard: total, days, hours (metrics_by)", "reports.metrics_query",
        lambda m: lambda s: m.metrics_by(s, start, end, bys=("total", "day", "hour"), tz=TZ, now=now), True)
    add("agent report (reports.agents)", "reports.agents", lambda m: lambda s: m.agent_report(s, start, end, now=now),
        True)
    add("abandon curve (reports.abandon_curve)", "reports.abandon_curve",
        lambda m: lambda s: m.abandon_curve(s, start, end), True)
    add("agent timeline, last day", "reports.agent_timeline",
        lambda m: lambda s: m.timeline(s, end - timedelta(days=1), end, now=now), True)
    add("(summary, reports.summary.summarize)", "reports.summary", lambda m: lambda s: m.summarize(s, start, end),
        False)
    for label, by, group in (("(metrics by=day alone)", "day", "none"), ("(metrics by=hour alone)", "hour", "none"),
                             ("(metrics group=queue)", "total", "queue"),
                             ("(metrics group=agent)", "total", "agent")):
        add(label, "reports.metrics_query", metrics(by, group), False)
    return found


class StatementClock:
    """Records every SQL statement's duration while attached to an engine (to find the slowest one)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.slowest: tuple[float, str, Any, str] = (0.0, "", None, "")
        self.piece = ""
        self.running: tuple[str, Any] = ("", None)
        self.timed_out: tuple[str, Any, str] | None = None
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, _many: bool) -> None:
        conn.info["qq_started"] = time.perf_counter()
        self.running = (_statement, _params)

    def _after(self, conn: Any, _cursor: Any, statement: str, params: Any, _context: Any, _many: bool) -> None:
        took = time.perf_counter() - conn.info.pop("qq_started", time.perf_counter())
        if took > self.slowest[0]:
            self.slowest = (took, statement, params, self.piece)


def timed(factory: sessionmaker[Session], piece: Piece, runs: int, timeout: float) -> list[float] | None:
    """Seconds of each run after a warm-up one; None when a statement ran past ``timeout`` seconds."""
    seconds = []
    for _ in range(runs + 1):  # the first run warms the caches and is not counted
        with factory() as session:
            session.execute(text(f"SET statement_timeout = {int(timeout * 1000)}"))
            began = time.perf_counter()
            try:
                piece(session)
            except OperationalError as exc:
                if "statement timeout" not in str(exc):
                    raise
                return None
            seconds.append(time.perf_counter() - began)
    return seconds[1:]


def concurrent(factory: sessionmaker[Session], page: dict[str, Piece], runs: int, timeout: float) -> list[float]:
    """Wall seconds of each run of all the page's pieces at once, each in its own thread and session, as the
    browser asks for them (one request each, all at once) and the app's thread pool serves them."""
    def one(piece: Piece) -> None:
        with factory() as session:
            session.execute(text(f"SET statement_timeout = {int(timeout * 1000)}"))
            piece(session)

    walls = []
    with ThreadPoolExecutor(max_workers=len(page)) as pool:
        for _ in range(runs + 1):  # the first run warms up and is not counted
            began = time.perf_counter()
            for future in [pool.submit(one, piece) for piece in page.values()]:
                future.result()
            walls.append(time.perf_counter() - began)
    return walls[1:]


def month_of_data(factory: sessionmaker[Session]) -> tuple[datetime, datetime, int]:
    """The last complete local month stored: its bounds, and the number of contacts stored."""
    with factory() as session:
        latest, count = session.execute(select(func.max(Contact.arrived_at), func.count(Contact.id))).one()
    if latest is None:
        sys.exit("no contacts stored")
    zone = ZoneInfo(TZ)
    last_day = latest.astimezone(zone).date()
    if (last_day + timedelta(days=1)).month == last_day.month:  # not the month's last day: the month before
        last_day = last_day.replace(day=1) - timedelta(days=1)
    first = last_day.replace(day=1)
    return (datetime(first.year, first.month, 1, tzinfo=zone).astimezone(UTC),
            datetime(last_day.year, last_day.month, last_day.day, tzinfo=zone).astimezone(UTC) + timedelta(days=1),
            int(count))


def run_all(engine: Engine, factory: sessionmaker[Session], runs: int, timeout: float) -> None:
    start, end, contacts = month_of_data(factory)
    now = end + timedelta(days=1)  # the manager reads last month on the next month's first day
    began = time.perf_counter()
    hours = refresh(factory, now)  # the app's hourly refresh as of then: what it has not filled yet
    print(f"report tallies as of {now:%Y-%m-%d %H:%M} UTC: {hours:,} hours filled in "
          f"{time.perf_counter() - began:,.1f} s")
    with engine.begin() as connection:
        began = time.perf_counter()
        connection.execute(text("ANALYZE"))
        analyzed = time.perf_counter() - began
    with factory() as session:
        sizes = {table: session.scalar(text(f"SELECT count(*) FROM {table}")) for table in
                 ("contact", "agent_state_change", "trunk_occupancy", "work_order", "callback")}
        database_bytes = session.scalar(text("SELECT pg_database_size(current_database())"))
        version = session.scalar(text("SHOW server_version"))
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, PostgreSQL {version}; "
          f"load average {os.getloadavg()[0]:.1f} (shared machine)")
    print(f"data: {contacts:,} contacts; " + ", ".join(f"{t} {n:,}" for t, n in sizes.items() if t != "contact")
          + f"; database {database_bytes / 2**30:.2f} GiB; ANALYZE {analyzed:.1f} s")
    zone = ZoneInfo(TZ)
    print(f"month: {start.astimezone(zone):%Y-%m} ({TZ}); {runs} timed runs after one warm-up, each in a new session")
    clock = StatementClock(engine)
    total = 0.0
    print(f"{'piece':<44} {'median ms':>10} {'p95 ms':>10}")
    found = pieces(start, end, now)
    for name, (piece, page) in found.items():
        if isinstance(piece, str):
            print(f"{name:<44} {piece}")
            continue
        clock.piece = name
        seconds = timed(factory, piece, runs, timeout)
        if seconds is None:
            clock.timed_out = (*clock.running, name)
            print(f"{name:<44} {'> ' + format(timeout * 1000, ',.0f'):>10}   a statement ran past the timeout")
            continue
        median = statistics.median(seconds)
        total += median if page else 0.0
        print(f"{name:<44} {median * 1000:>10.1f} {percentile(seconds, 0.95) * 1000:>10.1f}")
    print(f"{'reports page: sum of its pieces':<44} {total * 1000:>10.1f}   one after the other")
    on_page_pieces = {name: piece for name, (piece, on_page) in found.items() if on_page and not isinstance(piece, str)}
    walls = concurrent(factory, on_page_pieces, runs, timeout)
    print(f"{'reports page: its pieces at once (as loaded)':<44} {statistics.median(walls) * 1000:>10.1f} "
          f"{percentile(walls, 0.95) * 1000:>10.1f}   goal < 300 ms")
    export_year(engine, end)
    explain(engine, clock)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def export_year(engine: Engine, end: datetime) -> None:
    start = end - timedelta(days=365)
    url = engine.url.render_as_string(hide_password=False)
    for fmt in ("csv", "xlsx"):
        done = subprocess.run([sys.executable, "-m", "benchmarks.reports_timing", "export", url,
                               start.isoformat(), end.isoformat(), fmt], capture_output=True, text=True)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["?"])[-1]
            print(f"export {fmt}: not available ({last})")
            continue
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"export {fmt} of 365 days to {end:%Y-%m-%d}: {figures['rows']:,} rows, "
              f"{figures['bytes'] / 2**20:,.1f} MiB "
              f"in {figures['seconds']:.1f} s ({figures['rows'] / figures['seconds']:,.0f} rows/s), "
              f"peak RSS {figures['peak_rss_kib'] / 1024:,.0f} MiB")


def export_child(url: str, start: datetime, end: datetime, fmt: str) -> None:
    """Runs in a fresh interpreter: streams the call export of ``[start, end)`` to nowhere, prints figures."""
    from kernel.database import make_engine, make_session_factory
    from reports.call_export import CALL_COLUMNS, call_rows
    from reports.export import csv_chunks, xlsx_chunks

    factory = make_session_factory(make_engine(url))
    rows = 0

    def counted() -> Any:
        nonlocal rows
        for row in call_rows(factory, start, end, agent_names={}):
            rows += 1
            yield row

    began = time.perf_counter()
    chunks = csv_chunks(CALL_COLUMNS, counted(), tz=ZoneInfo(TZ)) if fmt == "csv" else \
        xlsx_chunks(CALL_COLUMNS, counted(), tz=ZoneInfo(TZ), sheet="calls")
    size = sum(len(chunk) for chunk in chunks)
    print(json.dumps({"rows": rows, "bytes": size, "seconds": time.perf_counter() - began,
                      "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def explain(engine: Engine, clock: StatementClock) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest statement that finished, and the plain EXPLAIN of one that ran
    past the timeout (running it again would take as long)."""
    took, statement, params, piece = clock.slowest
    if statement:
        print(f"\nslowest statement: {took * 1000:.1f} ms in {piece}; EXPLAIN (ANALYZE, BUFFERS):")
        show_plan(engine, "EXPLAIN (ANALYZE, BUFFERS) ", statement, params)
    if clock.timed_out is not None:
        statement, params, piece = clock.timed_out
        print(f"\nstatement that ran past the timeout in {piece}; EXPLAIN (not run):")
        show_plan(engine, "EXPLAIN ", statement, params)


def show_plan(engine: Engine, prefix: str, statement: str, params: Any) -> None:
    with engine.connect() as connection:
        plan = connection.exec_driver_sql(prefix + statement, params).scalars().all()
    print("\n".join(f"  {line}" for line in plan))


if __name__ == "__main__" and sys.argv[1:2] == ["export"]:
    _url, _start, _end, _fmt = sys.argv[2:6]
    export_child(_url, datetime.fromisoformat(_start), datetime.fromisoformat(_end), _fmt)
