"""CPU and memory of the processes of a load run (Asterisk, the app, Redis, SIPp), sampled from /proc while it
runs: CPU as a percentage of one core over each sampling interval, resident memory (VmRSS). A process is found
by the TCP port it listens on (the app's HTTP port, Asterisk's AMI port, Redis's port), or given by pid."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK")


def listening_pid(port: int) -> int | None:
    """The process with a TCP socket listening on ``port`` (any address), or None."""
    inodes = set()
    for table in ("net/tcp", "net/tcp6"):
        try:
            lines = (PROC / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{parts[9]}]")
    if not inodes:
        return None
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) in inodes:
                    return int(entry.name)
        except OSError:
            continue
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of ``pid`` so far, or None if it is gone."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the command name may hold spaces and parentheses
    return (int(fields[11]) + int(fields[12])) / _TICKS


def rss_bytes(pid: int) -> int | None:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


@dataclass
class ProcessFigures:
    name: str
    pid: int
    cpu_percent: list[float] = field(default_factory=list)  # per interval, % of one core
    rss: list[int] = field(default_factory=list)

    @property
    def cpu_mean(self) -> float:
        return sum(self.cpu_percent) / len(self.cpu_percent) if self.cpu_percent else 0.0

    @property
    def cpu_max(self) -> float:
        return max(self.cpu_percent, default=0.0)

    @property
    def rss_max(self) -> int:
        return max(self.rss, default=0)


class ProcessSampler:
    """Samples named processes every ``interval`` seconds on a thread, from :meth:`start` to :meth:`stop`."""

    def __init__(self, processes: dict[str, int], interval: float = 1.0) -> None:
        self.figures = {name: ProcessFigures(name, pid) for name, pid in processes.items()}
        self._interval = interval
        self._stop = threading.Event()
        self._lock = threading.Lock()  # a process may be added while the thread samples
        self._thread = threading.Thread(target=self._run, name="process-sampler", daemon=True)

    def add(self, name: str, pid: int) -> None:
        with self._lock:
            self.figures[name] = ProcessFigures(name, pid)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> dict[str, ProcessFigures]:
        self._stop.set()
        self._thread.join(timeout=5)
        return self.figures

    def _run(self) -> None:
        last: dict[str, tuple[float, float]] = {}
        while not self._stop.is_set():
            now = time.monotonic()
            with self._lock:
                watched = list(self.figures.items())
            for name, figures in watched:
                cpu = cpu_seconds(figures.pid)
                if cpu is None:
                    continue
                if name in last:
                    then, cpu_then = last[name]
                    figures.cpu_percent.append(100 * (cpu - cpu_then) / max(now - then, 1e-6))
                last[name] = (now, cpu)
                rss = rss_bytes(figures.pid)
                if rss is not None:
                    figures.rss.append(rss)
            self._stop.wait(self._interval)
