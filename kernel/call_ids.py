"""Ids of the calls Qingquan places itself. An Originate names its first channel (AMI ``ChannelId``), and that
channel's uniqueid is the call's linkedid, so the call is known before Asterisk has seen it:

- ``qqo-<hex>``: an agent's click-to-call (outbound): their seat first, then the customer through the trunk;
- ``qqs-<hex>``: a supervisor's listen / whisper / barge session (ChanSpy) on their own seat.

(A queue callback's agent leg is ``cb<attempt>-<linkedid of the original call>``: see telephony.ami_parse.)"""

from __future__ import annotations

import uuid

OUTBOUND_PREFIX = "qqo-"
SPY_PREFIX = "qqs-"


def new_outbound_id() -> str:
    return f"{OUTBOUND_PREFIX}{uuid.uuid4().hex}"


def new_spy_id() -> str:
    return f"{SPY_PREFIX}{uuid.uuid4().hex}"


def is_outbound(linkedid: str) -> bool:
    return linkedid.startswith(OUTBOUND_PREFIX)


def is_spy(linkedid: str) -> bool:
    return linkedid.startswith(SPY_PREFIX)
