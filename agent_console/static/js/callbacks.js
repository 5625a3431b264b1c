// Callbacks (回访, promised call-backs, queue callbacks): the agent's list, one click to call (the agent's phone
// rings first, then the customer's), and the outcome with the customer's satisfaction.
import { $, el, fmtTime, latestOnly, toast } from "./dom.js";
import { api, has } from "./api.js";
import { label, t } from "./i18n.js";
import { clearDrafts } from "./session.js";

let outcomeFor = null;
const listLoad = latestOnly();
const changeListeners = [];

/** ``fn(callback)`` after the agent placed a callback or recorded its outcome (e.g. to refresh its order). */
export function onCallbackChange(fn) { changeListeners.push(fn); }

function changed(c) {
  loadCallbacks();
  for (const fn of changeListeners) fn(c);
}

export async function loadCallbacks() {
  const available = has("GET /api/callbacks");
  document.querySelector('[data-testid="callbacks-unavailable"]').hidden = available;
  $("cb-list").hidden = !available;
  $("cb-refresh").hidden = !available;
  if (!available) return;
  try {
    const fresh = listLoad();
    const items = await api("GET", "/api/callbacks?scope=mine");
    if (!fresh()) return;
    $("cb-list").replaceChildren(...items.map(callbackRow));
    if (!items.length) $("cb-list").appendChild(el("li", { class: "muted", text: t("cb.none") }));
  } catch (e) {
    if (e.missing) { document.querySelector('[data-testid="callbacks-unavailable"]').hidden = false; $("cb-list").hidden = true; }
    else if (e.status !== 401) toast(e.message, true);
  }
}

function callbackRow(c) {
  const done = c.status && !["pending", "scheduled", "due", "open", "placed"].includes(c.status);
  const canDial = has("POST /api/agent/dial");
  const readOnly = c.read_only === true || c.id == null;  // a queue callback: the ACD places it itself
  return el("li", { "data-callback-id": String(c.id ?? c.key ?? "") }, [
    el("strong", { "data-testid": "cb-number", text: c.number + " " }),
    el("span", { class: "tag", text: label("cb_kind", c.kind) }),
    el("span", { class: "tag", text: label("cb_status", c.status) }),
    c.work_order_id != null ? el("span", { class: "muted", text: t("cb.order", { id: c.work_order_id }) + " " }) : null,
    el("span", { class: "muted", text: t("cb.due", { at: fmtTime(c.due_at, true) }) + " " }),
    readOnly ? null : el("button", { type: "button", class: "small good", "data-testid": "cb-call", disabled: done || !canDial,
      title: canDial ? null : t("common.unavailable"), text: canDial ? t("cb.call") : t("cb.call_unavailable"), onclick: () => dial(c) }),
    " ",
    has("POST /api/callbacks/{}/outcome") && !done && !readOnly
      ? el("button", { type: "button", class: "small", "data-testid": "cb-record", text: t("cb.record"), onclick: () => openOutcome(c) }) : null,
  ]);
}

async function dial(c) {
  const body = { number: c.number, callback_id: c.id };
  if (c.work_order_id != null) body.work_order_id = c.work_order_id;
  try { await api("POST", "/api/agent/dial", body); toast(t("cb.dialing", { number: c.number })); openOutcome(c); changed(c); }
  catch (e) { if (e.status !== 401) toast(e.missing ? t("common.unavailable") : e.message, true); }
}

function openOutcome(c) {
  outcomeFor = c;
  $("cb-outcome-form").hidden = false;
  $("cb-outcome-number").textContent = c.number;
  $("cb-outcome-form").querySelector(".form-msg").textContent = "";
}

async function recordOutcome(ev) {
  ev.preventDefault();
  if (!outcomeFor) return;
  const msg = $("cb-outcome-form").querySelector(".form-msg");
  const body = { outcome: $("cb-outcome").value, note: $("cb-note").value.trim() };
  if ($("cb-satisfaction").value) body.satisfaction = Number($("cb-satisfaction").value);
  if (body.outcome === "reached" && body.satisfaction == null) { msg.textContent = t("cb.err_satisfaction"); $("cb-satisfaction").focus(); return; }
  msg.textContent = t("common.saving");
  try {
    await api("POST", `/api/callbacks/${outcomeFor.id}/outcome`, body);
    const c = outcomeFor;
    clearDrafts([$("cb-note")]);
    $("cb-outcome-form").hidden = true;
    outcomeFor = null;
    toast(t("common.saved"));
    changed(c);
  } catch (e) { msg.textContent = e.status === 401 ? "" : e.missing ? t("common.unavailable") : e.message; }
}

export function initCallbacks() {
  $("cb-refresh").addEventListener("click", loadCallbacks);
  $("cb-outcome-form").addEventListener("submit", recordOutcome);
  $("cb-outcome-cancel").addEventListener("click", () => { $("cb-outcome-form").hidden = true; outcomeFor = null; });
}
