// The supervisors' wallboard: live queues and service level, every agent's true state and the time in it, the
// emergency switch, forcing a state, listen / whisper / barge, and overdue or unowned work orders to reassign.
// Kept live by the `wallboard` websocket message (a snapshot at most once a second) and agent state changes.
import { $, el, fillSelect, fmtDuration, fmtNum, fmtTime, latestOnly, toast } from "./dom.js";
import { api, has, hasParam } from "./api.js";
import { label, t } from "./i18n.js";
import * as live from "./live.js";
import { agentChoices, everyone, nameOf } from "./people.js";
import { orderRow, tickDue } from "./orders.js";
import { clearDrafts, isSupervisor } from "./session.js";

const SPY_MODES = ["listen", "whisper", "barge"];
let agents = new Map();       // agent_id -> the agent's view
let queues = [];
let queuesReadAt = Date.now();
let emergency = false;
let summaryReadAt = 0;
const boardLoad = latestOnly(), ordersLoad = latestOnly();

function applySnapshot(snapshot) {
  agents = new Map((snapshot.agents || []).map((a) => [a.agent_id, a]));
  queues = snapshot.queues || [];
  queuesReadAt = Date.now();
  if (snapshot.emergency != null) emergency = !!snapshot.emergency;
  $("wb-updated").textContent = t("wb.updated", { at: fmtTime(snapshot.at || new Date().toISOString()) });
  render();
}

export async function loadWallboard() {
  if (!isSupervisor()) return;
  try {
    const fresh = boardLoad();
    const [agentList, queueList, switchState] = await Promise.all([
      api("GET", "/api/agents"), api("GET", "/api/queues"), api("GET", "/api/acd/emergency")]);
    if (!fresh()) return;
    applySnapshot({ agents: agentList, queues: queueList, emergency: switchState.on, at: new Date().toISOString() });
  } catch (e) { if (e.status !== 401) toast(e.message, true); }
  loadSummary(true);
  loadOrders();
}

async function loadSummary(force) {
  if (!force && Date.now() - summaryReadAt < 10000) return;
  summaryReadAt = Date.now();
  try {
    const figures = (await api("GET", "/api/reports/summary")).figures || {};
    const shown = [["service_level", "%"], ["answer_rate", "%"], ["offered"], ["answered"], ["abandoned"], ["asa_seconds", "s"]];
    $("wb-figures").replaceChildren(...shown.map(([name, unit]) => {
      const v = figures[name];
      const text = v == null ? "—" : unit === "%" ? (v * 100).toFixed(1) + "%" : unit === "s" ? fmtNum(v, 1) : String(v);
      return el("div", { class: "figure", "data-figure": name }, [el("div", { text: label("figure", name) }), el("div", { class: "val", text })]);
    }));
  } catch (e) { if (e.status !== 401 && e.status !== 403) toast(e.message, true); }
}

function render() {
  $("wb-emergency-state").textContent = emergency ? t("wb.emergency_on") : t("wb.emergency_off");
  $("wb-emergency-state").dataset.on = String(emergency);
  $("wb-emergency-toggle").textContent = emergency ? t("wb.emergency_turn_off") : t("wb.emergency_turn_on");
  $("wb-emergency-toggle").className = emergency ? "" : "danger";
  $("wb-queues").tBodies[0].replaceChildren(...queues.map((q) => el("tr", { "data-queue": q.queue }, [
    el("td", { text: q.queue }), el("td", { class: "num", "data-testid": "wb-waiting", text: String(q.waiting) }),
    el("td", { class: "num", text: String(q.callbacks_waiting ?? "—") }),
    el("td", { class: "num", "data-longest": String(q.waiting ? q.longest_wait : -1) }),
    el("td", { class: "num", text: String(q.staffed ?? "—") }), el("td", { class: "num", text: String(q.ready ?? "—") }),
    el("td", { class: "num", text: q.estimated_wait == null ? "—" : fmtDuration(q.estimated_wait) }),
  ])));
  const spy = has("POST /api/supervision/spy");
  $("wb-spy-unavailable").hidden = spy;
  const known = new Map(agents);
  for (const p of everyone()) {
    if (p.role === "agent" && !known.has(p.id)) known.set(p.id, { agent_id: p.id, state: "logged_out", seat: null, since: null });
  }
  const rows = [...known.values()].sort((a, b) => nameOf(a.agent_id).localeCompare(nameOf(b.agent_id)));
  $("wb-agents").tBodies[0].replaceChildren(...rows.map((a) => el("tr", { "data-agent-id": String(a.agent_id) }, [
    el("td", { text: nameOf(a.agent_id) }), el("td", { text: a.seat || "—" }),
    el("td", null, [el("span", { class: "state-pill", "data-state": a.state, "data-testid": "wb-agent-state",
      text: label("state", a.state) + (a.state === "not_ready" && a.reason ? " · " + label("reason", a.reason) : "") })]),
    el("td", { class: "num", "data-since": a.since && a.state !== "logged_out" ? a.since : "" }),
    el("td", { class: "num", text: String(a.calls_answered ?? "—") }),
    el("td", null, ["ready", "not_ready", "logged_out"].map((s) => el("button", { type: "button", class: "small",
      "data-force": s, disabled: a.state === s || (s !== "logged_out" && ["logged_out", "offered", "on_call"].includes(a.state)),
      text: label("force", s), onclick: () => force(a.agent_id, s) }))),
    el("td", null, spy ? SPY_MODES.map((mode) => el("button", { type: "button", class: "small", "data-spy": mode,
      disabled: a.state !== "on_call", text: label("spy", mode), onclick: () => supervise(a.agent_id, mode) })) : []),
  ])));
  tickWallboard();
}

