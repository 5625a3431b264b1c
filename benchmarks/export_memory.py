"""How fast the CSV and XLSX writers stream a year of calls, and that their memory stays flat as rows grow.

Generates N synthetic call rows (default 530,000, a year of a 96106-sized hotline) with the call export's
columns, lazily, and drains each writer's chunks (counting bytes, keeping none). Each run happens in a fresh
child process so peak RSS (ru_maxrss) is that run's own; it prints wall and CPU time (the CPU figure is the one
to compare on a shared machine), rows per CPU second, output size, and the peak RSS growth over the process's
baseline for N/10 and N rows: flat memory means the two growths are about equal.

    .venv/bin/python -m benchmarks.export_memory [--rows 530000]

With ``--database URL --from DAY --to DAY`` it exports the calls of that period from a real database instead
(fill one with ``qingquan generate-history``): the rows come from :func:`reports.call_export.call_rows` in
batches on a server-side cursor, as the download does, and it prints the same figures for N/10 of the
period's days and for all of them.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kernel.database import make_engine, make_session_factory
from reports.call_export import CALL_COLUMNS, call_rows
from reports.export import csv_chunks, xlsx_chunks
from reports.summary import range_bounds

START = datetime(2025, 1, 1, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")


def synthetic_calls(count: int) -> Iterator[dict[str, Any]]:
    """Call rows shaped like the export's, every ~60 s, with text, numbers, dates and empty cells."""
    for i in range(count):
        arrived = START + timedelta(seconds=60 * i)
        answered = i % 5 != 0
        yield {
            "linkedid": f"{1735689600 + 60 * i}.{i % 997}", "direction": "inbound",
            "caller_number": f"138{i % 100_000_000:08d}", "dialed_number": "96106",
            "account_number": f"1000{i % 10000:04d}" if i % 3 else None, "company": "kunming",
            "ivr_path": "main>bill>agent>queue", "queue": "general", "arrived_at": arrived,
            "ivr_left_at": arrived + timedelta(seconds=20), "queued_at": arrived + timedelta(seconds=21),
            "offered_at": arrived + timedelta(seconds=30) if answered else None,
            "answered_at": arrived + timedelta(seconds=35) if answered else None,
            "ended_at": arrived + timedelta(seconds=200), "wait_seconds": 14.0 if answered else 179.0,
            "talk_seconds": 165.0 if answered else None, "outcome": "answered" if answered else "abandoned",
            "abandon_stage": None if answered else "queue", "short_abandon": False,
            "agent_id": i % 15 + 1 if answered else None, "agent_name": f"坐席{i % 15 + 1}" if answered else None,
            "offer_count": 1, "transfer_count": 0, "transferred_to_agent_id": None,
            "satisfaction": i % 5 + 1 if i % 4 == 0 else None, "work_order_id": None,
        }


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def database_calls(url: str, first: date, last: date) -> Iterator[dict[str, Any]]:
    start, end = range_bounds(first, last, "Asia/Shanghai")
    engine = make_engine(url)
    try:
        yield from call_rows(make_session_factory(engine), start, end)
    finally:
        engine.dispose()


def _run(fmt: str, source: tuple[Any, ...], out: Any) -> None:
    baseline = _peak_kib()
    pulled = 0

    def counted(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        nonlocal pulled
        for row in rows:
            pulled += 1
            yield row

    rows = counted(synthetic_calls(source[0]) if len(source) == 1 else database_calls(*source))
    chunks = (csv_chunks(CALL_COLUMNS, rows, tz=TZ) if fmt == "csv"
              else xlsx_chunks(CALL_COLUMNS, rows, sheet="通话明细 calls", tz=TZ))
    began, cpu_began = time.perf_counter(), time.process_time()
    size = count = biggest = 0
    for chunk in chunks:
        size += len(chunk)
        count += 1
        biggest = max(biggest, len(chunk))
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    out.send((pulled, elapsed, cpu, size, count, biggest, _peak_kib() - baseline))


def measure(fmt: str, source: tuple[Any, ...]) -> tuple[int, float, float, int, int, int, int]:
    """Runs one export in a fresh child process (its own peak RSS) and returns its figures."""
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("fork").Process(target=_run, args=(fmt, source, child))
    process.start()
    result: tuple[int, float, float, int, int, int, int] = parent.recv()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=530_000, help="synthetic rows (without --database)")
    parser.add_argument("--database", help="export from this database instead, e.g. postgresql://…")
    parser.add_argument("--from", dest="first", type=date.fromisoformat, help="first local day (with --database)")
    parser.add_argument("--to", dest="last", type=date.fromisoformat, help="last local day (with --database)")
    args = parser.parse_args()
    if args.database:
        if args.first is None or args.last is None:
            parser.error("--database needs --from and --to")
        tenth = args.first + (args.last - args.first) / 10
        sources: list[tuple[Any, ...]] = [(args.database, args.first, tenth), (args.database, args.first, args.last)]
        print(f"calls exported from {args.database.split('@')[-1]}")
    else:
        sources = [(args.rows // 10,), (args.rows,)]
        print("synthetic call rows")
    print(f"{'format':6} {'rows':>9} {'wall s':>7} {'CPU s':>6} {'rows/CPU s':>10} {'MB out':>7} {'chunks':>7} "
          f"{'max chunk KB':>12} {'peak RSS growth MB':>18}", flush=True)
    for fmt in ("csv", "xlsx"):
        for source in sources:
            rows, elapsed, cpu, size, count, biggest, grown = measure(fmt, source)
            print(f"{fmt:6} {rows:>9,} {elapsed:>7.1f} {cpu:>6.1f} {rows / cpu:>10,.0f} {size / 1e6:>7.1f} "
                  f"{count:>7,} {biggest / 1024:>12.0f} {grown / 1024:>18.1f}", flush=True)


if __name__ == "__main__":
    main()
