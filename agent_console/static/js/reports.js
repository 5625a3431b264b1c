// The reports tab (supervisors and up): for a period of local days, the figures with their definitions, four
// charts (calls per hour, answer rate and service level over time, the abandon curve, one day's agent state
// timeline), the agent report, and CSV / XLSX exports. Each part loads on its own: one that fails or that this
// server does not offer yet says so in its own card and leaves the others alone.
import { $, fmtStamp, latestOnly, today } from "./dom.js";
import { api, has, hasParam } from "./api.js";
import { t } from "./i18n.js";
import { download } from "./export.js";
import { renderAgents, renderFigures } from "./report_tables.js";
import { clear, daysBetween } from "./charts/echarts.js";
import { MAX_DAYS, showHeatmap } from "./charts/heatmap.js";
import { ratesGrouping, showRates } from "./charts/rates.js";
import { showAbandonCurve } from "./charts/abandon.js";
import { showTimeline, timelineAgents, timelineHeight } from "./charts/timeline.js";

const DASHBOARD = "GET /api/reports/dashboard", METRICS = "GET /api/reports/metrics", AGENTS = "GET /api/reports/agents";
const TIMELINE = "GET /api/reports/agent-timeline", ABANDON = "GET /api/reports/abandon-curve";
const CALLS_EXPORT = "GET /api/calls/export";
const loads = { figures: latestOnly(), heatmap: latestOnly(), rates: latestOnly(), abandon: latestOnly(),
  timeline: latestOnly(), agents: latestOnly() };

const query = (params) => "?" + new URLSearchParams(params).toString();

/** The chosen period (from ≤ to), the service-level target in seconds and the goal in percent. */
function choices() {
  let from = $("report-from").value || today(), to = $("report-to").value || from;
  if (to < from) [from, to] = [to, from];
  const number = (id, lo, hi, fallback) => {
    const input = $(id), v = Number(input.value);
    const ok = input.value !== "" && Number.isFinite(v) && v >= lo && v <= hi;
    input.setAttribute("aria-invalid", String(!ok));
    return ok ? v : fallback;
  };
  return { from, to, target: number("report-target", 0, 600, 20), goal: number("report-goal", 1, 100, 80) };
}

/** Shows ``text`` (or nothing) in a card's note line. */
function note(name, text) {
  const node = document.querySelector(`[data-note-for="${name}"]`);
  node.textContent = text || "";
  node.hidden = !text;
}

/** Runs one part's load: skipped (with a note) if the route is missing, and its error shown in its card. */
async function part(name, route, work) {
  const fresh = loads[name]();
  if (!has(route)) { note(name, t("common.unavailable")); return; }
  try {
    await work(fresh);
  } catch (e) {
    if (!fresh() || e.status === 401) return;
    note(name, e.missing ? t("common.unavailable") : e.message || t("report.chart_failed"));
  }
}

/** The figures, the heat-map and the rates chart: one request for the three (the server reads the period's
 * tallies once), each card showing its own outcome. */
async function loadDashboard({ from, to, target, goal }) {
  const days = daysBetween(from, to).length, by = ratesGrouping(from, to), hours = days <= MAX_DAYS;
  const request = has(DASHBOARD) ? api("GET", "/api/reports/dashboard"
    + query({ from, to, rates_by: by, hours, target_seconds: target })) : null;
  request?.catch(() => {});  // each card below reports a failure itself
  const figures = part("figures", DASHBOARD, async (fresh) => {
    const rep = await request;
    if (!fresh()) return;
    note("figures", "");
    $("report-range").textContent = t("report.range", { from: fmtStamp(rep.from), to: fmtStamp(rep.to) });
    renderFigures(rep.total?.figures || null, rep.definitions, "metric");
  });
  const heatmap = hours ? part("heatmap", DASHBOARD, async (fresh) => {
    const rep = await request, container = $("chart-heatmap");
    if (!fresh()) return;
    note("heatmap", "");
    container.style.height = Math.min(900, Math.max(220, 110 + 22 * days)) + "px";
    await showHeatmap(container, rep.hours || [], from, to);
  }) : tooLongForHeatmap();
  const rates = part("rates", DASHBOARD, async (fresh) => {
    const rep = await request;
    if (!fresh()) return;
    note("rates", "");
    await showRates($("chart-rates"), rep.rates || [], by, from, to, goal, rep.target_seconds ?? target);
  });
  await Promise.all([figures, heatmap, rates]);
}

