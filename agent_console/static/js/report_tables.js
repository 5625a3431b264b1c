// The reports tab's tables: the period's figures, each with its definition beside it, and the agent report
// (time in each state, calls, work orders, satisfaction) with each column's definition.
import { $, el, fmtDuration, fmtNum } from "./dom.js";
import { label, t } from "./i18n.js";

const PERCENT = new Set(["service_level", "occupancy", "csat"]);

/** A figure as shown: rates as percentages, durations in seconds, counts as they are, "—" where undefined. */
export function formatFigure(name, value) {
  if (value == null) return "—";
  if (name.endsWith("_rate") || PERCENT.has(name)) return (value * 100).toFixed(1) + "%";
  if (name.endsWith("_seconds")) return fmtNum(value, 1);
  if (name.endsWith("_erlangs")) return fmtNum(value, 2);
  return String(value);
}

/** ``figures`` may be null (a period without calls): every defined figure is listed, without a value. */
export function renderFigures(figures, definitions, group) {
  const names = Object.keys(figures || definitions || {});
  $("report-figures").replaceChildren(...names.map((name) => el("div", { class: "figure", "data-figure": name }, [
    el("div", { text: label(group, name) }),
    el("div", { class: "val", text: formatFigure(name, figures ? figures[name] : null) }),
    el("div", { class: "def", text: (definitions || {})[name] || "" })])));
}

const STATES = ["ready", "not_ready", "offered", "on_call", "wrap_up", "dialing", "supervising"];
const COLUMNS = ["logged_in_seconds", ...STATES.map((s) => "state:" + s), "occupancy", "handled", "transfers_taken",
  "outbound_calls", "talk_seconds", "acw_seconds", "aht_seconds", "orders_owned", "orders_opened", "orders_closed",
  "orders_overdue", "survey_responses", "csat", "callback_satisfaction_rate"];

function columnTitle(column) {
  return column.startsWith("state:") ? label("state", column.slice(6)) : label("agent_col", column);
}

function cell(row, column) {
  if (column.startsWith("state:")) return fmtDuration((row.seconds_by_state || {})[column.slice(6)] || 0);
  const value = row[column];
  if (value == null) return "—";
  if (column === "logged_in_seconds") return fmtDuration(value);
  return formatFigure(column, value);
}

export function renderAgents(report) {
  const table = $("report-agents"), definitions = report.definitions || {};
  const defOf = (column) => definitions[column] || (column.startsWith("state:") ? definitions.seconds_by_state : null);
  table.tHead.replaceChildren(el("tr", null, [el("th", { text: label("agent_col", "name") }),
    ...COLUMNS.map((c) => el("th", { class: "num", title: defOf(c), text: columnTitle(c) }))]));
  const rows = report.rows || [];
  table.tBodies[0].replaceChildren(...(rows.length ? rows.map((row) => el("tr", { "data-agent-id": row.agent_id }, [
    el("td", { text: row.name || "#" + row.agent_id }),
    ...COLUMNS.map((c) => el("td", { class: "num", "data-col": c, text: cell(row, c) }))]))
    : [el("tr", null, [el("td", { colspan: COLUMNS.length + 1, class: "muted", text: t("report.no_agents") })])]));
  $("report-agents-defs").replaceChildren(...Object.entries(definitions).flatMap(([name, text]) => [
    el("dt", { text: name === "seconds_by_state" ? label("agent_col", "seconds_by_state") : columnTitle(name) }),
    el("dd", { text })]));
}
