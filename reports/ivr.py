"""The IVR's figures for a period: how many calls it served alone, how many an outage notice answered, how many
went on to an agent, and where the callers who gave up in the IVR left it (the last step of their path).

Computed from the ``contact`` table (each call's IVR path and outcome, written from the IVR's step events).
:func:`ivr_funnel` is pure: contact rows in, figures out; :func:`ivr_report` reads the period's rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from contacts.models import Contact
from kernel.call_events import CLOSED, DEFLECTED, SELF_SERVICE
from reports.summary import inbound

IVR_DEFINITIONS: dict[str, str] = {
    "calls": "all calls that arrived in the period (来电总数); calls agents placed (outbound) are not counted",
    "reached_ivr": "calls that heard the IVR (were not refused for want of a trunk line, and reached the app)",
    "self_served": "calls that never queued and were served by the IVR alone, e.g. heard their bill (IVR自助服务)",
    "deflected": "calls that hung up after an outage notice without queuing (停水公告分流)",
    "to_agents": "calls the IVR handed to an agent queue (转人工)",
    "closed": "calls for a closed queue that the night service took: its message, or a callback for the next "
              "opening (非工作时间)",
    "left_in_ivr": "calls that hung up in the IVR before being served or queued (IVR内放弃)",
    "self_service_rate": "(self_served + deflected) / reached_ivr: calls the IVR resolved (自助解决率)",
    "voice_share": "calls that answered at least one question by voice / reached_ivr (语音输入占比)",
    "left_at": "for calls left in the IVR: how many left at each last step of their path (where callers give up)",
    "reached": "how many calls reached each step of the menu (node ids and events such as no_input)",
}


@dataclass(frozen=True)
class IvrFigures:
    calls: int = 0
    reached_ivr: int = 0
    self_served: int = 0
    deflected: int = 0
    to_agents: int = 0
    closed: int = 0
    left_in_ivr: int = 0
    self_service_rate: float | None = None
    voice_share: float | None = None
    left_at: dict[str, int] = field(default_factory=dict)
    reached: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class IvrRow:
    ivr_path: str
    outcome: str | None
    queued: bool
    ended: bool


def ivr_funnel(rows: Iterable[IvrRow]) -> IvrFigures:
    calls = reached_ivr = self_served = deflected = to_agents = closed = left = voice = 0
    left_at: Counter[str] = Counter()
    reached: Counter[str] = Counter()
    for row in rows:
        calls += 1
        steps = [step for step in row.ivr_path.split(">") if step]
        if not steps:
            continue  # refused (all lines busy), or the app was unreachable (the fallback queue took it)
        reached_ivr += 1
        reached.update(set(steps))
        voice += "voice" in steps
        if row.queued:
            to_agents += 1
        elif row.outcome == SELF_SERVICE:
            self_served += 1
        elif row.outcome == DEFLECTED:
            deflected += 1
        elif row.outcome == CLOSED or CLOSED in steps:
            closed += 1
        elif row.ended:
            left += 1
            left_at[steps[-1] if steps else "start"] += 1
    return IvrFigures(calls=calls, reached_ivr=reached_ivr, self_served=self_served, deflected=deflected,
                      to_agents=to_agents, closed=closed, left_in_ivr=left,
                      self_service_rate=(self_served + deflected) / reached_ivr if reached_ivr else None,
                      voice_share=voice / reached_ivr if reached_ivr else None,
                      left_at=dict(left_at.most_common()), reached=dict(reached.most_common()))


def ivr_report(session: Session, start: datetime, end: datetime) -> IvrFigures:
    """The IVR figures over contacts with ``start <= arrived_at < end``."""
    query = select(Contact.ivr_path, Contact.outcome, Contact.queued_at, Contact.ended_at).where(
        Contact.arrived_at >= start, Contact.arrived_at < end, inbound())
    return ivr_funnel(IvrRow(path or "", outcome, queued is not None, ended is not None)
                      for path, outcome, queued, ended in session.execute(query))
