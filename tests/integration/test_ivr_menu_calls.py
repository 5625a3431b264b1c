"""The configured IVR menu on real calls: a menu file of the operator's own (short timeouts, fewer tries), bad
input ending at an agent, a complete bill self-service ending in goodbye (also with the account number keyed in
one burst), a menu key over the welcome taken at once, a saved change reaching the next call (and a broken save
refused), and 同城同号: a company's caller hears that company's recording and reaches its queue."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy

from ivr.prompts import generate_prompts
from tests.integration.test_call_path import (
    contact_of,
    dial_hotline,
    dominant_frequency,
    ended_contact,
    received_audio,
)
from tests.support.baresip import BaresipPhone
from tests.support.hotline import SHARED_PROMPTS, RunningHotline, wait_for

pytestmark = pytest.mark.integration

MENU = """
start: main
nodes:
  main:
    type: menu
    prompts: [welcome, main-menu]
    reprompt: [main-menu]
    options: {"1": bill, "0": agent, "5": closed}
    tries: 2
    timeout_seconds: 2
    default: agent
  bill:
    type: bill
    prompts: [enter-account]
    options: {"0": agent}
    tries: 2
    after_tries: 1
    timeout_seconds: 2
    default: agent
    unavailable: agent
    finished: goodbye
  agent: {type: queue, prompts: [transfer-agent]}
  closed: {type: message, prompts: [goodbye]}
  goodbye: {type: hangup, prompts: [goodbye]}
