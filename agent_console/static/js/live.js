// The live feed: one websocket, reconnected with exponential backoff (1 s doubling to 30 s, with jitter) while the
// "reconnecting" banner shows; a silent connection is noticed by a ping that gets no pong. After a reconnect the
// console resyncs (the listeners given to onResync re-read the agent and the lists).
import { $ } from "./dom.js";
import { session } from "./session.js";

const PING_EVERY_MS = 15000;
const PONG_WITHIN_MS = 8000;

const handlers = new Map();   // message type -> [fn]
const resyncs = [];
let ws = null, wanted = false, retry = 0, retryTimer = null, pingTimer = null, pongTimer = null;
let onRejected = () => {};
let dropped = false;          // the connection was lost since the last hello: resync on the next one

export function on(type, fn) {
  if (!handlers.has(type)) handlers.set(type, []);
  handlers.get(type).push(fn);
}

export function onResync(fn) { resyncs.push(fn); }
export function whenRejected(fn) { onRejected = fn; }

export function start() { wanted = true; retry = 0; dropped = false; connect(); }

export function stop() {
  wanted = false;
  clearTimeout(retryTimer); clearInterval(pingTimer); clearTimeout(pongTimer);
  const sock = ws; ws = null;
  if (sock) { try { sock.close(1000); } catch (e) { /* already closed */ } }
  showBanner(false);
}

export function connected() { return !!ws && ws.readyState === WebSocket.OPEN; }

function showBanner(shown) {
  $("ws-banner").hidden = !shown;
  document.body.dataset.live = shown ? "down" : wanted && connected() ? "up" : "off";
}

function connect() {
  if (!wanted || !session.token) return;
  clearTimeout(retryTimer);
  if (navigator.onLine === false) { lost(); return; }  // the "online" event reconnects at once
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws?token=" + encodeURIComponent(session.token);
  let sock;
  try { sock = new WebSocket(url); } catch (e) { lost(); return; }
  ws = sock;
  sock.onmessage = (ev) => { if (sock === ws) receive(ev.data); };
  sock.onclose = (ev) => {
    if (sock !== ws) return;
    ws = null;
    if (!wanted) return;
    if (ev.code === 4401) { onRejected(); return; }
    lost();
  };
  sock.onerror = () => { /* onclose follows */ };
}

function lost() {
  dropped = true;
  clearInterval(pingTimer); clearTimeout(pongTimer);
  showBanner(true);
  const delay = Math.min(30000, 1000 * 2 ** retry) * (0.75 + Math.random() * 0.5);
  retry = Math.min(retry + 1, 10);
  clearTimeout(retryTimer);
  retryTimer = setTimeout(connect, delay);
}

/** Drops the current connection (it went silent, or the browser went offline) and starts reconnecting. */
function drop() {
  const sock = ws;
  ws = null;
  if (sock) { try { sock.close(4000); } catch (e) { /* ignore */ } }
  if (wanted) lost();
}

function ping() {
  if (!connected()) return;
  ws.send(JSON.stringify({ type: "ping", v: 1 }));
  clearTimeout(pongTimer);
  pongTimer = setTimeout(drop, PONG_WITHIN_MS);
}

function receive(raw) {
  let msg;
  try { msg = JSON.parse(raw); } catch (e) { return; }
  if (!msg || typeof msg !== "object") return;
  if (msg.type === "pong") { clearTimeout(pongTimer); return; }
  if (msg.type === "hello") {
    retry = 0;
    showBanner(false);
    clearInterval(pingTimer);
    pingTimer = setInterval(ping, PING_EVERY_MS);
    const again = dropped;
    dropped = false;
    for (const fn of resyncs) fn(again);
  }
  for (const fn of handlers.get(msg.type) || []) {
    try { fn(msg); } catch (e) { console.error("handler for", msg.type, "failed:", e); }
  }
}

window.addEventListener("offline", () => { if (wanted) drop(); });
window.addEventListener("online", () => { if (wanted && !ws) { retry = 0; connect(); } });
