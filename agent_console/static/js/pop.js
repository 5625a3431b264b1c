// The screen pop: what the `call.offered` message carries about the caller, shown as it comes (any field may be
// missing), with the account's history (open work orders first) and, during the call, a transfer.
import { $, el, fillSelect, fmtTime, setText, toast } from "./dom.js";
import { api, has } from "./api.js";
import { label, t } from "./i18n.js";
import * as live from "./live.js";
import { agent, onAgentChange, setAgent } from "./agent.js";
import { agentChoices, nameOf } from "./people.js";
import { recall, remember, session } from "./session.js";

let pop = null;
let history = null;   // GET /api/accounts/{n}/history for the pop's account, when the server has it
const popListeners = [];

export function currentPop() { return pop; }
export function onPop(fn) { popListeners.push(fn); }

export function restorePop() { pop = recall("pop"); history = null; render(); }
export function clearPop() { pop = null; history = null; render(); }

function forMe(msg) {
  if (!session.user) return false;
  const ids = msg.agent_ids && msg.agent_ids.length ? msg.agent_ids : [msg.agent_id];
  return ids.includes(session.user.id);
}

export function render() {
  const card = $("screen-pop");
  const ringing = !!(pop && agent.state === "offered" && agent.call === pop.linkedid);
  const talking = !!(pop && agent.state === "on_call" && agent.call === pop.linkedid);
  card.classList.toggle("ringing", ringing);
  card.classList.toggle("active", talking);
  card.dataset.ringing = String(ringing);
  if (!pop) {
    $("pop-empty").hidden = false;
    $("pop-body").hidden = true;
    $("pop-status").textContent = agent.state === "offered" ? t("pop.ringing_no_detail") : t("pop.idle");
    return;
  }
  $("pop-empty").hidden = true;
  $("pop-body").hidden = false;
  $("pop-status").textContent = ringing ? t("pop.ringing") : talking ? t("pop.talking") : pop.ended ? t("pop.ended") : "—";
  const acc = pop.account || {};
  setText("pop-caller", pop.callback_number ? pop.callback_number + " (" + t("pop.callback") + ")" : pop.caller_number);
  setText("pop-account-number", pop.account_number || acc.account_number);
  setText("pop-account-name", acc.name);
  setText("pop-address", acc.address);
  setText("pop-zone", acc.supply_zone);
  setText("pop-amount", acc.amount_due != null ? "¥" + acc.amount_due : null);
  $("pop-amount").classList.toggle("due", acc.amount_due != null && Number(acc.amount_due) > 0);
  setText("pop-due", acc.due_date);
  setText("pop-payment", acc.payment_status ? label("payment", acc.payment_status) : null);
  $("pop-payment").classList.toggle("due", acc.payment_status === "overdue");
  setText("pop-ivr", pop.ivr_path);
  setText("pop-queue", pop.queue);
  renderOutage();
  $("pop-account-error").textContent = pop.account_error ? t("pop.billing_down") :
    (pop.account_number && !pop.account ? t("pop.unknown_account") : "");
  renderHistory();
  renderTransfer(talking);
}

function renderOutage() {
  const outages = [].concat(pop.outages || [], pop.outage ? [pop.outage] : []);
  const box = $("pop-outage");
  box.hidden = !outages.length;
  box.replaceChildren(...outages.map((o) => el("div", { text: t("pop.outage", {
    zone: o.supply_zone || "—", kind: label("outage", o.kind || "unplanned"),
    from: o.starts_at ? fmtTime(o.starts_at, true) : "—", until: o.ends_at ? fmtTime(o.ends_at, true) : "—" }) })));
}

function openFirst(orders) {
  return [...orders].sort((a, b) => (a.status === "closed") - (b.status === "closed") ||
    String(b.created_at || "").localeCompare(String(a.created_at || "")));
}

