"""What the load benchmarks share (``load_trunk``, ``load_faults``): a stage (how many calls, how fast, how many
agents and seats), the hotline settings it needs, the ``qingquan simulate`` command that runs it, and running
that command beside the benchmark's own work (a fault injected mid-run), its output kept in files."""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loadgen.plan import PlanRequest
from tests.support.hotline import REPO, seat_entry

SEATS = 50
FIRST_SEAT = 1001
RUN_TAG = 1  # callers are numbered 13901NNNNNN
SEED = 96106
MIX = "agent=5,repair=2,bill=3"


@dataclass(frozen=True)
class Stage:
    name: str
    calls: int
    rate: float
    agents: int
    talk: float
    talk_min: float
    trunk_lines: int = 120
    consoles: int = 0
    everyday_seats: int = 50  # the rest of the 50 seats are emergency seats
    extra: tuple[str, ...] = ()  # more simulate arguments
    survey: bool = True
    recording: bool = True
    wrapup_seconds: float = 30.0  # the ACD's own wrap-up clock (the agents end it from the console well before)
    mix: str = MIX  # IVR paths and their weights (a bill call stays about 50 s in the IVR)

    def plan_request(self) -> PlanRequest:
        """The plan ``simulate`` draws for this stage (same seed, tag and mix), for a benchmark's own checks."""
        mix = {kind: float(weight) for kind, _, weight in (part.partition("=") for part in self.mix.split(","))}
        return PlanRequest(calls=self.calls, rate=self.rate, seed=SEED, talk_mean_seconds=self.talk,
                           talk_min_seconds=self.talk_min, mix=mix, run_tag=RUN_TAG)


def hotline_settings(stage: Stage) -> dict[str, Any]:
    """Settings sections (``start_hotline`` overrides) for a hotline that carries ``stage``."""
    return {
        "asterisk": {"seats": [seat_entry(f"seat{n}", emergency=n >= FIRST_SEAT + stage.everyday_seats)
                               for n in range(FIRST_SEAT, FIRST_SEAT + SEATS)],
                     "trunk_lines": stage.trunk_lines, "rtp_start": 40000, "rtp_end": 41999},
        "acd": {"wrapup_seconds": stage.wrapup_seconds},
        "ivr": {"survey": stage.survey},
        "recordings": {"enabled": stage.recording},
    }


def simulate_command(stage: Stage, settings_file: Path, sipp_dir: Path) -> list[str]:
    return [sys.executable, "-m", "config.cli", "--settings", str(settings_file), "simulate",
            "--calls", str(stage.calls), "--rate", str(stage.rate), "--agents", str(stage.agents),
            "--talk", str(stage.talk), "--talk-min", str(stage.talk_min), "--patience", "400",
            "--consoles", str(stage.consoles), "--check-report", "--seed", str(SEED), "--run-tag", str(RUN_TAG),
            "--mix", stage.mix, *stage.extra, "--dir", str(sipp_dir)]


@dataclass(frozen=True)
class SimulateRun:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def run_simulate(command: list[str], output_dir: Path,
                 while_running: Callable[[subprocess.Popen[bytes]], None] | None = None) -> SimulateRun:
    """Runs ``simulate`` (its output into files in ``output_dir``, so a long run never blocks on a pipe);
    ``while_running`` is called with the process once it has started, and the run is awaited after it."""
    print("$ " + shlex.join(command), flush=True)
    output_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = output_dir / "simulate.out", output_dir / "simulate.err"
    started = time.monotonic()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        try:
            if while_running is not None:
                while_running(process)
            process.wait()
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait()
    return SimulateRun(process.returncode, out_path.read_text(errors="replace"),
                       err_path.read_text(errors="replace"), time.monotonic() - started)


def print_run(run: SimulateRun, log_path: Path) -> None:
    print(run.stdout, end="")
    if run.returncode not in (0, 1):
        print(run.stderr[-3000:])
    print(f"(simulate took {run.seconds:.0f} s; hotline log {log_path})", flush=True)
