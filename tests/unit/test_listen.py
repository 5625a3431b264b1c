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

import pytest
from pydantic import ValidationError

from config.settings import Settings
from ivr.listen import listen
from ivr.speech import load_recognizer
from ivr.speech_words import Heard, vocabulary

HEARD = Heard(words=("一", "二"), text="一 二", confidence=0.9)
RECORD = re.compile(r'^RECORD FILE "(?P<base>[^"]+)" wav "0123456789\*#" (?P<ms>\d+) s=(?P<silence>\d+)$')


@dataclass
class Channel:
    headers: Mapping[str, str] = field(default_factory=lambda: {"agi_uniqueid": "1700000000.42"})


@dataclass
class FakeAsterisk:
    """The AGI verbs listen() uses. ``key_in_prompt``: the caller presses it during the prompts;
    ``record_code``: RECORD FILE's result code ("0": ended by silence or time; "53": the caller pressed 5),
    after writing ``audio`` where Asterisk would."""

    key_in_prompt: str = ""
    record_code: str = "0"
    wait_code: str = "0"
    audio: bytes = b"RIFF...WAVE"
    _channel: Channel = field(default_factory=Channel)
    commands: list[str] = field(default_factory=list)
    played: list[tuple[tuple[str, ...], str]] = field(default_factory=list)

    async def play(self, prompts: tuple[str, ...], escape: str = "") -> str:
        self.played.append((prompts, escape))
        return self.key_in_prompt

    async def command(self, command: str) -> str:
        self.commands.append(command)
        match = RECORD.match(command)
        if match:
            Path(match["base"] + ".wav").write_bytes(self.audio)
            return self.record_code
        if command.startswith("WAIT FOR DIGIT"):
            return self.wait_code
        return "0"


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
    agi, recognizer = FakeAsterisk(record_code=str(ord("5"))), FakeRecognizer()
    assert await run(agi, recognizer, tmp_path) == "5"
    assert recognizer.calls == [] and list(tmp_path.iterdir()) == []


async def test_silence_is_heard_as_nothing(tmp_path: Path) -> None:
    result = await run(FakeAsterisk(), FakeRecognizer(heard=Heard()), tmp_path)
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


def test_speech_words_from_settings() -> None:
    settings = Settings(ivr={"speech_digit_words": {"일": "1"}, "speech_intent_words": {"상담원": "agent"}})
    vocab = vocabulary(settings.ivr.speech_digit_words, settings.ivr.speech_intent_words)
    assert dict(vocab.digit_words) == {"일": "1"} and dict(vocab.intent_words) == {"상담원": "agent"}
    with pytest.raises(ValidationError, match="one digit"):
        Settings(ivr={"speech_digit_words": {"十": "10"}})
