"""How fast the CSV and XLSX writers stream a year of calls, and that their memory stays flat as rows grow.

Generates N synthetic call rows (default 530,000, a year of a 96106-sized hotline) with the call export's
columns, lazily, and drains each writer's chunks (counting bytes, keeping none). Each run happens in a fresh
child process so peak RSS (ru_maxrss) is that run's own; it prints wall and CPU time (the CPU figure is the one
to compare on a shared machine), rows per CPU second, output size, and the peak RSS growth over the process's
baseline for N/10 and N rows: flat memory means the two growths are about equal.

    .venv/bin/python -m benchmarks.export_memory [--rows 530000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from reports.call_export import CALL_COLUMNS
from reports.export import csv_chunks, xlsx_chunks

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


def _run(fmt: str, rows: int, out: Any) -> None:
    baseline = _peak_kib()
    chunks = (csv_chunks(CALL_COLUMNS, synthetic_calls(rows), tz=TZ) if fmt == "csv"
              else xlsx_chunks(CALL_COLUMNS, synthetic_calls(rows), sheet="通话明细 calls", tz=TZ))
    began, cpu_began = time.perf_counter(), time.process_time()
    size = count = biggest = 0
    for chunk in chunks:
        size += len(chunk)
        count += 1
        biggest = max(biggest, len(chunk))
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    out.send((elapsed, cpu, size, count, biggest, _peak_kib() - baseline))


def measure(fmt: str, rows: int) -> tuple[float, float, int, int, int, int]:
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("fork").Process(target=_run, args=(fmt, rows, child))
    process.start()
    result: tuple[float, float, int, int, int, int] = parent.recv()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=530_000)
    args = parser.parse_args()
    print(f"{'format':6} {'rows':>9} {'wall s':>7} {'CPU s':>6} {'rows/CPU s':>10} {'MB out':>7} {'chunks':>7} "
          f"{'max chunk KB':>12} {'peak RSS growth MB':>18}", flush=True)
    for fmt in ("csv", "xlsx"):
        for rows in (args.rows // 10, args.rows):
            elapsed, cpu, size, count, biggest, grown = measure(fmt, rows)
            print(f"{fmt:6} {rows:>9,} {elapsed:>7.1f} {cpu:>6.1f} {rows / cpu:>10,.0f} {size / 1e6:>7.1f} "
                  f"{count:>7,} {biggest / 1024:>12.0f} {grown / 1024:>18.1f}", flush=True)


if __name__ == "__main__":
    main()
