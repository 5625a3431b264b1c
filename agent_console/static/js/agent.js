// The agent's own state: seat, ready / not ready with a reason, the time in the state, the wrap-up countdown.
import { $, el, fillSelect, fmtDuration, toast } from "./dom.js";
import { api } from "./api.js";
import { label, t } from "./i18n.js";
import * as live from "./live.js";
import { session } from "./session.js";

const SYSTEM_REASONS = new Set(["missed", "forced"]);  // set by the ACD or a supervisor, never chosen
const EXTEND_SECONDS = 30;

export let agent = loggedOut();
let reasons = [];
const listeners = [];

function loggedOut() { return { state: "logged_out", seat: null, reason: "", since: null, call: null, wrapup_until: null }; }

export function onAgentChange(fn) { listeners.push(fn); }

export function setAgent(view) {
  if (!view) return;
  agent = Object.assign(loggedOut(), view);
  render();
  for (const fn of listeners) fn(agent);
}

export function reset() { agent = loggedOut(); render(); }

export async function syncAgent() {
  try { setAgent(await api("GET", "/api/agent")); } catch (e) { if (e.status !== 401) toast(e.message, true); }
}

function render() {
  const badge = $("state-badge");
  badge.dataset.state = agent.state;
  let text = label("state", agent.state);
  if (agent.state === "not_ready" && agent.reason) text += " · " + label("reason", agent.reason);
  $("state-label").textContent = text;
  badge.title = agent.seat ? agent.seat : "";
  const s = agent.state, busy = s === "offered" || s === "on_call";
  $("btn-ready").disabled = s === "logged_out" || busy || s === "ready";
  $("btn-not-ready").disabled = s === "logged_out" || busy;
  $("btn-logout").disabled = s === "logged_out" || busy;
  $("seat-select").disabled = busy;
  const seat = $("seat-select");
  if (agent.seat && ![...seat.options].some((o) => o.value === agent.seat)) seat.appendChild(el("option", { value: agent.seat, text: agent.seat }));
  seat.value = s === "logged_out" ? "" : agent.seat || "";
  tick();
}

export function tick() {
  const since = agent.since ? new Date(agent.since).getTime() : NaN;
  $("state-timer").textContent = isNaN(since) || agent.state === "logged_out" ? "" : fmtDuration((Date.now() - since) / 1000);
  const until = agent.wrapup_until ? new Date(agent.wrapup_until).getTime() : NaN;
  const wrapping = agent.state === "wrap_up";
  $("wrapup-box").hidden = !wrapping;
  if (wrapping) $("wrapup-countdown").textContent = isNaN(until) ? "—" : fmtDuration(Math.max(0, (until - Date.now()) / 1000));
}

async function change(state, reason) {
  try { setAgent(await api("PUT", "/api/agent/state", { state, reason: reason || "" })); }
  catch (e) { if (e.status !== 401) toast(e.message, true); syncAgent(); }
}

export async function loadSeats() {
  try {
    const seats = await api("GET", "/api/seats");
    const mineId = session.user && session.user.id;
    fillSelect($("seat-select"), [["", t("agent.choose_seat")], ...seats.map((s) => {
      const taken = s.agent_id != null && s.agent_id !== mineId;
      const notes = (s.registered ? "" : " " + t("agent.seat_unregistered")) + (taken ? " " + t("agent.seat_taken") : "");
      return [s.seat, s.seat + notes, taken];
    })], false);
    render();
  } catch (e) { if (e.status !== 401) toast(e.message, true); }
}

export async function loadReasons() {
  try { reasons = (await api("GET", "/api/agent/reasons")).filter((r) => !SYSTEM_REASONS.has(r)); }
  catch (e) { reasons = ["break", "meal", "training", "meeting"]; }
  renderReasons();
}

export function renderReasons() {
  fillSelect($("nr-reason"), reasons.map((r) => [r, label("reason", r)]));
}

export function initAgent() {
  $("btn-ready").addEventListener("click", () => change("ready"));
  $("btn-not-ready").addEventListener("click", () => change("not_ready", $("nr-reason").value));
  $("btn-logout").addEventListener("click", () => change("logged_out"));
  $("wrapup-done").addEventListener("click", () => change("ready"));
  $("wrapup-extend").addEventListener("click", async () => {
    try { setAgent(await api("POST", "/api/agent/wrapup/extend", { seconds: EXTEND_SECONDS })); }
    catch (e) { if (e.status !== 401) toast(e.message, true); syncAgent(); }
  });
  $("seat-select").addEventListener("focus", loadSeats);
  $("seat-select").addEventListener("change", async () => {
    const seat = $("seat-select").value;
    if (!seat) return;
    try { setAgent(await api("PUT", "/api/agent/seat", { seat })); toast(t("agent.seat_bound", { seat })); }
    catch (e) { if (e.status !== 401) toast(e.message, true); syncAgent(); }
  });
  live.on("hello", (msg) => { if (msg.agent) setAgent(msg.agent); });
  live.on("agent.state_changed", (msg) => {
    if (!session.user || msg.agent_id !== session.user.id) return;
    const onCall = ["offered", "on_call", "wrap_up"].includes(msg.to_state);
    setAgent(Object.assign({}, agent, { state: msg.to_state, reason: msg.reason || "", since: msg.at || new Date().toISOString(),
      call: onCall ? msg.linkedid || agent.call : null, wrapup_until: msg.to_state === "wrap_up" ? agent.wrapup_until : null }));
    if (msg.to_state === "wrap_up") syncAgent();  // the deadline comes with the agent's view
  });
  live.on("agent.wrapup_extended", (msg) => {
    if (session.user && msg.agent_id === session.user.id) setAgent(Object.assign({}, agent, { wrapup_until: msg.until }));
  });
}
