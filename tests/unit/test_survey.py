"""The post-call survey dialogue, driven through a fake caller that answers AGI commands with the lines Asterisk
sends, parsed by panoramisk's own parser."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from panoramisk.utils import parse_agi_result

from config.settings import Settings
from ivr.survey import SurveyRunner, reprompt, score_of
from kernel.call_events import SurveyAnswered, SurveyOffered
from kernel.events import Event, EventBus
from telephony.asterisk_process import render_config

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
HANGUP = "hangup"


def agi_line(line: str) -> dict[str, Any]:
    """What panoramisk's FastAGI request returns for a line Asterisk sends."""
    return dict(parse_agi_result(line))


class FixedClock:
    def now(self) -> datetime:
        return T0


class FakeCaller:
    """A caller on a FastAGI channel. ``keys`` is what they do at each chance to key: a key, "" (silence
    until the timeout) or "hangup" (every later command finds the channel gone). With ``barge_in`` the key
    comes during the question itself, else in the wait after it. Prompts without escape keys (the thanks)
    play to the end."""

    def __init__(self, *keys: str, barge_in: bool = False) -> None:
        self.headers: Mapping[str, str] = {"agi_uniqueid": "1764140400.17", "agi_channel": "PJSIP/trunk-00000011",
                                           "agi_callerid": "13800000001"}
        self.keys = list(keys)
        self.barge_in = barge_in
        self.sent: list[str] = []

    async def send_command(self, command: str) -> dict[str, Any]:
        self.sent.append(command)
        if self.keys and self.keys[0] == HANGUP:
            return agi_line("HANGUP")
        if command.startswith("STREAM FILE"):
            takes_keys = not command.endswith('""')
            if takes_keys and self.barge_in and command.split()[2].endswith("survey-ask") and self.keys[0]:
                return self._key()
            return agi_line("200 result=0 endpos=8000")
        if command.startswith("WAIT FOR DIGIT"):
            return self._key()
        return agi_line("200 result=1")

    def _key(self) -> dict[str, Any]:
        key = self.keys.pop(0) if self.keys else ""
        return agi_line(f"200 result={ord(key) if key else 0}")

    def heard(self) -> list[str]:
        return [Path(c.split()[2]).name for c in self.sent if c.startswith("STREAM FILE")]


def run(caller: FakeCaller) -> list[Event]:
    async def go() -> list[Event]:
        bus = EventBus()
        published: list[Event] = []
        bus.tap(published.append)
        await SurveyRunner(bus, FixedClock(), Path("/prompts"), 3000).handle(caller)
        return published
    return asyncio.run(go())


@pytest.mark.parametrize("key", list("12345"))
def test_a_score_key_is_stored_and_thanked(key: str) -> None:
    caller = FakeCaller(key)
    events = run(caller)
    assert events == [SurveyOffered(at=T0, linkedid="1764140400.17"),
                      SurveyAnswered(at=T0, linkedid="1764140400.17", score=int(key))]
    assert caller.heard() == ["survey-ask", "survey-thanks"]


def test_the_caller_may_key_during_the_question() -> None:
    caller = FakeCaller("4", barge_in=True)
    assert [e.score for e in run(caller) if isinstance(e, SurveyAnswered)] == [4]
    assert caller.heard() == ["survey-ask", "survey-thanks"]
    assert not any(c.startswith("WAIT FOR DIGIT") for c in caller.sent)


def test_a_wrong_key_gets_one_reprompt_then_the_score_counts() -> None:
    caller = FakeCaller("9", "5")
    events = run(caller)
    assert [e.score for e in events if isinstance(e, SurveyAnswered)] == [5]
    assert caller.heard() == ["survey-ask", "invalid-input", "survey-ask", "survey-thanks"]


def test_silence_gets_one_reprompt_then_the_score_counts() -> None:
    caller = FakeCaller("", "2")
    assert [e.score for e in run(caller) if isinstance(e, SurveyAnswered)] == [2]
    assert caller.heard() == ["survey-ask", "no-input", "survey-ask", "survey-thanks"]


@pytest.mark.parametrize("keys", [("9", "0"), ("", ""), ("*", ""), ("#", "6")])
def test_two_misses_give_up_offered_but_not_answered(keys: tuple[str, str]) -> None:
    caller = FakeCaller(*keys, "5")  # a third chance is never given: the 5 is never asked for
    events = run(caller)
    assert events == [SurveyOffered(at=T0, linkedid="1764140400.17")]
    assert "survey-thanks" not in caller.heard()
    assert caller.heard().count("survey-ask") == 2
    assert caller.keys == ["5"]


def test_a_caller_who_hangs_up_during_the_question_leaves_no_score() -> None:
    caller = FakeCaller(HANGUP)
    assert run(caller) == [SurveyOffered(at=T0, linkedid="1764140400.17")]
    assert len(caller.sent) == 1


def test_a_caller_who_hangs_up_on_the_thanks_still_counts() -> None:
    class HangsUpOnTheThanks(FakeCaller):
        async def send_command(self, command: str) -> dict[str, Any]:
            if "survey-thanks" in command:
                return agi_line("200 result=-1 endpos=0")
            return await super().send_command(command)

    events = run(HangsUpOnTheThanks("3"))
    assert [e.score for e in events if isinstance(e, SurveyAnswered)] == [3]


def test_no_call_id_no_survey() -> None:
    caller = FakeCaller("5")
    caller.headers = {}
    assert run(caller) == []
    assert caller.sent == []


def test_scores_and_reprompts() -> None:
    assert [score_of(k) for k in "0123456789*#"] == [None, 1, 2, 3, 4, 5, None, None, None, None, None, None]
    assert score_of("") is None and score_of("12") is None
    assert reprompt("7") == ("invalid-input", "survey-ask")
    assert reprompt("") == ("no-input", "survey-ask")


def test_survey_events_travel_on_the_wire() -> None:
    answered = SurveyAnswered(at=T0, linkedid="1", score=4)
    assert answered.to_wire() == {"type": "survey.answered", "v": 1, "at": T0.isoformat(), "linkedid": "1",
                                  "score": 4}
    assert Event.from_wire(answered.to_wire()) == answered
    offered = SurveyOffered(at=T0, linkedid="1")
    assert Event.from_wire(offered.to_wire()) == offered


@pytest.mark.parametrize(("on", "flag"), [(True, "1"), (False, "0")])
def test_the_setting_is_rendered_into_the_dialplan(tmp_path: Path, on: bool, flag: str) -> None:
    settings = Settings(ivr={"survey": on})
    dialplan = (render_config(settings, tmp_path).parent / "extensions.conf").read_text()
    assert f"\nQQ_SURVEY = {flag}\n" in dialplan
    connect = dialplan.split("[acd-connect]", 1)[1].split("\n[", 1)[0]
    # both the ring-all group and a single seat: only an answered call the agent hung up goes on to the survey
    assert connect.count('GotoIf($["${DIALSTATUS}" = "ANSWER"]?after-call,1)') == 2
    after_call = connect.split("exten => after-call,", 1)[1]
    assert after_call.splitlines()[:3] == ["1,GotoIf($[${QQ_SURVEY}]?:bye)", " same => n,Gosub(qq-agi,agi,1(survey))",
                                           " same => n(bye),Hangup()"]
