"""Fixtures for tests on real parts: a running hotline (real Asterisk, FastAGI, AMI, SQL, HTTP) and real
SIP phones (baresip) as callers and agent seats."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.baresip import BaresipPhone, free_port, free_sip_port
from tests.support.hotline import RunningHotline, start_hotline

pytestmark = pytest.mark.integration

if shutil.which("asterisk") is None or shutil.which("baresip") is None:
    pytest.skip("Asterisk and baresip are required: run `make setup`", allow_module_level=True)


def tone(path: Path, frequency: int, seconds: int = 60) -> Path:
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(path), "synth", str(seconds),
                    "sine", str(frequency), "vol", "0.5"], check=True)
    return path


@pytest.fixture
def hotline(tmp_path: Path) -> Iterator[RunningHotline]:
    running = start_hotline(tmp_path / "hotline")
    yield running
    running.stop()


@pytest.fixture
def hotline_with(tmp_path: Path) -> Iterator[Callable[..., RunningHotline]]:
    """Starts a hotline with settings overrides (see ``start_hotline``); stopped after the test."""
    started: list[RunningHotline] = []

    def make(**overrides: Any) -> RunningHotline:
        running = start_hotline(tmp_path / f"hotline-{len(started)}", **overrides)
        started.append(running)
        return running

    yield make
    for running in started:
        running.stop()


@pytest.fixture
def phones(tmp_path: Path) -> Iterator[Callable[..., BaresipPhone]]:
    started: list[BaresipPhone] = []

    def make(user: str, *, hotline: RunningHotline | None = None, seat: str | None = None,
             frequency: int | None = None, answer: bool | None = None, sip_port: int | None = None,
             source_wav: Path | None = None) -> BaresipPhone:
        """A seat phone (``seat``: registers, answers unless ``answer=False``) or a customer's phone (answers
        only with ``answer=True``), on ``sip_port`` when given (e.g. where the trunk sends callbacks)."""
        workdir = tmp_path / f"phone-{user}-{len(started)}"
        workdir.mkdir(parents=True)
        source = source_wav or (tone(workdir / "mic.wav", frequency) if frequency else None)
        phone = BaresipPhone(
            workdir=workdir, sip_port=sip_port or free_sip_port(), ctrl_port=free_port(), user=seat or user,
            registrar_port=hotline.sip_port if (hotline and seat) else None,
            password=hotline.seats[seat] if (hotline and seat) else None,
            auto_answer=answer if answer is not None else seat is not None, source_wav=source)
        phone.start(attempts=1 if sip_port else 3)
        started.append(phone)
        return phone

    yield make
    for phone in started:
        phone.stop()
