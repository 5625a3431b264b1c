// Work orders (工单): the form (validated, its draft kept in localStorage), "my work orders" with the time left
// and the overdue flag, and one order's history with its status change, handover and close. An order the server
// cannot store now waits in order_outbox.js (待提交) and is sent again until it is written.
import { $, el, fillSelect, fmtDuration, fmtTime, latestOnly, toast } from "./dom.js";
import { api, has } from "./api.js";
import { loadCallbacks, onCallbackChange } from "./callbacks.js";
import { label, options, t } from "./i18n.js";
import { agentChoices, nameOf } from "./people.js";
import { enqueue, initOutbox, newKey, resumePending, sendOrder, unreachable } from "./order_outbox.js";
import { currentPop, onPop } from "./pop.js";
import { clearDrafts, saveDraftField, session } from "./session.js";

const FORM_FIELDS = ["wo-linkedid", "wo-category", "wo-priority", "wo-account", "wo-address", "wo-description"];
const SERVER_FIELDS = { category: "wo-category", priority: "wo-priority", description: "wo-description",
  address: "wo-address", account_number: "wo-account", linkedid: "wo-linkedid" };
// The statuses an order may move to by a status change (the server's work_orders.rules.TRANSITIONS; closing
// has its own form).
const NEXT_STATUS = { new: ["in_progress", "dispatched"], in_progress: ["dispatched", "awaiting_callback"],
  dispatched: ["in_progress", "awaiting_callback"], awaiting_callback: ["in_progress", "dispatched"], closed: [] };
let shownOrder = null;
const listLoad = latestOnly();

/** When an order is due, in ms since the epoch (from due_at, or from remaining_seconds when it was read). */
function dueTime(o, readAt) {
  if (o.due_at) return new Date(o.due_at).getTime();
  if (o.remaining_seconds != null) return readAt + o.remaining_seconds * 1000;
  return NaN;
}

function dueBadge(o, readAt) {
  const due = dueTime(o, readAt);
  if (o.status === "closed" || isNaN(due)) return o.overdue ? el("span", { class: "tag overdue", text: t("wo.overdue") }) : null;
  return el("span", { class: "countdown", "data-due-at": String(due), "data-overdue": String(!!o.overdue) });
}

/** Refreshes every due countdown on the page (called each second). */
export function tickDue() {
  const now = Date.now();
  for (const node of document.querySelectorAll("[data-due-at]")) {
    const left = (Number(node.dataset.dueAt) - now) / 1000;
    const overdue = node.dataset.overdue === "true" || left < 0;
    node.className = "countdown tag" + (overdue ? " overdue" : "");
    node.textContent = overdue ? t("wo.overdue_by", { time: fmtDuration(-left) }) : t("wo.due_in", { time: fmtDuration(left) });
    const row = node.closest("li, tr");
    if (row) row.classList.toggle("overdue-row", overdue);
  }
}

export function orderRow(o, readAt) {
  return el("li", { class: "clickable", "data-order-id": String(o.id), onclick: () => showOrder(o.id) }, [
    el("strong", { text: "#" + o.id + " " }),
    el("span", { class: "tag", text: label("category", o.category) }),
    el("span", { class: "tag " + (o.priority || ""), text: label("priority", o.priority) }),
    el("span", { class: "tag" + (o.status !== "closed" ? " open" : ""), "data-testid": "wo-status-tag", text: label("status", o.status) }),
    dueBadge(o, readAt),
    el("span", { class: "muted", text: fmtTime(o.created_at, true) }),
    el("div", { class: "desc", text: o.description }),
    o.address ? el("div", { class: "muted", text: o.address }) : null,
  ]);
}

export async function loadOrders() {
  resumePending();
  try {
    const fresh = listLoad();
    const orders = await api("GET", "/api/work-orders?scope=mine&include_closed=true");  // open ones first
    if (!fresh()) return;
    const readAt = Date.now();
    const list = $("wo-list");
    list.replaceChildren(...orders.map((o) => orderRow(o, readAt)));
    if (!orders.length) list.appendChild(el("li", { class: "muted", text: t("wo.none") }));
    tickDue();
  } catch (e) { if (e.status !== 401) toast(e.message, true); }
}

// ---- the form ---------------------------------------------------------------------------------------------
function fieldError(name, message) {
  const id = SERVER_FIELDS[name];
  const slot = document.querySelector(`#wo-form [data-error-for="${name}"]`);
  if (slot) slot.textContent = message || "";
  if (id) { if (message) $(id).setAttribute("aria-invalid", "true"); else $(id).removeAttribute("aria-invalid"); }
}