function tooLongForHeatmap() {
  loads.heatmap();  // an older, slower load must not draw over the note
  clear($("chart-heatmap"));
  note("heatmap", t("chart.heatmap_too_long", { days: MAX_DAYS }));
}

async function loadAbandon({ from, to }) {
  await part("abandon", ABANDON, async (fresh) => {
    const rep = await api("GET", "/api/reports/abandon-curve" + query({ from, to }));
    if (!fresh()) return;
    note("abandon", (rep.buckets || []).length ? "" : t("chart.no_abandons"));
    await showAbandonCurve($("chart-abandon"), rep);
  });
}

export async function loadTimeline() {
  const day = $("timeline-day").value || today(), container = $("chart-timeline");
  await part("timeline", TIMELINE, async (fresh) => {
    const rep = await api("GET", "/api/reports/agent-timeline" + query({ day }));
    if (!fresh()) return;
    note("timeline", timelineAgents(rep).length ? "" : t("chart.no_agents_that_day"));
    container.style.height = timelineHeight(rep) + "px";
    await showTimeline(container, rep);
  });
}

async function loadAgents({ from, to }) {
  await part("agents", AGENTS, async (fresh) => {
    const rep = await api("GET", "/api/reports/agents" + query({ from, to }));
    if (!fresh()) return;
    note("agents", "");
    renderAgents(rep);
  });
}

/** Which export buttons this server can answer: a report route that takes ``format``, the call-detail route. */
function showExports() {
  const offered = { metrics: hasParam(METRICS, "format"), agents: hasParam(AGENTS, "format"), calls: has(CALLS_EXPORT) };
  for (const group of document.querySelectorAll("[data-export-group]")) group.hidden = !offered[group.dataset.exportGroup];
}

async function exportReport(button) {
  const { from, to, target } = choices(), format = button.dataset.format, kind = button.dataset.export;
  const paths = { metrics: "/api/reports/metrics" + query({ from, to, by: "day", target_seconds: target, format }),
    agents: "/api/reports/agents" + query({ from, to, format }), calls: "/api/calls/export" + query({ from, to, format }) };
  button.disabled = true;
  try {
    const name = await download(paths[kind], `qingquan-${kind}-${from}_${to}.${format}`);
    note("exports", t("report.exported", { name }));
  } catch (e) {
    if (e.status !== 401) note("exports", e.message);
  } finally { button.disabled = false; }
}

let generation = 0;  // the latest loadReport(): only it marks the tab loaded (for tests and screenshots)

export async function loadReport() {
  const mine = ++generation, chosen = choices();
  const day = $("timeline-day").value;
  if (!day || day < chosen.from || day > chosen.to) $("timeline-day").value = chosen.to;
  showExports();
  note("exports", "");
  await Promise.all([loadDashboard(chosen), loadAbandon(chosen), loadTimeline(), loadAgents(chosen)]);
  if (mine === generation) $("tab-reports").dataset.loaded = String(mine);
}

export function initReports() {
  $("report-from").value = today();
  $("report-to").value = today();
  $("timeline-day").value = today();
  $("report-refresh").addEventListener("click", loadReport);
  $("timeline-day").addEventListener("change", loadTimeline);
  for (const button of document.querySelectorAll("[data-export]")) button.addEventListener("click", () => exportReport(button));
}
