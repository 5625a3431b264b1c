"""The app's periodic jobs: a failing round is logged and the next one runs; stop cancels the job."""

from __future__ import annotations

import asyncio
import logging

import pytest

from kernel.periodic import PeriodicJob


async def test_a_failed_round_is_logged_and_the_next_one_runs(caplog: pytest.LogCaptureFixture) -> None:
    rounds: list[int] = []

    def work() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise OSError("the disk is away")

    job = PeriodicJob("test job", work, 0.01, logging.getLogger("test.periodic"))
    job.start()
    for _ in range(500):
        if len(rounds) >= 3:
            break
        await asyncio.sleep(0.01)
    await job.stop()
    assert len(rounds) >= 3
    assert "test job failed" in caplog.text and "the disk is away" in caplog.text
    done = len(rounds)
    await asyncio.sleep(0.05)
    assert len(rounds) == done  # stopped: no more rounds
    await job.stop()  # stopping twice is harmless
