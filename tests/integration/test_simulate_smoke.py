"""``qingquan simulate`` on a real hotline: a handful of SIPp calls through the trunk, the IVR and the ACD,
answered by simulated agents on SIPp seat phones, watched by three supervisors' consoles, and every contact
reconciled with the plan."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.hotline import REPO, RunningHotline

pytestmark = pytest.mark.integration

if shutil.which("sipp") is None:
    pytest.skip("SIPp is required: run `make setup`", allow_module_level=True)


def test_simulated_calls_are_recorded_as_planned(hotline_with: Callable[..., RunningHotline],
                                                   tmp_path: Path) -> None:
    rtp_start = 34000 + (os.getpid() % 50) * 40  # room for the calls' channels, apart from other hotlines'
    hotline = hotline_with(asterisk={"rtp_start": rtp_start, "rtp_end": rtp_start + 39}, ivr={"survey": False})
    result = subprocess.run(
        [sys.executable, "-m", "config.cli", "--settings", str(hotline.root / "settings.toml"), "simulate",
         "--calls", "5", "--rate", "5", "--agents", "2", "--talk", "1.5", "--talk-min", "1", "--wrapup", "0.2",
         "--mix", "agent=1,repair=1", "--patience", "40", "--seed", "5", "--consoles", "3",
         "--dir", str(tmp_path / "sipp")],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    report = result.stdout
    assert "reconciliation: 5/5 planned calls recorded as planned: clean" in report, report + result.stderr
    assert "calls attempted 5, INVITEs sent 5, set up 5, completed 5, failed 0" in report, report
    assert result.returncode == 0, report + result.stderr
    assert "agent state pushes to 3 supervisor consoles" in report, report
    rows = hotline.query("SELECT outcome, agent_id FROM contact WHERE caller_number LIKE '13901%'")
    assert len(rows) == 5 and all(r["outcome"] == "answered" and r["agent_id"] for r in rows)
