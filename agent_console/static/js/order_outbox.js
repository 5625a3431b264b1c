// Work orders not yet written (待提交): an order the server could not store — it answered 503 (the database is
// away) or the network failed — is kept in localStorage (per user: a reload or a crash of the tab loses nothing),
// shown as pending, and sent again with backoff under the same Idempotency-Key until the server writes it (once:
// a retry of an order already written returns it) or refuses it (then it stays listed with the reason, never
// dropped in silence, until the agent edits it in the form or discards it).
import { $, el } from "./dom.js";
import { api } from "./api.js";
import { label, t } from "./i18n.js";
import { recall, remember, session } from "./session.js";

const STORE = "pending_orders";
const FIRST_DELAY_MS = 2000;
const MAX_DELAY_MS = 60000;
let timer = null;
let flushing = false;
let handlers = { written: () => {}, edit: () => {} };

/** A random UUID (crypto.randomUUID exists only on https or localhost pages). */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
}

/** Sends one order under its key: 201 the first time, 200 with the same order for a retry. */
export function sendOrder(key, body) {
  return api("POST", "/api/work-orders", body, { "Idempotency-Key": key });
}

/** The server could not store it now (down, database away, busy): worth sending again as it is. */
export function unreachable(e) {
  return [0, 429, 502, 503, 504].includes(e.status) || e.code === "idempotency_key_in_use";
}

function entries() { return recall(STORE) || []; }

function save(list) {
  remember(STORE, list);
  renderPending();
  schedule();
}

function change(key, fields) { save(entries().map((e) => (e.key === key ? { ...e, ...fields } : e))); }

function drop(key) { save(entries().filter((e) => e.key !== key)); }

function delayMs(attempts, retryAfter) {
  const backoff = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.max(backoff * (0.8 + Math.random() * 0.4), (retryAfter || 0) * 1000);
}

/** Keeps an order the server could not store; it is sent again after a delay (``error``: the first failure). */
export function enqueue(key, body, error) {
  const list = entries().filter((e) => e.key !== key);
  list.push({ key, body, queued_at: new Date().toISOString(), attempts: 1,
    next_at: Date.now() + delayMs(1, error && error.retryAfter), refused: null, detail: [] });
  save(list);
}

/** Sends every pending order that is due, oldest first; stops at the first the server still cannot store. */
export async function flushPending() {
  if (flushing || !session.token) return;
  flushing = true;
  try {
    for (const entry of entries()) {
      if (entry.refused || entry.next_at > Date.now()) continue;
      try {
        const order = await sendOrder(entry.key, entry.body);
        drop(entry.key);
        handlers.written(order);
      } catch (e) {
        if (unreachable(e) || e.status === 401) {  // 401: kept for when this user signs in again
          change(entry.key, { attempts: entry.attempts + 1, next_at: Date.now() + delayMs(entry.attempts + 1, e.retryAfter) });
          break;
        }
        change(entry.key, { refused: e.message, detail: e.detail || [] });
        if (!$("wo-description").value.trim()) editPending(entry.key);  // the form is free: show it there
      }
    }
  } finally {
    flushing = false;
    schedule();
  }
}

function schedule() {
  clearTimeout(timer);
  const due = entries().filter((e) => !e.refused).map((e) => e.next_at);
  if (due.length && session.token) timer = setTimeout(flushPending, Math.max(0, Math.min(...due) - Date.now()));
}

function retryNow() {
  save(entries().map((e) => (e.refused ? e : { ...e, next_at: Date.now() })));
  flushPending();
}

function editPending(key) {
  const entry = entries().find((e) => e.key === key);
  if (!entry) return;
  drop(key);
  handlers.edit(entry.body, entry.detail, entry.refused);
}

function pendingRow(entry) {
  const refused = !!entry.refused;
  return el("li", { "data-testid": "wo-pending-item", "data-key": entry.key, "data-attempts": String(entry.attempts) }, [
    el("span", { class: "tag pending", "data-testid": "wo-pending-tag", text: t(refused ? "wo.refused" : "wo.pending") }),
    el("span", { class: "tag", text: label("category", entry.body.category) }),
    el("span", { class: "tag " + (entry.body.priority || ""), text: label("priority", entry.body.priority) }),
    el("div", { class: "desc", text: entry.body.description }),
    refused ? el("div", { class: "field-error", "data-testid": "wo-pending-error", text: entry.refused }) : null,
    el("span", { class: "inline" }, refused
      ? [el("button", { type: "button", "data-testid": "wo-pending-edit", text: t("wo.pending_edit"),
        onclick: () => { if (!$("wo-description").value.trim() || confirm(t("wo.clear_confirm"))) editPending(entry.key); } }),
        el("button", { type: "button", text: t("wo.pending_discard"),
          onclick: () => { if (confirm(t("wo.pending_discard_confirm"))) drop(entry.key); } })]
      : [el("button", { type: "button", "data-testid": "wo-pending-retry", text: t("wo.pending_retry"), onclick: retryNow })]),
  ]);
}

/** Shows the pending orders (above "my work orders") and schedules their next try. */
export function renderPending() {
  const list = entries();
  $("wo-pending").replaceChildren(...list.map(pendingRow));
  $("wo-pending").hidden = !list.length;
}

/** ``written(order)``: a pending order was stored; ``edit(body, detail, message)``: put a refused one in the form. */
export function initOutbox(on) {
  handlers = on;
  window.addEventListener("online", retryNow);
}

/** After sign-in or a reload: show this user's pending orders and send those that are due. */
export function resumePending() {
  renderPending();
  flushPending();
}
