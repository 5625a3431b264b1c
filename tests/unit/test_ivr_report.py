"""The IVR's figures on hand-built contacts with known answers."""

from __future__ import annotations

from reports.ivr import IvrRow, ivr_funnel


def row(path: str, outcome: str | None = None, *, queued: bool = False, ended: bool = True) -> IvrRow:
    return IvrRow(path, outcome, queued, ended)


def test_the_funnel_counts_each_call_once_and_says_where_callers_left() -> None:
    figures = ivr_funnel([
        row("main>bill>account>heard>no_input>goodbye", "self_service"),
        row("main>voice>bill>account>heard>goodbye", "self_service"),
        row("outage", "deflected"),
        row("main>agent>queue", "answered", queued=True),
        row("main>no_input>no_input>no_input>agent>queue", "abandoned", queued=True),
        row("main"),  # hung up during the welcome
        row("main>bill"),  # hung up while asked for the account
        row("main>bill>account>unknown"),
        row("main>bill>account", ended=False),  # still in the IVR: not counted as left
        row("main>agent>queue>closed", "closed"),  # the queue was closed: the night message
        row("main>agent>queue>closed>callback", "callback_requested"),  # ... or a callback when it opens
        row("", None),  # refused: all lines busy
        row("", "answered", queued=True),  # the IVR was unreachable: the fallback queue took it
    ])
    assert (figures.calls, figures.reached_ivr) == (13, 11)
    assert (figures.self_served, figures.deflected, figures.to_agents, figures.closed, figures.left_in_ivr) == (
        2, 1, 2, 2, 3)
    assert figures.self_service_rate == 3 / 11
    assert figures.voice_share == 1 / 11
    assert figures.left_at == {"main": 1, "bill": 1, "unknown": 1}
    assert figures.reached["main"] == 10 and figures.reached["bill"] == 5 and figures.reached["no_input"] == 2


def test_no_calls_no_rates() -> None:
    figures = ivr_funnel([])
    assert (figures.calls, figures.self_service_rate, figures.voice_share, figures.left_at) == (0, None, None, {})
