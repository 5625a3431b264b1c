"""listen(): DTMF always wins (over the prompts or the recording), otherwise the recording is decoded and
deleted; the AGI RECORD FILE command it sends; the speech settings; speech off without a model. Asterisk and
the recognizer are small in-memory fakes written for their ports (the real ones: tests/speech and
tests/integration/test_speech_audio.py)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from ivr.listen import listen
from ivr.speech import load_recognizer
from ivr.speech_words import Heard

HEARD = Heard(words=("一", "二"), text="一 二", confidence=0.9)
RECORD = re.compile(r'^RECORD FILE "(?P<base>[^"]+)" wav "0123456789\*#" (?P<ms>\d+) s=(?P<silence>\d+)$')


class HungUp(Exception):
    """The fake dialogue's CallerHungUp."""


@dataclass
class FakeAsterisk:
    """The AGI verbs listen() uses, as panoramisk and AgiDialogue give them. ``key_in_prompt``: the caller
    presses it during the prompts; ``record``: RECORD FILE's result as panoramisk parses it, after writing
    ``audio`` where Asterisk would (Asterisk 16 answers "result=<ms left> (timeout)" after silence or the time
    limit, "result=<key code> (dtmf)" after a key, "result=-1 (hangup)" or "(writefile)" on failure);
    ``alive``: whether the channel is still up (AgiDialogue.command raises CallerHungUp otherwise)."""

    key_in_prompt: str = ""
    record: dict[str, Any] = field(default_factory=lambda: {"status_code": 200, "result": ("3999", "timeout")})
    wait_code: str = "0"
    alive: bool = True
    audio: bytes = b"RIFF...WAVE"
    headers: Mapping[str, str] = field(default_factory=lambda: {"agi_uniqueid": "1700000000.42"})
    commands: list[str] = field(default_factory=list)
    played: list[tuple[tuple[str, ...], str]] = field(default_factory=list)

    def unique_id(self) -> str:
        return self.headers["agi_uniqueid"]

    async def raw(self, command: str) -> dict[str, Any]:
        self.commands.append(command)
        match = RECORD.match(command)
        assert match, command
        Path(match["base"] + ".wav").write_bytes(self.audio)
        return self.record

    async def play(self, prompts: tuple[str, ...], escape: str = "") -> str:
        self.played.append((prompts, escape))
        return self.key_in_prompt

    async def command(self, command: str) -> str:
        self.commands.append(command)
        if not self.alive:
            raise HungUp(command)
        if command.startswith("WAIT FOR DIGIT"):
            return self.wait_code
        return "6" if command == "CHANNEL STATUS" else "0"


@dataclass
class FakeRecognizer:
    heard: Heard = HEARD
    calls: list[tuple[Path, bytes, tuple[str, ...]]] = field(default_factory=list)

    async def recognize(self, wav: Path, grammar: Sequence[str]) -> Heard:
        self.calls.append((wav, wav.read_bytes(), tuple(grammar)))
        return self.heard


async def run(agi: FakeAsterisk, recognizer: FakeRecognizer, record_dir: Path) -> str | Heard:
    return await listen(agi, ("say-account",), record_dir=record_dir, max_seconds=6, silence_seconds=2,
                        grammar=("一", "二"), recognizer=recognizer)


async def test_a_key_during_the_prompts_is_returned_and_nothing_is_recorded(tmp_path: Path) -> None:
    agi, recognizer = FakeAsterisk(key_in_prompt="7"), FakeRecognizer()
    assert await run(agi, recognizer, tmp_path) == "7"
    assert agi.played == [(("say-account",), "0123456789*#")]
    assert agi.commands == [] and recognizer.calls == []


async def test_speech_is_recorded_decoded_and_the_recording_deleted(tmp_path: Path) -> None:
    agi, recognizer = FakeAsterisk(audio=b"the caller's audio"), FakeRecognizer()
    assert await run(agi, recognizer, tmp_path) == HEARD
    [command] = agi.commands
    match = RECORD.match(command)
    assert match is not None and (match["ms"], match["silence"]) == ("6000", "2")
    assert Path(match["base"]).parent == tmp_path
    assert Path(match["base"]).name.startswith("1700000000_42-")  # the call's uniqueid, no dot before .wav
    [(wav, audio, grammar)] = recognizer.calls
    assert (wav, audio, grammar) == (Path(match["base"] + ".wav"), b"the caller's audio", ("一", "二"))
    assert list(tmp_path.iterdir()) == []


