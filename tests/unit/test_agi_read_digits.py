"""Digit collection by Asterisk (Read()) as the IVR's AGI dialogue drives it: the prompts go to Read in one
command, and what Read left (its variable and READSTATUS, read back in one GET FULL VARIABLE) becomes the
caller's answer. Fed with AGI result lines as Asterisk writes them."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from panoramisk.utils import parse_agi_result

from ivr.agi_dialogue import AgiDialogue, CallerHungUp


class ReadChannel:
    """Answers Read() with what the caller keyed: ``value`` and ``status`` (READSTATUS)."""

    def __init__(self, value: str, status: str = "OK", *, read_line: str = "200 result=0") -> None:
        self.headers: Mapping[str, str] = {"agi_uniqueid": "1764140400.3"}
        self.reply = f"200 result=1 ({value}|{status})"
        self.read_line = read_line
        self.sent: list[str] = []

    async def send_command(self, command: str) -> dict[str, Any]:
        self.sent.append(command)
        result: dict[str, Any] = parse_agi_result(self.read_line if command.startswith("EXEC Read") else self.reply)
        return result


def read(channel: ReadChannel, prompts: tuple[str, ...], max_digits: int, *, company: str = "",
         prompt_dir: Path = Path("/prompts")) -> str:
    agi = AgiDialogue(channel, prompt_dir, 5000)
    agi.company = company
    return asyncio.run(agi.read_digits(prompts, max_digits, 2500))


def test_the_prompts_and_the_digits_are_one_read_and_one_look_back() -> None:
    channel = ReadChannel("10001234")
    assert read(channel, ("no-input", "enter-account"), 12) == "10001234"
    assert channel.sent == ["EXEC Read QQ_DIGITS,/prompts/no-input&/prompts/enter-account,12,,1,2.5",
                            'GET FULL VARIABLE "${QQ_DIGITS}|${READSTATUS}"']


def test_a_companys_own_recording_replaces_the_common_prompt(tmp_path: Path) -> None:
    (tmp_path / "east").mkdir()
    (tmp_path / "east" / "welcome.wav").write_bytes(b"")
    channel = ReadChannel("1")
    read(channel, ("welcome", "main-menu"), 1, company="east", prompt_dir=tmp_path)
    assert f",{tmp_path}/east/welcome&{tmp_path}/main-menu,1," in channel.sent[0]


@pytest.mark.parametrize(("value", "status", "max_digits", "answer"), [
    ("", "TIMEOUT", 1, ""),          # silence
    ("", "OK", 1, "#"),              # '#' on a one-key question: a wrong key, as before
    ("", "OK", 12, ""),              # '#' alone for an account number: nothing entered
    ("1000", "TIMEOUT", 12, "1000"),  # a pause after some digits ends the number
    ("*", "OK", 1, "*"),
])
def test_what_read_left_is_the_answer(value: str, status: str, max_digits: int, answer: str) -> None:
    assert read(ReadChannel(value, status), ("main-menu",), max_digits) == answer


def test_a_hang_up_during_read_is_the_callers() -> None:
    with pytest.raises(CallerHungUp):
        read(ReadChannel("", read_line="200 result=-1"), ("main-menu",), 1)
    with pytest.raises(CallerHungUp):
        read(ReadChannel("", "HANGUP"), ("main-menu",), 1)


def test_more_digits_after_a_first_key_are_read_without_a_prompt() -> None:
    channel = ReadChannel("0001234")
    agi = AgiDialogue(channel, Path("/prompts"), 5000)
    assert asyncio.run(agi.more_digits("1", 12)) == "10001234"
    assert channel.sent[0] == "EXEC Read QQ_DIGITS,,11,,1,5"
    assert asyncio.run(agi.more_digits("12#", 12)) == "12" and len(channel.sent) == 2  # '#' ended it already