"""
COMPANY_TONE = 1200


def menu_hotline(start: Callable[..., RunningHotline], root: Path, text: str = MENU, **overrides: Any
                 ) -> tuple[RunningHotline, Path]:
    root.mkdir(parents=True, exist_ok=True)
    menu = root / "menu.yaml"
    menu.write_text(text, encoding="utf-8")
    ivr = {"menu_file": str(menu), **overrides.pop("ivr", {})}
    return start(ivr=ivr, **overrides), menu


def path_when(hotline: RunningHotline, token: str, number: str, done: Callable[[dict[str, Any]], bool],
              timeout: float = 30) -> dict[str, Any]:
    return wait_for(lambda: (lambda c: c if c and done(c) else None)(contact_of(hotline, token, number)),
                    timeout=timeout, what=f"the call from {number} to get on")


def test_stray_star_and_silence_end_at_an_agent(hotline_with: Callable[..., RunningHotline],
                                                phones: Callable[..., BaresipPhone], tmp_path: Path) -> None:
    hotline, _ = menu_hotline(hotline_with, tmp_path / "menu")
    token = hotline.login("manager1")
    caller = phones("13900000011")
    dial_hotline(caller, hotline)
    time.sleep(1.0)
    caller.send_dtmf("*")  # not an option; then nothing at all: the second try ends at the safe default
    contact = path_when(hotline, token, caller.user, lambda c: bool(c["queued_at"]))
    assert contact["ivr_path"] == "main>invalid>no_input>agent>queue"
    caller.hangup()
    assert ended_contact(hotline, token, caller.user)["outcome"] == "abandoned"


@pytest.mark.parametrize("gap", [0.25, 0.0], ids=["key_by_key", "in_one_burst"])
def test_bill_self_service_ends_with_goodbye_and_counts_as_self_service(
        hotline_with: Callable[..., RunningHotline], phones: Callable[..., BaresipPhone], tmp_path: Path,
        gap: float) -> None:
    """In one burst the keys come back to back over the account prompt: Asterisk buffers them all (Read), none
    is lost while the app is busy with the one before."""
    hotline, _ = menu_hotline(hotline_with, tmp_path / "menu")
    token = hotline.login("manager1")
    caller = phones("13800000001")
    dial_hotline(caller, hotline)
    time.sleep(1.0)
    caller.send_dtmf("1")
    time.sleep(1.5)
    caller.send_dtmf("10001234#", gap)  # the demo account; then the caller listens and says nothing more
    caller.wait_event("CALL_CLOSED", timeout=60)  # the IVR says goodbye and hangs up
    contact = ended_contact(hotline, token, caller.user)
    assert contact["ivr_path"] == "main>bill>account>heard>no_input>goodbye"
    assert (contact["outcome"], contact["account_number"], contact["queued_at"]) == ("self_service", "10001234",
                                                                                     None)


def test_a_key_over_the_welcome_interrupts_it_and_is_the_menu_choice(
        hotline_with: Callable[..., RunningHotline], phones: Callable[..., BaresipPhone], tmp_path: Path) -> None:
    hotline, _ = menu_hotline(hotline_with, tmp_path / "menu")
    token = hotline.login("manager1")
    caller = phones("13900000012")
    dial_hotline(caller, hotline)
    time.sleep(1.0)  # inside the welcome (about 4 s, the menu's own prompt after it)
    caller.send_dtmf("0")
    contact = path_when(hotline, token, caller.user, lambda c: bool(c["queued_at"]))
    assert contact["ivr_path"] == "main>agent>queue"  # taken at the first asking: no silence, no wrong key
    caller.hangup()


def test_a_saved_menu_reaches_the_next_call_and_a_broken_one_is_refused(
        hotline_with: Callable[..., RunningHotline], phones: Callable[..., BaresipPhone], tmp_path: Path) -> None:
    hotline, menu = menu_hotline(hotline_with, tmp_path / "menu")
    token = hotline.login("manager1")

    first = phones("13900000021")
    dial_hotline(first, hotline)
    time.sleep(1.0)
    first.send_dtmf("5")  # 5: a message, then the IVR hangs up
    first.wait_event("CALL_CLOSED", timeout=20)
    assert ended_contact(hotline, token, first.user)["ivr_path"] == "main>closed"

    menu.write_text(MENU.replace('"5": closed', '"5": agent'), encoding="utf-8")  # saved while running
    second = phones("13900000022")
    dial_hotline(second, hotline)
    time.sleep(1.0)
    second.send_dtmf("5")
    assert path_when(hotline, token, second.user, lambda c: bool(c["queued_at"]))["ivr_path"] == "main>agent>queue"
    second.hangup()
    assert "reloaded" in hotline.log_text()

    menu.write_text(MENU.replace("default: agent", "default: nowhere", 1), encoding="utf-8")
    third = phones("13900000023")
    dial_hotline(third, hotline)
    time.sleep(1.0)
    third.send_dtmf("5")  # the broken save was refused: still the menu of the second call
    assert path_when(hotline, token, third.user, lambda c: bool(c["queued_at"]))["ivr_path"] == "main>agent>queue"
    third.hangup()
    assert "'nowhere' is not a node" in hotline.log_text()


def test_a_companys_caller_hears_its_recording_and_reaches_its_queue(
        hotline_with: Callable[..., RunningHotline], phones: Callable[..., BaresipPhone], tmp_path: Path) -> None:
    prompts = linked_prompts(tmp_path / "prompts")
    (prompts / "east").mkdir()
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(prompts / "east" / "welcome.wav"),
                    "synth", "6", "sine", str(COMPANY_TONE), "vol", "0.5"], check=True)
    hotline, _ = menu_hotline(
        hotline_with, tmp_path / "menu", ivr={"prompt_dir": str(prompts)},
        acd={"queues": [{"name": "general"}, {"name": "east_general"}]},
        companies=[{"code": "east", "name": "东区水务", "queues": {"general": "east_general"}}])
    set_company(hotline, "10001234", "east")  # the demo account whose phone is 13800000001
    token = hotline.login("manager1")

    listener = phones("13800000001")
    dial_hotline(listener, hotline)
    time.sleep(3.0)  # inside east's own welcome (a 6 s tone here)
    listener.hangup()
    listener.wait_event("CALL_CLOSED", timeout=10)
    assert abs(dominant_frequency(received_audio(listener)) - COMPANY_TONE) < 15
    assert ended_contact(hotline, token, listener.user)["company"] == "east"

    caller = phones("13800000001")
    dial_hotline(caller, hotline)
    time.sleep(1.0)
    caller.send_dtmf("0")
    contact = path_when(hotline, token, caller.user, lambda c: bool(c["queued_at"]))
    assert (contact["queue"], contact["company"]) == ("east_general", "east")
    caller.hangup()


def linked_prompts(directory: Path) -> Path:
    """A prompt directory of the test's own: the shared test prompts, linked; the test adds its own files."""
    shared = SHARED_PROMPTS / "prompts"
    generate_prompts(shared)
    directory.mkdir(parents=True)
    for prompt in shared.glob("*.wav"):
        (directory / prompt.name).symlink_to(prompt)
    return directory


def set_company(hotline: RunningHotline, account_number: str, company: str) -> None:
    url = hotline.database_url or f"sqlite:///{hotline.root / 'var' / 'qingquan.db'}"
    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text("UPDATE account SET company = :c WHERE account_number = :a"),
                               {"c": company, "a": account_number})
    finally:
        engine.dispose()
