"""Speech recognition for the IVR: the :class:`SpeechRecognizer` port and its Vosk adapter.

The model is a directory the operator supplies (``ivr.speech_model_dir``; for Mandarin callers
vosk-model-small-cn-0.22, whose graph accepts runtime grammars). It is loaded once; every utterance gets its
own grammar-restricted recognizer (cheap: under a millisecond to build), and decoding runs in a worker thread
so the event loop that serves every other call never waits for it. Vosk is never asked to download a model.

A recording that cannot be read (missing, empty, not a PCM WAV) is heard as nothing, with a warning: the
caller is re-prompted like after silence, never dropped by an exception."""

from __future__ import annotations

import asyncio
import json
import logging
import wave
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from ivr.speech_words import UNKNOWN_WORD, Heard

log = logging.getLogger(__name__)

CHUNK_FRAMES = 4000  # half a second at 8 kHz per AcceptWaveform call
NOTHING = Heard()


class SpeechRecognizer(Protocol):
    async def recognize(self, wav: Path, grammar: Sequence[str]) -> Heard:
        """What was said in ``wav``, restricted to ``grammar`` (one word or phrase per entry)."""
        ...


class SpeechModelError(Exception):
    """The model directory is missing or Vosk cannot load it."""


class VoskRecognizer:
    """A Vosk model loaded once, when this is built: build it in a worker thread (as :func:`load_recognizer`
    is called at start-up), as loading takes seconds. Raises :class:`SpeechModelError` if it cannot load."""

    def __init__(self, model_dir: Path) -> None:
        if not (model_dir / "conf").is_dir() and not (model_dir / "am").is_dir():
            raise SpeechModelError(f"{model_dir} is not a Vosk model directory (no am/ or conf/ in it)")
        try:
            import vosk
        except ImportError as exc:  # a main dependency; without it the IVR still runs DTMF-only
            raise SpeechModelError(f"the vosk package cannot be imported: {exc}") from exc
        vosk.SetLogLevel(-1)  # Kaldi's own LOG lines off; its warnings and errors stay
        try:
            self._model: Any = vosk.Model(model_path=str(model_dir))  # a path: never lang=, which downloads
        except Exception as exc:
            raise SpeechModelError(f"Vosk cannot load the model in {model_dir}: {exc}") from exc
        self._recognizer_class: Any = vosk.KaldiRecognizer
        self.model_dir = model_dir
        self._has_unknown = self._model.vosk_model_find_word(UNKNOWN_WORD) >= 0

    def known(self, grammar: Sequence[str]) -> list[str]:
        """The grammar entries whose every word the model knows, without duplicates, then ``[unk]`` if the
        model has it (a grammar with an unknown word makes Vosk drop the grammar)."""
        kept = [entry for entry in dict.fromkeys(grammar)
                if entry != UNKNOWN_WORD and entry.split()
                and all(self._model.vosk_model_find_word(word) >= 0 for word in entry.split())]
        return [*kept, UNKNOWN_WORD] if kept and self._has_unknown else kept

    async def recognize(self, wav: Path, grammar: Sequence[str]) -> Heard:
        return await asyncio.to_thread(self.decode, wav, grammar)

    def decode(self, wav: Path, grammar: Sequence[str]) -> Heard:
        """Blocking: decodes ``wav`` (PCM mono 16-bit, any rate; Asterisk's ``wav`` is 8 kHz) in this thread."""
        words = self.known(grammar)
        if not words:
            log.warning("speech: no word of the grammar %s is in the model; heard nothing", list(grammar)[:10])
            return NOTHING
        try:
            with wave.open(str(wav), "rb") as audio:
                if audio.getnchannels() != 1 or audio.getsampwidth() != 2:
                    log.warning("speech: %s is not mono 16-bit PCM (%s channels, %s bytes a sample); heard "
                                "nothing", wav, audio.getnchannels(), audio.getsampwidth())
                    return NOTHING
                recognizer = self._recognizer_class(self._model, float(audio.getframerate()),
                                                    json.dumps(words, ensure_ascii=False))
                recognizer.SetWords(True)
                results = []
                while chunk := audio.readframes(CHUNK_FRAMES):
                    if recognizer.AcceptWaveform(chunk):
                        results.append(recognizer.Result())
                results.append(recognizer.FinalResult())
        except (OSError, EOFError, wave.Error) as exc:
            log.warning("speech: cannot read the recording %s: %s; heard nothing", wav, exc)
            return NOTHING
        return heard_from(results)


def heard_from(results: Sequence[str]) -> Heard:
    """One :class:`Heard` from Vosk's Result/FinalResult JSON texts, in order (empty ones skipped)."""
    words: list[str] = []
    confidences: list[float] = []
    for text in results:
        try:
            result = json.loads(text)
        except ValueError:
            log.warning("speech: unreadable recognizer result %r", text[:200])
            continue
        entries = result.get("result") if isinstance(result, dict) else None
        if isinstance(entries, list) and entries:
            for entry in entries:
                if isinstance(entry, dict) and isinstance(entry.get("word"), str):
                    words.append(entry["word"])
                    if isinstance(entry.get("conf"), int | float):
                        confidences.append(float(entry["conf"]))
        elif isinstance(result, dict) and isinstance(result.get("text"), str):
            words.extend(result["text"].split())
    confidence = sum(confidences) / len(confidences) if confidences and len(confidences) == len(words) else None
    return Heard(words=tuple(words), text=" ".join(words), confidence=confidence)


def load_recognizer(model_dir: Path | None) -> SpeechRecognizer | None:
    """The recognizer for ``ivr.speech_model_dir``, or None (the IVR then runs DTMF-only) when it is unset,
    missing or cannot be loaded. Blocking for seconds: call it in a worker thread."""
    if model_dir is None:
        log.info("speech recognition off (no ivr.speech_model_dir): the IVR runs DTMF-only")
        return None
    if not model_dir.is_dir():
        log.warning("speech recognition off: the model directory %s does not exist; the IVR runs DTMF-only",
                    model_dir)
        return None
    try:
        recognizer = VoskRecognizer(model_dir)
    except SpeechModelError as exc:
        log.warning("speech recognition off: %s; the IVR runs DTMF-only", exc)
        return None
    log.info("speech recognition on: Vosk model %s", model_dir)
    return recognizer
