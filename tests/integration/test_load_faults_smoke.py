"""The fault-under-load benchmark (benchmarks/load_faults.py) at smoke size, on real parts: 12 SIPp calls
(agent and repair paths) through the trunk, the IVR and the ACD on PostgreSQL and Redis, with Redis stopped
for 3 s once 4 calls have arrived. Every planned call must reconcile: the node gives routing up, takes it
again from the state it knew (Redis comes back empty), and the calls that arrived meanwhile are recorded."""

from __future__ import annotations

import shutil

import pytest

from benchmarks.load_faults import SMOKE, run_stage
from tests.support.postgres import MISSING, server_binaries

pytestmark = pytest.mark.integration

if shutil.which("sipp") is None or shutil.which("redis-server") is None:
    pytest.skip("SIPp and redis-server are required: run `make setup`", allow_module_level=True)
if server_binaries() is None:
    pytest.skip(MISSING, allow_module_level=True)


def test_every_call_reconciles_across_a_redis_restart(capsys: pytest.CaptureFixture[str]) -> None:
    passed = run_stage("redis", SMOKE)
    printed = capsys.readouterr().out
    assert passed, printed
    assert f"calls planned {SMOKE.stage.calls}, reconciled {SMOKE.stage.calls}, failed 0" in printed, printed
    assert "stage redis: PASS" in printed
