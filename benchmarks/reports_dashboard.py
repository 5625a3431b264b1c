"""The reports page over 10 years of 96106-sized history (5.3 M contacts) on PostgreSQL: how long the monthly
dashboard and a year's call-detail export take. Prints figures; asserts nothing (goal: dashboard < 300 ms).

The database: ``--database-url``, or a private cluster in ``var/bench-pg`` (tests.support.postgres, Debian's
binaries) with a database ``qq_bench``. It is filled by the history generator (``reports.history``) for
``--years`` × ``--yearly`` calls up to ``--until``, unless a marker row says that exact history is complete;
an interrupted fill resumes where it stopped (the stored rows are a prefix of the deterministic stream).
Then ANALYZE, and each named piece of the dashboard is run ``--runs`` times (median and p95): the month's
summary, the metrics by day, by hour, per queue and per agent, the agent report and the abandon curve. A piece
whose module is not importable yet is reported "not available". The export of the last stored year is then
streamed to /dev/null as CSV and XLSX (rows/s, seconds, peak RSS), and EXPLAIN ANALYZE shows the slowest
query's plan. With less than the full history stored, the month and year are the last ones stored.

Usage: .venv/bin/python -m benchmarks.reports_dashboard [--years 10] [--yearly 530000] [--runs 7] [--timeout 60]
       [--database-url URL] [--generate-only | --as-is] [--keep-running]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from kernel.database import make_engine, make_session_factory, upgrade_schema
from reports.history import expected_total, generate
from reports.history_store import stored_counts, write_history

ROOT = Path(__file__).resolve().parent.parent
DATADIR = ROOT / "var" / "bench-pg"
DATABASE = "qq_bench"
UNTIL = date(2026, 10, 31)
SEED = 96106


@contextmanager
def database(url: str | None, datadir: Path, keep_running: bool) -> Iterator[Engine]:
    """The benchmark's engine: on ``url``, or on the private cluster (started here, stopped afterwards)."""
    if url:
        engine = make_engine(url)
        yield engine
        engine.dispose()
        return
    from tests.support.postgres import PostgresCluster

    cluster = PostgresCluster(datadir, settings={"shared_buffers": "1GB", "work_mem": "64MB",
                                                 "maintenance_work_mem": "512MB", "max_wal_size": "8GB",
                                                 "checkpoint_timeout": "30min", "jit": "off"})
    cluster.start()
    try:
        if not cluster.database_exists(DATABASE):
            cluster.create_database(DATABASE)
        engine = make_engine(cluster.url(DATABASE))
        yield engine
        engine.dispose()
    finally:
        if not keep_running:
            cluster.stop()


def marker(years: int, yearly: int) -> str:
    return f"{years} years x {yearly} calls/year up to {UNTIL}, seed {SEED}"


def fill(engine: Engine, factory: sessionmaker[Session], years: int, yearly: int) -> None:
    """Generates the history unless its marker row is there; resumes a fill that was interrupted."""
    upgrade_schema(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS bench_marker (history text PRIMARY KEY)"))
        done = connection.execute(text("SELECT history FROM bench_marker")).scalars().all()
    if marker(years, yearly) in done:
        print(f"history present: {marker(years, yearly)}")
        return
    if done:
        sys.exit(f"the database holds another history ({done[0]}): use another --database-url or datadir")
    skip = stored_counts(factory)
    total = expected_total(years, yearly)
    print(f"generating {marker(years, yearly)}; resuming after {skip['contact']:,} calls" if skip["contact"]
          else f"generating {marker(years, yearly)}", flush=True)
    started = time.monotonic()
    last = [started]

    def progress(done: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 30 or done >= total:
            last[0] = now
            rate = done / max(now - started, 1e-9)
            print(f"  {skip['contact'] + done:>10,} calls stored ({done:,} this run, {rate:,.0f} calls/s)",
                  flush=True)

    written = write_history(factory, generate(UNTIL, years, yearly, SEED), progress=progress, skip=skip)
    elapsed = time.monotonic() - started
    rows = sum(written.values())
    print(f"generated {rows:,} rows in {elapsed:,.0f} s ({rows / elapsed:,.0f} rows/s): "
          + ", ".join(f"{table} {count:,}" for table, count in written.items()), flush=True)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO bench_marker (history) VALUES (:h)"), {"h": marker(years, yearly)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--yearly", type=int, default=530_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a piece's statement may run")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--datadir", type=Path, default=DATADIR)
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--as-is", action="store_true",
                        help="time the history stored so far (an unfinished fill) without generating more")
    parser.add_argument("--keep-running", action="store_true", help="leave the private cluster running")
    args = parser.parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # figures appear as they are measured
    with database(args.database_url or None, args.datadir, args.keep_running) as engine:
        factory = make_session_factory(engine)
        upgrade_schema(engine)  # an older stored history gets the newer tables (stored tallies) too
        if not args.as_is:
            fill(engine, factory, args.years, args.yearly)
        if args.generate_only:
            return 0
        from benchmarks.reports_timing import run_all

        run_all(engine, factory, args.runs, args.timeout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