function renderHistory() {
  const fromPop = pop.history || {};
  const orders = (history && history.work_orders) || fromPop.work_orders || pop.work_orders || [];
  const contacts = (history && history.contacts) || fromPop.contacts || pop.contacts || [];
  const list = $("pop-orders");
  list.replaceChildren(...openFirst(orders).map(orderLine));
  if (!orders.length) list.appendChild(el("li", { class: "muted", text: t("common.none") }));
  const calls = $("pop-contacts");
  calls.replaceChildren(...contacts.slice(0, 10).map((c) => el("li", null, [
    el("span", { text: fmtTime(c.arrived_at || c.at, true) + " " }),
    el("span", { class: "tag", text: c.outcome ? label("outcome", c.outcome) : "—" }),
    c.agent_id != null ? el("span", { class: "muted", text: nameOf(c.agent_id) + " " }) : null,
    c.ivr_path ? el("span", { class: "muted", text: c.ivr_path }) : null,
  ])));
  if (!contacts.length) calls.appendChild(el("li", { class: "muted", text: t("common.none") }));
}

export function orderLine(o) {
  const open = o.status && o.status !== "closed";
  return el("li", { "data-order-id": String(o.id) }, [
    el("strong", { text: "#" + o.id + " " }),
    el("span", { class: "tag", text: label("category", o.category) }),
    el("span", { class: "tag" + (open ? " open" : ""), text: label("status", o.status) }),
    o.overdue ? el("span", { class: "tag overdue", text: t("wo.overdue") }) : null,
    el("span", { class: "muted", text: fmtTime(o.created_at, true) }),
    el("div", { class: "desc", text: o.description }),
  ]);
}

async function loadHistory(accountNumber, linkedid) {
  if (!accountNumber || !has("GET /api/accounts/{}/history")) return;
  try {
    const found = await api("GET", "/api/accounts/" + encodeURIComponent(accountNumber) + "/history");
    if (pop && pop.linkedid === linkedid) { history = Array.isArray(found) ? { work_orders: found } : found; render(); }
  } catch (e) { /* the pop shows what its message carried */ }
}

async function renderTransfer(talking) {
  const box = $("transfer-box");
  box.hidden = !(talking && has("POST /api/agent/transfer"));
  if (box.hidden || box.dataset.filled === pop.linkedid) return;
  box.dataset.filled = pop.linkedid;
  let queues = [];
  try { queues = await api("GET", "/api/queues"); } catch (e) { queues = []; }
  fillSelect($("transfer-target"), [
    ...agentChoices(session.user && session.user.id).map(([id, name]) => ["agent:" + id, t("transfer.to_agent", { name })]),
    ...queues.map((q) => ["queue:" + q.queue, t("transfer.to_queue", { queue: q.queue })]),
  ]);
}

async function transfer() {
  const [kind, target] = $("transfer-target").value.split(/:(.*)/s);
  if (!target) return;
  const body = kind === "agent" ? { to_agent_id: Number(target) } : { queue: target };
  try { await api("POST", "/api/agent/transfer", body); toast(t("transfer.done")); }
  catch (e) { if (e.status !== 401) toast(e.missing ? t("common.unavailable") : e.message, true); }
}

export function initPop() {
  onAgentChange(render);
  $("transfer-go").addEventListener("click", transfer);
  live.on("call.offered", (msg) => {
    if (!forMe(msg)) return;
    pop = Object.assign({}, msg, { ended: false });
    history = null;
    remember("pop", pop);
    for (const fn of popListeners) fn(pop);
    if (agent.state !== "offered" || agent.call !== msg.linkedid) {
      setAgent(Object.assign({}, agent, { state: "offered", call: msg.linkedid, since: new Date().toISOString() }));
    }
    render();
    loadHistory(pop.account_number, pop.linkedid);
  });
  live.on("offer.answered", (msg) => { if (pop && pop.linkedid === msg.linkedid) render(); });
  live.on("call.ended", (msg) => {
    if (pop && pop.linkedid === msg.linkedid) { pop.ended = true; remember("pop", pop); render(); }
  });
}
