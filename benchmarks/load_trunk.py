"""The full trunk group under load, on real parts: ``qingquan simulate`` against a hotline (real Asterisk, the
app, SQLite) with 50 everyday seats, recording on and the post-call survey on.

Stages (each on a fresh hotline, so every process's figures and every contact belong to that stage):
- ``small``: 10 calls, 4 agents, 10 consoles; must reconcile clean (the rig works) — the benchmark stops
  otherwise.
- ``120``: 120 calls arriving within about 15 s through the IVR (Poisson), each staying long enough (talk
  20-160 s, bill self-service about 50 s in the IVR) that all 120 trunk lines are taken at once; 50 agents;
  200 supervisors' consoles on websockets, each receiving every agent's state change (the push latency).
- ``240``: the same with 240 calls and 240 trunk lines.
- ``coldsnap``: a cold-snap day compressed: 3,000 calls at 3 a second (17 minutes; 9 in 10 want an agent,
  talk 2-6 s and more) on 16 everyday seats, which answer under 2 a second: the queue builds; 60 s in, the
  supervisor throws the emergency switch and 34 agents join on the emergency seats (50 in all), and the queue
  drains. 300 trunk lines, no survey. Not in the default run (ask for it).
- ``coldsnap4`` and ``coldsnap6``: the same at 4 a second (switch at 90 s) and 6 a second (switch at 45 s),
  more than this 2-core machine carries with its load generator on it (see the README).
Every stage checks the day's summary report against the plan's counts too (each hotline's database is new).

Prints each stage's command and ``simulate``'s figures; exits non-zero when a stage did not reconcile.
Usage: .venv/bin/python -m benchmarks.load_trunk [small|120|240|coldsnap|coldsnap4|coldsnap6 ...]
(default: small 120 240)
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from benchmarks.load_stage import Stage, hotline_settings, print_run, run_simulate, simulate_command
from tests.support.hotline import start_hotline

STAGES = {
    "small": Stage("small", calls=10, rate=2.0, agents=4, talk=8.0, talk_min=3.0, consoles=10),
    "120": Stage("120", calls=120, rate=8.0, agents=50, talk=40.0, talk_min=20.0, consoles=200),
    "240": Stage("240", calls=240, rate=16.0, agents=50, talk=40.0, talk_min=20.0, trunk_lines=240, consoles=200),
    "coldsnap": Stage("coldsnap", calls=3000, rate=3.0, agents=16, talk=6.0, talk_min=2.0, trunk_lines=300,
                      consoles=20, everyday_seats=16, survey=False, mix="agent=7,repair=2,bill=1",
                      extra=("--emergency-after", "60", "--emergency-agents", "34", "--wrapup", "1")),
}
for _name, _rate, _switch in (("coldsnap4", 4.0, "90"), ("coldsnap6", 6.0, "45")):
    STAGES[_name] = replace(STAGES["coldsnap"], name=_name, rate=_rate,
                            extra=("--emergency-after", _switch, "--emergency-agents", "34", "--wrapup", "1"))


def run_stage(stage: Stage) -> bool:
    root = Path(tempfile.mkdtemp(prefix=f"qq-load-{stage.name}-"))
    hotline = start_hotline(root / "hotline", **hotline_settings(stage))
    print(f"\n== stage {stage.name}: {stage.calls} calls, {stage.agents} agents, {stage.trunk_lines} trunk lines")
    try:
        run = run_simulate(simulate_command(stage, hotline.root / "settings.toml", root / "sipp"), root)
    finally:
        hotline.stop()
    print_run(run, hotline.root / "hotline.log")
    if run.returncode == 0:
        shutil.rmtree(root / "sipp", ignore_errors=True)  # keep the files of a failed stage to read
    return run.returncode == 0


def main(names: list[str]) -> int:
    ok = True
    for name in names or ["small", "120", "240"]:
        passed = run_stage(STAGES[name])
        ok = ok and passed
        if name == "small" and not passed:
            print("the small run did not reconcile: the rig is broken, no load stages")
            return 1
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
