"""Listening to a caller: the prompts, then a recording decoded by the speech recognizer; DTMF always works.

:func:`listen` uses the AGI verbs of :class:`ivr.runner.AgiDialogue`, and for ``RECORD FILE`` the channel
as it came (the dialogue's ``command`` keeps only the result code, which cannot tell a key from silence). A key
pressed during the prompts or the recording is returned as that key (the runner goes on collecting digits as
usual); otherwise Asterisk records the caller (``RECORD FILE``, stopped by silence or the time limit) into the
recording directory, the recognizer decodes the file, the file is deleted, and what was heard is returned.

Asterisk writes the recording and this process reads it, so the recording directory must be one both see at
the same path: on one host any directory both may write; with the app on another host, a directory shared
between them (e.g. an NFS mount) at the same path on both."""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ivr.agi_dialogue import DTMF_KEYS
from ivr.speech import SpeechRecognizer
from ivr.speech_words import Heard

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")  # a uniqueid's "." too: Asterisk adds ".wav" itself
_recordings = itertools.count(1)  # makes every recording's name unique within this process


class ListeningDialogue(Protocol):
    """What :func:`listen` needs of :class:`ivr.runner.AgiDialogue`."""

    def unique_id(self) -> str: ...

    async def raw(self, command: str) -> dict[str, Any]: ...

    async def command(self, command: str) -> str: ...

    async def play(self, prompts: tuple[str, ...], escape: str = "") -> str: ...


@dataclass(frozen=True)
class SpeechInput:
    """Speech input as the IVR runner uses it: the recognizer and how to record the caller."""

    recognizer: SpeechRecognizer
    record_dir: Path
    max_seconds: float
    silence_seconds: int

    async def listen(self, agi: ListeningDialogue, prompts: tuple[str, ...], grammar: Sequence[str]) -> str | Heard:
        return await listen(agi, prompts, record_dir=self.record_dir, max_seconds=self.max_seconds,
                            silence_seconds=self.silence_seconds, grammar=grammar, recognizer=self.recognizer)


async def listen(agi: ListeningDialogue, prompts: tuple[str, ...], *, record_dir: Path, max_seconds: float,
                 silence_seconds: int, grammar: Sequence[str], recognizer: SpeechRecognizer) -> str | Heard:
    """Plays ``prompts`` and listens for up to ``max_seconds`` (ending after ``silence_seconds`` of silence).
    Returns the key pressed (a one-character string) or what the recognizer heard in ``grammar`` (a
    :class:`Heard`, with no words after silence). A hang-up raises the dialogue's CallerHungUp."""
    key = await agi.play(prompts, DTMF_KEYS)
    if key:
        return key
    limit_ms = max(1, round(max_seconds * 1000))
    if not _writable(record_dir):
        log.warning("speech: the recording directory %s is not a writable directory; waiting for keys only",
                    record_dir)
        code = await agi.command(f"WAIT FOR DIGIT {limit_ms}")
        return _key(code) or Heard()
    uniqueid = _UNSAFE.sub("_", agi.unique_id()) or "call"
    base = record_dir / f"{uniqueid}-{next(_recordings)}"
    recording = record_dir / f"{base.name}.wav"
    try:
        ended_by = await _record(agi, f'RECORD FILE "{base}" wav "{DTMF_KEYS}" {limit_ms} '
                                      f's={max(1, silence_seconds)}')
        if ended_by is None:
            return Heard()
        if ended_by:
            return ended_by
        heard = await recognizer.recognize(recording, grammar)
    finally:
        with contextlib.suppress(OSError):
            recording.unlink(missing_ok=True)
    log.info("speech: call %s said %r (confidence %s)", uniqueid, heard.text, heard.confidence)
    return heard


async def _record(agi: ListeningDialogue, command: str) -> str | None:
    """Runs RECORD FILE; returns the key that ended it, "" if silence or the time limit did, None if it failed
    with the caller still there. Its result code
    alone cannot tell: after silence or the time limit it is the milliseconds left (e.g. 3999), after a key the
    key's code; only the result's "(dtmf)" says which, and the dialogue's ``command`` drops it."""
    response = await agi.raw(command)
    if "error" not in response:
        value, data = response.get("result", ("", ""))
        return _key(str(value)) if data == "dtmf" else ""
    # result -1: the caller hung up, or Asterisk could not write the file. The dialogue's own command raises
    # its CallerHungUp if the channel is gone (Asterisk refuses CHANNEL STATUS on a dead channel).
    await agi.command("CHANNEL STATUS")
    log.warning("speech: %s failed (%s); heard nothing", command, response.get("msg") or response.get("error"))
    return None


def _key(code: str) -> str:
    """The key an AGI result code stands for ("" for none: 0, empty or not a number)."""
    return chr(int(code)) if code.isdigit() and int(code) > 0 else ""


def _writable(directory: Path) -> bool:
    return directory.is_dir() and os.access(directory, os.W_OK | os.X_OK)
