"""The AMI actions for calls agents place or move (click-to-call, transfer to a queue) and for supervision, as
plain field mappings; and what an Originate's response says. Pure: the bridge (telephony.ami) sends them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

HOLD_CONTEXT = "acd-hold"
OUTBOUND_CONTEXT = "acd-outbound"
SPY_CONTEXT = "acd-spy"
HOLD_EXTEN = "wait"  # music and announcements, without the QingquanQueued event of acd-hold,s (no re-queue)

Action = Mapping[str, str | list[str]]  # a header given a list is sent once per item (panoramisk)

# OriginateResponse's Reason (Asterisk's control frame at the end of the attempt) as a Dial status.
_ORIGINATE_REASONS = {"0": "CHANUNAVAIL", "1": "REJECTED", "3": "NOANSWER", "5": "BUSY", "8": "CONGESTION"}


def outbound_originate(linkedid: str, seat: str, number: str, ring_seconds: int) -> Action:
    """Rings the agent's seat; once answered, ``acd-outbound`` dials ``number`` through the trunk. The seat's
    channel is named ``linkedid`` (ChannelId), so every event of the call carries it."""
    return {"Action": "Originate", "Channel": f"PJSIP/{seat}", "Context": OUTBOUND_CONTEXT, "Exten": number,
            "Priority": "1", "Timeout": str(ring_seconds * 1000), "Async": "true",
            "CallerID": f'"outbound {number}" <{number}>', "ChannelId": linkedid}


def spy_originate(linkedid: str, seat: str, agent_seat: str, mode: str, ring_seconds: int) -> Action:
    """Rings the supervisor's seat; once answered, ``acd-spy`` runs ChanSpy in ``mode`` (the extension) on the
    agent's seat channel."""
    return {"Action": "Originate", "Channel": f"PJSIP/{seat}", "Context": SPY_CONTEXT, "Exten": mode,
            "Priority": "1", "Timeout": str(ring_seconds * 1000), "Async": "true",
            "CallerID": f'"{mode} {agent_seat}" <{agent_seat}>', "ChannelId": linkedid,
            "Variable": [f"QQ_SPY_SEAT={agent_seat}"]}


def hold_actions(channel: str, queue: str, priority: int) -> list[Action]:
    """Takes a caller out of their bridge (the agent's leg is hung up) back to hold, in line for ``queue``.
    The channel's queue variables are set first, so that a resync after a reconnect re-queues them right."""
    values = {"QQ_QUEUE": queue, "QQ_PRIORITY": str(priority)}
    actions: list[Action] = [{"Action": "Setvar", "Channel": channel, "Variable": name, "Value": value}
                             for name, value in values.items()]
    actions.append({"Action": "Redirect", "Channel": channel, "Context": HOLD_CONTEXT, "Exten": HOLD_EXTEN,
                    "Priority": "1"})
    return actions


def originate_status(messages: Sequence[Mapping[str, str]]) -> str:
    """``ANSWER`` when the Originate's OriginateResponse succeeded, else why not (NOANSWER, BUSY, ...)."""
    responses = [m for m in messages if m.get("Event") == "OriginateResponse"]
    if not responses:
        return "FAILED"
    last = responses[-1]
    if last.get("Response") == "Success":
        return "ANSWER"
    return _ORIGINATE_REASONS.get(last.get("Reason", ""), "FAILED")
