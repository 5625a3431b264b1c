// The agents' state timeline for one day: a row per agent, a coloured bar per state segment (a custom series
// per state, so the legend names and toggles the states), a tooltip with the state, its reason and its times.
import { fmtDuration, fmtTime } from "../dom.js";
import { label, t } from "../i18n.js";
import { plain, show, tooltip } from "./echarts.js";

export const STATE_COLOURS = { ready: "#1e8a4c", not_ready: "#b8860b", offered: "#e67e22", on_call: "#c0392b",
  wrap_up: "#8e44ad", dialing: "#2980b9", supervising: "#16a085", logged_out: "#bdc3c7" };

/** A bar from x = from to x = to in the agent's row, clipped to the plot. */
function renderSegment(params, api) {
  const row = api.value(0), start = api.coord([api.value(1), row]), end = api.coord([api.value(2), row]);
  const height = api.size([0, 1])[1] * 0.6;
  const box = params.coordSys;
  const shape = window.echarts.graphic.clipRectByRect(
    { x: start[0], y: start[1] - height / 2, width: Math.max(end[0] - start[0], 1), height },
    { x: box.x, y: box.y, width: box.width, height: box.height });
  return shape && { type: "rect", shape, style: api.style() };
}

/** The rows shown: agents with at least one segment that is not "logged out" (nobody else has a line to draw). */
export function timelineAgents(report) {
  return (report.agents || []).filter((a) => (a.segments || []).some((s) => s.state !== "logged_out"));
}

export function timelineOption(report) {
  const agents = timelineAgents(report);
  const names = agents.map((a) => a.name || "#" + a.agent_id);
  const states = [...new Set(agents.flatMap((a) => a.segments.map((s) => s.state)))].filter((s) => s !== "logged_out");
  const seriesOf = (state) => agents.flatMap((a, row) => a.segments.filter((s) => s.state === state).map((s) => ({
    value: [row, Date.parse(s.from), Date.parse(s.to), s.reason || ""] })));
  return {
    tooltip: tooltip((p) => {
      const [row, from, to, reason] = p.value;
      return [plain(names[row]), p.seriesName + (reason ? " · " + plain(label("reason", reason)) : ""),
        fmtTime(new Date(from).toISOString()) + " – " + fmtTime(new Date(to).toISOString())
        + " (" + fmtDuration((to - from) / 1000) + ")"].join("\n");
    }),
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "time", min: Date.parse(report.from), max: Date.parse(report.to),
      axisLabel: { formatter: (v) => fmtTime(new Date(v).toISOString()).slice(0, 5) } },
    yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 100, overflow: "truncate" } },
    series: states.map((state) => ({
      type: "custom", name: label("state", state), renderItem: renderSegment, color: STATE_COLOURS[state] || "#7f8c8d",
      encode: { x: [1, 2], y: 0 }, data: seriesOf(state) })),
  };
}

export function showTimeline(container, report) {
  return show(container, timelineOption(report));
}

/** Rows × pixels: the container grows with the number of agents so a row never gets thinner than ~26 px. */
export function timelineHeight(report) {
  return Math.max(160, 80 + 28 * timelineAgents(report).length);
}