function validate(d) {
  const errors = {};
  if (!d.category) errors.category = t("wo.err_category");
  if (!d.description) errors.description = t("wo.err_description");
  else if (d.description.length > 4000) errors.description = t("wo.err_description_long");
  if (d.account_number && !/^[0-9]{4,20}$/.test(d.account_number)) errors.account_number = t("wo.err_account");
  if (d.address.length > 255) errors.address = t("wo.err_address");
  return errors;
}

function readForm() {
  return { linkedid: $("wo-linkedid").value || null, category: $("wo-category").value, priority: $("wo-priority").value || "normal",
    description: $("wo-description").value.trim(), address: $("wo-address").value.trim(), account_number: $("wo-account").value.trim() };
}

async function submit(ev) {
  ev.preventDefault();
  const d = readForm();
  for (const name of Object.keys(SERVER_FIELDS)) fieldError(name, "");
  const errors = validate(d);
  if (Object.keys(errors).length) {
    for (const [name, message] of Object.entries(errors)) fieldError(name, message);
    $("wo-msg").textContent = t("wo.fix_errors");
    $(SERVER_FIELDS[Object.keys(errors)[0]]).focus();
    return;
  }
  $("wo-submit").disabled = true;
  $("wo-msg").textContent = t("common.saving");
  const body = { ...d, account_number: d.account_number || null };
  const key = newKey();  // the same key on every retry: the server writes the order once
  try {
    const order = await sendOrder(key, body);
    $("wo-msg").textContent = t("wo.created", { id: order.id });
    emptyForm();
    loadOrders();
  } catch (e) {
    if (unreachable(e)) {  // kept on this computer and sent again: the agent can go on with the next call
      enqueue(key, body, e);
      emptyForm();
      $("wo-msg").textContent = t("wo.queued");
      return;
    }
    showRefusal(e.detail, e.status === 401 ? "" : t("wo.failed", { why: e.message }));
  } finally { $("wo-submit").disabled = false; }
}

function emptyForm() {
  clearDrafts(FORM_FIELDS.map((id) => $(id)));
  $("wo-priority").value = "normal";
  $("wo-notice").hidden = true;
}

function showRefusal(detail, message) {
  for (const item of detail || []) fieldError(String((item.loc || []).slice(-1)[0]), item.msg);
  $("wo-msg").textContent = message;
}

/** A pending order the server refused, back in the form with the reason, to correct and submit again. */
function editRefused(body, detail, message) {
  const values = { "wo-linkedid": body.linkedid, "wo-category": body.category, "wo-priority": body.priority,
    "wo-account": body.account_number, "wo-address": body.address, "wo-description": body.description };
  for (const [id, value] of Object.entries(values)) { $(id).value = value || ""; saveDraftField($(id)); }
  for (const name of Object.keys(SERVER_FIELDS)) fieldError(name, "");
  showRefusal(detail, t("wo.failed", { why: message }));
}

function fillFromPop() {
  const pop = currentPop();
  if (!pop) return;
  $("wo-linkedid").value = pop.linkedid || "";
  $("wo-account").value = pop.account_number || "";
  $("wo-address").value = (pop.account && pop.account.address) || "";
  $("wo-notice").hidden = true;
  for (const id of ["wo-linkedid", "wo-account", "wo-address"]) saveDraftField($(id));
}

