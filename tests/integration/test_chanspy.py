"""Supervision on real Asterisk (ChanSpy): a supervisor on their own seat phone listens to, whispers to or barges
into an agent's live call. Each phone plays its own tone and the test reads, in what each phone received during
the session, how much of each tone it heard: listen — the supervisor hears the caller and nobody hears the
supervisor; whisper — the agent hears the supervisor, the caller does not; barge — both do. Every session is
audited; agents are refused (403), and so is a call that is not in progress (409)."""

from __future__ import annotations

import time
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.integration.test_call_path import call_and_queue, received_audio
from tests.support.acd_steps import bind_seat, set_state, user_id, wait_agent_state
from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline, wait_for

pytestmark = pytest.mark.integration

CALLER_TONE = 440
AGENT_TONE = 1000
SUPERVISOR_TONE = 700
SESSION_SECONDS = 3.5
HEARD = 0.2  # share of the received spectrum at a tone's frequency when that phone is heard
SILENT = 0.02


def tone_share(path: Path, frequency: int, seconds: float = 2.5, skip_end: float = 0.3) -> float:
    """The share of the received audio's spectrum within 15 Hz of ``frequency``, over the ``seconds`` before
    the last ``skip_end`` (the session: each test ends the call right after it)."""
    with wave.open(str(path)) as w:
        rate = w.getframerate()
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64)
    window = samples[-int(rate * (seconds + skip_end)):-int(rate * skip_end)]
    if window.size < rate // 2 or not np.any(window):
        return 0.0
    spectrum = np.abs(np.fft.rfft(window * np.hanning(window.size)))
    frequencies = np.fft.rfftfreq(window.size, 1 / rate)
    return float(spectrum[np.abs(frequencies - frequency) < 15].sum() / spectrum.sum())


@pytest.mark.parametrize(("mode", "agent_hears_supervisor", "caller_hears_supervisor"),
                         [("listen", False, False), ("whisper", True, False), ("barge", True, True)])
def test_supervisor_listens_whispers_or_barges(hotline: RunningHotline, phones: Callable[..., BaresipPhone],
                                                mode: str, agent_hears_supervisor: bool,
                                                caller_hears_supervisor: bool) -> None:
    agent_seat = phones("agent", hotline=hotline, seat="seat1001", frequency=AGENT_TONE)
    supervisor_seat = phones("super", hotline=hotline, seat="seat1003", frequency=SUPERVISOR_TONE)
    agent = bind_seat(hotline, "agent1", "seat1001")
    supervisor = bind_seat(hotline, "super1", "seat1003")
    agent_id = user_id(hotline, "agent1")

    def spy(token: str) -> tuple[int, dict[str, str]]:
        with hotline.client(token) as c:
            response = c.post("/api/supervision/spy", json={"agent_id": agent_id, "mode": mode})
        return response.status_code, response.json()

    assert spy(supervisor) == (409, {"error": "agent_not_on_call", "message": f"agent {agent_id} is not on a call"})
    assert spy(agent)[0] == 403
    set_state(hotline, agent, "ready")
    caller = call_and_queue(hotline, phones("13800000021", frequency=CALLER_TONE), hotline.login("manager1"))
    agent_seat.wait_event("CALL_ESTABLISHED", timeout=10)
    linkedid = wait_agent_state(hotline, agent, "on_call")["call"]
    assert spy(agent)[0] == 403  # an agent never listens to another's call

    status, session = spy(supervisor)
    assert status == 202, session
    assert (session["agent_id"], session["mode"], session["linkedid"]) == (agent_id, mode, linkedid)
    supervisor_seat.wait_event("CALL_ESTABLISHED", timeout=10)  # their phone rang and answered: spying now
    assert wait_agent_state(hotline, supervisor, "supervising")["call"] == session["session"]
    time.sleep(SESSION_SECONDS)
    caller.hangup()  # the call ends: ChanSpy leaves with it
    supervisor_seat.wait_event("CALL_CLOSED", timeout=10)
    agent_seat.wait_event("CALL_CLOSED", timeout=10)
    state = wait_agent_state(hotline, supervisor, "not_ready")
    assert state["reason"] == "supervision"

    heard_by_supervisor = received_audio(supervisor_seat)
    assert tone_share(heard_by_supervisor, CALLER_TONE) > HEARD, "the supervisor did not hear the caller"
    assert tone_share(heard_by_supervisor, AGENT_TONE) > HEARD, "the supervisor did not hear the agent"
    to_agent = tone_share(received_audio(agent_seat), SUPERVISOR_TONE)
    to_caller = tone_share(received_audio(caller), SUPERVISOR_TONE)
    assert (to_agent > HEARD) == agent_hears_supervisor and (to_agent < SILENT) != agent_hears_supervisor, to_agent
    assert (to_caller > HEARD) == caller_hears_supervisor and (to_caller < SILENT) != caller_hears_supervisor, (
        to_caller)
    assert tone_share(received_audio(caller), AGENT_TONE) > HEARD  # the call itself went on

    audit = wait_for(lambda: hotline.query("SELECT actor_id, action, detail FROM acd_audit WHERE action LIKE 'spy%'"),
                     what="the supervision session in the audit log")
    assert [(row["actor_id"], row["action"]) for row in audit] == [(user_id(hotline, "super1"), f"spy_{mode}")]
    assert f'"linkedid": "{linkedid}"' in str(audit[0]["detail"]).replace("'", '"')
