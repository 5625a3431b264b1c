"""The AGI verbs the IVR's dialogues use (the menu, the hold announcement, the night service, the survey):
hang-up detection, prompts with a company's own recordings, digit collection, channel variables.

Keys are collected by Asterisk, not one AGI round trip per key: between two AGI commands Asterisk reads the
caller's channel and drops any DTMF that arrives, so a key sent while a command's answer is on its way (a
loaded machine: tens to hundreds of ms) would be lost. :meth:`AgiDialogue.read_digits` runs Asterisk's
``Read()`` over all the prompts of a question, so keys typed over any prompt, and the rest of the number
after them, are buffered by Asterisk until the answer is complete."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

DTMF_KEYS = "0123456789*#"
READ_VARIABLE = "QQ_DIGITS"  # the channel variable Read() leaves the keys in


class CallerHungUp(Exception):
    pass


class AgiChannel(Protocol):
    """What the runner needs of a FastAGI request (panoramisk's Request has it)."""

    headers: Mapping[str, str]

    async def send_command(self, command: str) -> dict[str, Any]: ...


class AgiDialogue:
    """AGI verbs the IVR uses, with hang-up detection and digit collection. ``company``: whose recordings the
    caller hears (a file in ``prompt_dir/<company>/`` replaces the common one of the same name)."""

    def __init__(self, channel: AgiChannel, prompt_dir: Path, digit_timeout_ms: int) -> None:
        self._channel = channel
        self._prompt_dir = prompt_dir
        self._timeout_ms = digit_timeout_ms
        self.company = ""
        self._answer_first = False

    async def command(self, command: str) -> str:
        value, _data = await self._result(command)
        return value

    async def _result(self, command: str) -> tuple[str, str]:
        """The command's result code and its data in brackets (("", "") if it failed with the caller there)."""
        result = await self._channel.send_command(command)
        if result.get("error") in ("AGIResultHangup", "AGIAppError") or result.get("status_code") == 511:
            raise CallerHungUp(command)
        if "error" in result:
            log.warning("AGI %r failed: %s", command, result.get("msg") or result.get("error"))
            return "", ""
        value, data = result.get("result", ("", ""))
        return str(value), str(data or "")

    async def raw(self, command: str) -> dict[str, Any]:
        """The command's whole result as panoramisk parses it (no hang-up detection)."""
        await self._answer()
        return await self._channel.send_command(command)

    def unique_id(self) -> str:
        return self._channel.headers.get("agi_uniqueid", "")

    def channel_name(self) -> str:
        return self._channel.headers.get("agi_channel", "")

    def caller_number(self) -> str:
        number = self._channel.headers.get("agi_callerid", "")
        return "" if number == "unknown" else number

    def _file(self, prompt: str) -> str:
        if self.company:
            own = self._prompt_dir / self.company / prompt
            if own.with_suffix(".wav").exists():
                return str(own)
        return str(self._prompt_dir / prompt)

    def answer_at_first_prompt(self) -> None:
        """The call is answered by the first prompt, in the same step: Read() answers a call that is not up
        and starts its prompts at once (no gap in which a key falls on nobody, however late the app's next
        command would come under load); any other prompt is preceded by ANSWER. A call already up (the IVR
        started again on another node) is left as it is."""
        self._answer_first = True

    async def _answer(self) -> None:
        if self._answer_first:
            self._answer_first = False
            if await self.command("ANSWER") == "-1":
                raise CallerHungUp("ANSWER")

    async def play(self, prompts: tuple[str, ...], escape: str = "") -> str:
        """Plays prompts in turn; returns the key that interrupted them ("" if none did)."""
        await self._answer()
        for prompt in prompts:
            code = await self.command(f'STREAM FILE {self._file(prompt)} "{escape}"')
            if code.isdigit() and int(code) > 0:
                return chr(int(code))
        return ""

    async def wait_digit(self, timeout_ms: int) -> str:
        await self._answer()
        code = await self.command(f"WAIT FOR DIGIT {timeout_ms}")
        return chr(int(code)) if code.isdigit() and int(code) > 0 else ""

    async def collect(self, prompts: tuple[str, ...], max_digits: int, timeout_ms: int | None = None) -> str:
        """Digits keyed over or after the prompts; '#' ends early and is dropped; "" on silence."""
        digits = await self.play(prompts, DTMF_KEYS)
        if not digits:
            digits = await self.wait_digit(timeout_ms or self._timeout_ms)
        return await self.more_digits(digits, max_digits, timeout_ms)

    async def read_digits(self, prompts: tuple[str, ...], max_digits: int, timeout_ms: int | None = None) -> str:
        """Asterisk's Read(): plays the prompts (any key interrupts them and counts) and collects up to
        ``max_digits`` keys; '#' ends early and is dropped; "" on silence. A one-key question answered with '#'
        returns "#" (a wrong key, as it always was), not silence."""
        files = "&".join(self._file(prompt) for prompt in prompts)
        seconds = f"{(timeout_ms or self._timeout_ms) / 1000:g}"
        self._answer_first = False  # Read() answers the call itself (no 'n' option) as its prompts start
        await self.command(f"EXEC Read {READ_VARIABLE},{files},{max_digits},,1,{seconds}")
        _found, data = await self._result(f'GET FULL VARIABLE "${{{READ_VARIABLE}}}|${{READSTATUS}}"')
        digits, _bar, status = data.partition("|")
        if status == "HANGUP":
            raise CallerHungUp("Read")
        digits = "".join(key for key in digits if key in DTMF_KEYS)
        if not digits and status == "OK" and max_digits == 1:  # Read ends on '#' and keeps nothing
            return "#"
        return digits

    async def more_digits(self, digits: str, max_digits: int, timeout_ms: int | None = None) -> str:
        """Goes on collecting after the first key(s) ``digits`` until '#', ``max_digits`` or a pause (the rest
        with Read(), so Asterisk buffers it)."""
        if digits and not digits.endswith("#") and len(digits) < max_digits:
            rest = await self.read_digits((), max_digits - len(digits), timeout_ms)
            digits += "" if rest == "#" else rest
        return digits.rstrip("#") if max_digits > 1 else digits[:1]

    async def set_variable(self, name: str, value: str) -> None:
        safe = value.replace('"', "").replace("\n", " ")
        await self.command(f'SET VARIABLE {name} "{safe}"')