// ---- one order ------------------------------------------------------------------------------------------
export async function showOrder(id) {
  let order;
  try { order = await api("GET", "/api/work-orders/" + id); }
  catch (e) { if (e.status !== 401) toast(e.message, true); return; }
  shownOrder = order;
  const readAt = Date.now();
  $("wo-detail").hidden = false;
  $("wo-detail-id").textContent = "#" + order.id;
  $("wo-detail-summary").replaceChildren(
    el("div", null, [el("span", { class: "tag", text: label("category", order.category) }),
      el("span", { class: "tag " + (order.priority || ""), text: label("priority", order.priority) }),
      el("span", { class: "tag", "data-testid": "wo-detail-status", text: label("status", order.status) }), dueBadge(order, readAt)]),
    el("div", { class: "desc", "data-testid": "wo-detail-description", text: order.description }),
    el("div", { class: "muted", text: [order.address, order.account_number].filter(Boolean).join(" · ") }),
    el("div", { class: "muted", text: t("wo.owner") + ": " + nameOf(order.owner_id) }),
  );
  $("wo-history").replaceChildren(...(order.history || []).map((h) => el("li", { "data-testid": "wo-history-item" }, [
    el("span", { class: "muted", text: fmtTime(h.at, true) + " " }),
    el("strong", { text: label("action", h.action) + " " }),
    h.to_status ? el("span", { class: "tag", text: (h.from_status ? label("status", h.from_status) + " → " : "") + label("status", h.to_status) }) : null,
    el("span", { class: "muted", text: nameOf(h.actor_id) }),
    h.note ? el("div", { class: "desc note", "data-testid": "wo-history-note", text: h.note }) : null,
  ])));
  const callbacks = order.callbacks || [];
  $("wo-detail-callbacks-box").hidden = !callbacks.length;
  $("wo-detail-callbacks").replaceChildren(...callbacks.map((c) => el("li", null, [
    el("span", { text: c.number + " " }), el("span", { class: "tag", text: label("cb_status", c.status) }),
    el("span", { class: "muted", text: fmtTime(c.due_at, true) }), c.note ? el("div", { class: "desc", text: c.note }) : null,
  ])));
  const next = NEXT_STATUS[order.status] || [];
  fillSelect($("wo-status"), options("status").filter(([v]) => next.includes(v)));
  fillSelect($("wo-handover-to"), agentChoices(session.user && session.user.id));
  const closed = order.status === "closed";
  for (const id of ["wo-status-form", "wo-handover-form", "wo-close-form"]) {
    const form = $(id);
    form.hidden = closed || !has(form.dataset.feature);
    form.querySelector(".form-msg").textContent = "";
  }
  $("wo-actions-unavailable").hidden = closed || ["status", "handover", "close"].some((a) => has(`POST /api/work-orders/{}/${a}`));
  tickDue();
}

async function act(form, action, body, fields) {
  const msg = form.querySelector(".form-msg");
  msg.textContent = t("common.saving");
  try {
    await api("POST", `/api/work-orders/${shownOrder.id}/${action}`, body);
    clearDrafts(fields);
    msg.textContent = "";
    toast(t("common.saved"));
    await showOrder(shownOrder.id);
    loadOrders();
    if (action === "status") loadCallbacks();  // awaiting a callback schedules the closing one
  } catch (e) { msg.textContent = e.status === 401 ? "" : e.missing ? t("common.unavailable") : e.message; }
}

function required(form, input, message) {
  if (input.value.trim()) { input.removeAttribute("aria-invalid"); return true; }
  input.setAttribute("aria-invalid", "true");
  form.querySelector(".form-msg").textContent = message;
  input.focus();
  return false;
}

export function initOrders() {
  $("wo-form").addEventListener("submit", submit);
  initOutbox({
    written: (order) => { $("wo-msg").textContent = t("wo.pending_sent", { id: order.id }); loadOrders(); },
    edit: editRefused,
  });
  $("wo-fill").addEventListener("click", fillFromPop);
  $("wo-unlink").addEventListener("click", () => { $("wo-linkedid").value = ""; saveDraftField($("wo-linkedid")); });
  $("wo-clear").addEventListener("click", () => {
    if ($("wo-description").value && !confirm(t("wo.clear_confirm"))) return;
    clearDrafts(FORM_FIELDS.map((id) => $(id)));
    $("wo-priority").value = "normal";
    for (const name of Object.keys(SERVER_FIELDS)) fieldError(name, "");
    $("wo-msg").textContent = "";
  });
  $("wo-refresh").addEventListener("click", loadOrders);
  onCallbackChange((c) => { if (shownOrder && c.work_order_id === shownOrder.id) showOrder(shownOrder.id); });
  $("wo-detail-close").addEventListener("click", () => { $("wo-detail").hidden = true; shownOrder = null; });
  onPop((pop) => {
    if (!$("wo-description").value.trim()) fillFromPop();
    else if ($("wo-linkedid").value !== pop.linkedid) $("wo-notice").hidden = false;
  });
  $("wo-status-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    act(ev.target, "status", { status: $("wo-status").value, note: $("wo-status-note").value.trim() }, [$("wo-status-note")]);
  });
  $("wo-handover-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!required(ev.target, $("wo-handover-reason"), t("wo.err_reason"))) return;
    act(ev.target, "handover", { to_agent_id: Number($("wo-handover-to").value), reason: $("wo-handover-reason").value.trim() },
      [$("wo-handover-reason")]);
  });
  $("wo-close-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const body = { note: $("wo-close-note").value.trim() };
    if ($("wo-close-nocb").value.trim()) body.no_callback_reason = $("wo-close-nocb").value.trim();
    act(ev.target, "close", body, [$("wo-close-note"), $("wo-close-nocb")]);
  });
}