export function tickWallboard() {
  const now = Date.now();
  for (const node of document.querySelectorAll("#wb-agents [data-since]")) {
    const since = new Date(node.dataset.since).getTime();
    node.textContent = isNaN(since) ? "—" : fmtDuration((now - since) / 1000);
  }
  for (const node of document.querySelectorAll("#wb-queues [data-longest]")) {
    const longest = Number(node.dataset.longest);
    node.textContent = longest < 0 ? "—" : fmtDuration(longest + (now - queuesReadAt) / 1000);
  }
}

async function force(agentId, state) {
  try { await api("PUT", `/api/agents/${agentId}/state`, { state }); toast(t("wb.forced", { name: nameOf(agentId), state: label("state", state) })); }
  catch (e) { if (e.status !== 401) toast(e.message, true); }
}

async function supervise(agentId, mode) {
  try { await api("POST", "/api/supervision/spy", { agent_id: agentId, mode }); toast(t("wb.spying", { mode: label("spy", mode), name: nameOf(agentId) })); }
  catch (e) { if (e.status !== 401) toast(e.missing ? t("common.unavailable") : e.message, true); }
}

// ---- emergency switch ---------------------------------------------------------------------------------------
function askEmergency() {
  $("emergency-question").textContent = emergency ? t("wb.emergency_ask_off") : t("wb.emergency_ask_on");
  $("emergency-error").textContent = "";
  $("emergency-dialog").showModal();
}

async function switchEmergency(ev) {
  ev.preventDefault();
  const note = $("emergency-note").value.trim();
  if (!emergency && !note) { $("emergency-error").textContent = t("wb.err_emergency_note"); $("emergency-note").focus(); return; }
  try {
    const result = await api("PUT", "/api/acd/emergency", { on: !emergency, note });
    emergency = !!result.on;
    clearDrafts([$("emergency-note")]);
    $("emergency-dialog").close();
    render();
    toast(emergency ? t("wb.emergency_on") : t("wb.emergency_off"));
  } catch (e) { $("emergency-error").textContent = e.status === 401 ? "" : e.message; }
}

// ---- overdue and unowned work orders --------------------------------------------------------------------------
async function loadOrders() {
  const available = hasParam("GET /api/work-orders", "scope");
  document.querySelector('[data-testid="wb-orders-unavailable"]').hidden = available;
  $("wb-orders").hidden = !available;
  if (!available) return;
  try {
    const fresh = ordersLoad();
    const [overdue, unowned] = await Promise.all([api("GET", "/api/work-orders?scope=overdue"), api("GET", "/api/work-orders?scope=unowned")]);
    if (!fresh()) return;
    const readAt = Date.now();
    const byId = new Map();
    for (const o of overdue.filter((o) => o.overdue === true).concat(unowned.filter((o) => o.owner_id == null))) byId.set(o.id, o);
    const canReassign = has("POST /api/work-orders/{}/reassign");
    const choices = agentChoices(null);
    $("wb-orders").tBodies[0].replaceChildren(...[...byId.values()].map((o) => {
      const due = orderRow(o, readAt).querySelector("[data-due-at]");
      const to = el("select", { "data-testid": "wb-reassign-to" });
      fillSelect(to, choices);
      const reason = el("input", { "data-testid": "wb-reassign-reason", maxlength: "500", placeholder: t("wo.reason") });
      return el("tr", { "data-order-id": String(o.id) }, [
        el("td", { text: String(o.id) }), el("td", { text: label("category", o.category) }),
        el("td", { text: label("priority", o.priority) }), el("td", { text: label("status", o.status) }),
        el("td", { text: o.owner_id == null ? t("wo.unowned") : nameOf(o.owner_id) }),
        el("td", null, [due || (o.overdue ? el("span", { class: "tag overdue", text: t("wo.overdue") }) : null)]),
        el("td", { class: "desc", text: o.description }),
        el("td", null, canReassign ? [to, " ", reason, " ", el("button", { type: "button", class: "small primary", text: t("wb.reassign"),
          onclick: () => reassign(o.id, to, reason) })] : [t("common.unavailable")]),
      ]);
    }));
    if (!byId.size) $("wb-orders").tBodies[0].appendChild(el("tr", null, [el("td", { colspan: "8", class: "muted", text: t("common.none") })]));
    tickDue();
  } catch (e) { if (e.status !== 401) toast(e.message, true); }
}

async function reassign(orderId, select, reason) {
  if (!reason.value.trim()) { reason.setAttribute("aria-invalid", "true"); reason.focus(); toast(t("wo.err_reason"), true); return; }
  try {
    await api("POST", `/api/work-orders/${orderId}/reassign`, { to_agent_id: Number(select.value), reason: reason.value.trim() });
    toast(t("common.saved"));
    loadOrders();
  } catch (e) { if (e.status !== 401) toast(e.missing ? t("common.unavailable") : e.message, true); }
}

export function initWallboard() {
  $("wb-emergency-toggle").addEventListener("click", askEmergency);
  $("emergency-form").addEventListener("submit", switchEmergency);
  $("emergency-cancel").addEventListener("click", () => $("emergency-dialog").close());
  $("wb-orders-refresh").addEventListener("click", loadOrders);
  live.on("wallboard", (msg) => { applySnapshot(msg); loadSummary(false); });
  live.on("agent.state_changed", (msg) => {
    const a = agents.get(msg.agent_id) || { agent_id: msg.agent_id, seat: null, calls_answered: null };
    agents.set(msg.agent_id, Object.assign({}, a, { state: msg.to_state, reason: msg.reason || "", since: msg.at }));
    render();
  });
  live.on("acd.emergency_changed", (msg) => { emergency = !!msg.on; render(); });
  setInterval(() => { if (isSupervisor() && !$("tab-wallboard").hidden) loadSummary(true); }, 30000);
}
