"""The post-call satisfaction survey (满意度调查): when the agent hangs up first, the dialplan hands the caller
to this FastAGI dialogue (``survey``), which asks for a score by keypad, 1 (very dissatisfied) to 5 (very
satisfied). A wrong key or silence gets one re-prompt; then the survey gives up.

It publishes ``SurveyOffered`` when it starts and ``SurveyAnswered`` with the score (before the thanks, so a
caller who hangs up on the thanks still counts); a survey offered and never answered is one the caller
skipped, hung up on, or keyed wrongly twice. The contact record stores the score; the dialplan hangs up
after this returns."""

from __future__ import annotations

import logging
from pathlib import Path

from ivr.agi_dialogue import AgiChannel, AgiDialogue, CallerHungUp
from kernel.call_events import SurveyAnswered, SurveyOffered
from kernel.clock import Clock
from kernel.events import EventBus

log = logging.getLogger(__name__)

ASK = "survey-ask"
THANKS = "survey-thanks"
SCORE_KEYS = "12345"
DEFAULT_TRIES = 2  # the question, then one re-prompt


def score_of(key: str) -> int | None:
    """The score a key gives: "1".."5" -> 1..5; any other key, or none, gives no score."""
    return int(key) if len(key) == 1 and key in SCORE_KEYS else None


def reprompt(key: str) -> tuple[str, ...]:
    """What a caller hears after a key that is not a score ("invalid-input") or after silence ("no-input")."""
    return ("invalid-input" if key else "no-input", ASK)


class SurveyRunner:
    def __init__(self, bus: EventBus, clock: Clock, prompt_dir: Path, digit_timeout_ms: int, *,
                 tries: int = DEFAULT_TRIES) -> None:
        self._bus = bus
        self._clock = clock
        self._prompt_dir = prompt_dir
        self._timeout_ms = digit_timeout_ms
        self._tries = tries

    async def handle(self, request: AgiChannel) -> None:
        linkedid = request.headers.get("agi_uniqueid", "")
        if not linkedid:
            log.warning("survey requested without a call id; not asked")
            return
        agi = AgiDialogue(request, self._prompt_dir, self._timeout_ms)
        self._bus.publish(SurveyOffered(at=self._clock.now(), linkedid=linkedid))
        try:
            score = await self._ask(agi, linkedid)
            if score is None:
                log.info("call %s survey -[no score in %s tries]-> skipped", linkedid, self._tries)
                return
            log.info("call %s survey -[key %s]-> answered", linkedid, score)
            self._bus.publish(SurveyAnswered(at=self._clock.now(), linkedid=linkedid, score=score))
            await agi.play((THANKS,))
        except CallerHungUp:
            log.info("call %s hung up during the survey", linkedid)

    async def _ask(self, agi: AgiDialogue, linkedid: str) -> int | None:
        prompts: tuple[str, ...] = (ASK,)
        for _ in range(self._tries):
            key = await agi.collect(prompts, 1)
            score = score_of(key)
            if score is not None:
                return score
            log.debug("call %s survey: key %r is not a score", linkedid, key)
            prompts = reprompt(key)
        return None