async def test_a_key_during_the_recording_is_returned_and_the_recording_deleted(tmp_path: Path) -> None:
    agi = FakeAsterisk(record={"status_code": 200, "result": (str(ord("5")), "dtmf"), "endpos": ("800", "")})
    recognizer = FakeRecognizer()
    assert await run(agi, recognizer, tmp_path) == "5"
    assert recognizer.calls == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("left_ms", ["53", "35", "0"])
async def test_the_time_left_after_silence_is_not_a_key(tmp_path: Path, left_ms: str) -> None:
    """53 ms left would read as the key "5" if the result's "(timeout)" were ignored."""
    agi, recognizer = FakeAsterisk(record={"status_code": 200, "result": (left_ms, "timeout")}), FakeRecognizer()
    assert await run(agi, recognizer, tmp_path) == HEARD
    assert len(recognizer.calls) == 1


async def test_a_hang_up_while_recording_raises_the_dialogues_hang_up(tmp_path: Path) -> None:
    agi = FakeAsterisk(record={"error": "AGIResultHangup", "msg": "User hungup during execution"}, alive=False)
    recognizer = FakeRecognizer()
    with pytest.raises(HungUp):
        await run(agi, recognizer, tmp_path)
    assert recognizer.calls == [] and list(tmp_path.iterdir()) == []


async def test_a_recording_asterisk_could_not_write_is_heard_as_nothing(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "ivr.listen")
    agi = FakeAsterisk(record={"error": "AGIAppError", "msg": "Error executing application, or hangup"})
    recognizer = FakeRecognizer()
    assert await run(agi, recognizer, tmp_path) == Heard()
    assert agi.commands[-1] == "CHANNEL STATUS" and "failed" in caplog.text
    assert recognizer.calls == [] and list(tmp_path.iterdir()) == []


async def test_silence_is_heard_as_nothing(tmp_path: Path) -> None:
    result = await run(FakeAsterisk(audio=b""), FakeRecognizer(heard=Heard()), tmp_path)
    assert isinstance(result, Heard) and result.nothing


async def test_each_recording_has_its_own_name(tmp_path: Path) -> None:
    agi = FakeAsterisk()
    await run(agi, FakeRecognizer(), tmp_path)
    await run(agi, FakeRecognizer(), tmp_path)
    assert len(set(agi.commands)) == 2


async def test_a_recording_directory_asterisk_cannot_write_leaves_the_keypad(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "ivr.listen")
    missing = tmp_path / "no-such-dir"
    agi, recognizer = FakeAsterisk(wait_code=str(ord("3"))), FakeRecognizer()
    assert await run(agi, recognizer, missing) == "3"
    assert agi.commands == ["WAIT FOR DIGIT 6000"] and recognizer.calls == []
    assert "not a writable directory" in caplog.text
    agi.wait_code = "0"
    assert await run(agi, recognizer, missing) == Heard()


def test_without_a_model_directory_the_ivr_runs_dtmf_only(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "ivr.speech")
    assert load_recognizer(None) is None
    assert "speech recognition off (no ivr.speech_model_dir): the IVR runs DTMF-only" in caplog.text


@pytest.mark.parametrize("make", [lambda d: d / "missing", lambda d: d])
def test_a_model_directory_that_is_not_a_model_warns_and_runs_dtmf_only(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, make: object) -> None:
    caplog.set_level(logging.INFO, "ivr.speech")
    assert load_recognizer(make(tmp_path)) is None  # type: ignore[operator]
    [record] = caplog.records
    assert record.levelno == logging.WARNING and "DTMF-only" in record.getMessage()


def test_speech_settings_default_and_resolve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings().resolved()
    assert settings.ivr.speech_model_dir is None
    assert settings.ivr.speech_record_dir == tmp_path / "var" / "speech"
    assert (settings.ivr.speech_max_seconds, settings.ivr.speech_silence_seconds) == (6, 2)
    chosen = Settings(ivr={"speech_model_dir": "models/cn"}).resolved()
    assert chosen.ivr.speech_model_dir == tmp_path / "models" / "cn"


