"""Emergency mode on real Asterisk: a seat configured as an emergency seat takes no calls until a supervisor
switches emergency mode on; the switch opens it at once and is written to the acd_audit log."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.integration.test_call_path import agent_ready, call_and_queue
from tests.support.acd_steps import agent_state, contact_where, queue_summary, user_id
from tests.support.baresip import BaresipPhone
from tests.support.hotline import RunningHotline, seat_entry, wait_for

pytestmark = pytest.mark.integration


def test_emergency_mode_opens_the_emergency_seats(hotline_with: Callable[..., RunningHotline],
                                                  phones: Callable[..., BaresipPhone]) -> None:
    hotline = hotline_with(asterisk={"seats": [seat_entry("seat1001"), seat_entry("seat1036", emergency=True)]})
    supervisor = hotline.login("super1")
    seat_phone = phones("agent", hotline=hotline, seat="seat1036")
    agent = agent_ready(hotline, "agent1", "seat1036")

    call_and_queue(hotline, phones("13600000006"), supervisor)
    wait_for(lambda: queue_summary(hotline, supervisor)["waiting"] == 1, what="the ACD to queue the call")
    assert agent_state(hotline, agent)["state"] == "ready", "an emergency seat was offered a call in normal mode"
    assert not seat_phone.pending("CALL_ESTABLISHED")

    with hotline.client(agent) as c:
        assert c.put("/api/acd/emergency", json={"on": True}).status_code == 403  # agents cannot switch it
    with hotline.client(supervisor) as c:
        response = c.put("/api/acd/emergency", json={"on": True, "note": "main burst, Panlong"})
        assert response.status_code == 200, response.text
        assert response.json() == {"on": True}

    seat_phone.wait_event("CALL_ESTABLISHED", timeout=10)
    contact = contact_where(hotline, supervisor, "13600000006", "answered_at")
    assert contact["agent_id"] == user_id(hotline, "agent1")

    audit = wait_for(lambda: hotline.query("SELECT actor_id, action, detail FROM acd_audit"),
                     what="the switch to be audited")
    assert [(row["actor_id"], row["action"]) for row in audit] == [(user_id(hotline, "super1"), "emergency_on")]
    assert "main burst, Panlong" in str(audit[0]["detail"]) and "seat1036" in str(audit[0]["detail"])
    assert "emergency mode ON by user" in hotline.log_text()
