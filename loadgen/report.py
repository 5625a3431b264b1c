"""The figures of a load run as text, as ``qingquan simulate`` prints them. Pure."""

from __future__ import annotations

from loadgen.reconcile import percentiles
from loadgen.simulate import SimulationResult

MIB = 1024 * 1024


def format_report(result: SimulationResult) -> str:
    plan, callers, rec = result.plan, result.callers, result.reconciliation
    request = plan.request
    arrivals = max(plan.last_arrival_seconds, 1e-9)
    lines = [
        f"Load run: {len(plan.calls)} calls planned at {request.rate:g}/s (seed {request.seed}), "
        f"{len({c.path.name for c in plan.calls})} IVR paths, run took {result.seconds:.0f} s "
        f"(files in {result.directory})",
        f"  calls attempted {callers.attempted}, INVITEs sent {callers.invited}, set up {callers.set_up}, "
        f"completed {callers.completed}, failed {callers.failed} (of which gave up waiting {callers.gave_up})",
        f"  set-up rate {callers.set_up / max(callers.attempted, 1):.1%} of attempts; "
        f"{callers.set_up / arrivals if len(plan.calls) > 1 else callers.set_up:.2f} calls/s set up over "
        f"{arrivals:.1f} s of arrivals; peak concurrent calls {result.peak_concurrency}",
    ]
    setup = percentiles([s * 1000 for s in callers.setup_seconds])
    if setup:
        lines.append(f"  set-up time (INVITE -> 200 OK) ms: p50 {setup.p50:.0f}, p90 {setup.p90:.0f}, "
                     f"p99 {setup.p99:.0f}, max {setup.max:.0f}")
    offer = percentiles([s * 1000 for s in result.offer_latency_seconds])
    if offer:
        lines.append(f"  offer latency (ACD: offerable -> call.offered) ms over {offer.count} offers: "
                     f"p50 {offer.p50:.1f}, p90 {offer.p90:.1f}, p99 {offer.p99:.1f}, max {offer.max:.1f}")
    pushes = percentiles([s * 1000 for s in result.console_latency_seconds])
    if pushes:
        lines.append(f"  agent state pushes to {result.consoles} supervisor consoles (websocket), ms over "
                     f"{pushes.count} pushes: p50 {pushes.p50:.1f}, p90 {pushes.p90:.1f}, p99 {pushes.p99:.1f}, "
                     f"max {pushes.max:.1f}")
    lines.append(f"  offers seen by the agents' consoles: {result.agent_offers} (missed by the seat: "
                 f"{result.agent_missed}); wrap-ups ended from the console: {result.wrapups_ended}")
    lines.append("  processes (CPU % of one core, mean / max; RSS max):")
    for figures in result.processes.values():
        lines.append(f"    {figures.name:<13} pid {figures.pid:<7} CPU {figures.cpu_mean:5.1f} / "
                     f"{figures.cpu_max:5.1f} %  RSS {figures.rss_max / MIB:6.1f} MiB")
    if result.emergency_switched_seconds is not None:
        lines.append(f"  emergency switch thrown {result.emergency_switched_seconds:.0f} s into the run; "
                     f"{result.emergency_agents} more agents joined on the emergency seats and were offered "
                     f"{result.emergency_offers} calls")
    if result.report_checked:
        lines.append("  the day's summary report agrees with the plan's counts" if not result.report_findings
                     else "  the day's summary report disagrees with the plan:")
        lines += [f"    {f.problem}: {f.detail}" for f in result.report_findings]
    verdict = "clean" if rec.clean else f"{len(rec.findings)} finding(s)"
    lines.append(f"  reconciliation: {rec.matched}/{rec.planned} planned calls recorded as planned: {verdict}")
    lines += [f"    {f.caller_number} {f.problem}: {f.detail}" for f in rec.findings[:50]]
    if len(rec.findings) > 50:
        lines.append(f"    ... and {len(rec.findings) - 50} more")
    lines += [f"  agent: {p}" for p in result.agent_problems[:10]]
    lines += [f"  sipp: {e}" for e in result.sipp_errors[:10]]
    return "\n".join(lines)
