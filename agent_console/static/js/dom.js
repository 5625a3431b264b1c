// Safe DOM helpers: every piece of data reaches the page through textContent or an attribute value, never
// through innerHTML, so text a caller or an agent typed (a note, a description) is shown, never run.

export const $ = (id) => document.getElementById(id);

export function el(tag, props, children) {
  const node = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v == null || v === false) continue;
      if (k === "text") node.textContent = String(v);
      else if (k === "class") node.className = v;
      else if (k === "onclick") node.addEventListener("click", v);
      else if (k === "dataset") Object.assign(node.dataset, v);
      else if (k === "disabled" || k === "hidden" || k === "selected") node[k] = Boolean(v);
      else node.setAttribute(k, String(v));
    }
  }
  for (const c of children || []) {
    if (c == null || c === false || c === "") continue;
    node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return node;
}

export function setText(id, value) {
  $(id).textContent = value == null || value === "" ? "—" : String(value);
}

let toastTimer = null;
export function toast(message, bad) {
  const t = $("toast");
  t.textContent = message;
  t.className = bad ? "bad" : "";
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, bad ? 6000 : 3000);
}

export function pad(n) { return String(n).padStart(2, "0"); }

export function today() {
  const d = new Date();
  return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
}

export function fmtTime(iso, withDate) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  const t = pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  return withDate ? pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + t : t;
}

export function fmtStamp(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
}

export function fmtNum(v, digits) {
  return v == null ? "—" : typeof v === "number" ? v.toFixed(digits) : String(v);
}

/** 75 -> "1:15", 3725 -> "1:02:05"; negative durations get a minus sign. */
export function fmtDuration(sec) {
  const negative = sec < 0;
  sec = Math.floor(Math.abs(sec));
  const h = Math.floor(sec / 3600), m = Math.floor(sec / 60) % 60, s = sec % 60;
  return (negative ? "-" : "") + (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s);
}

/** Replaces a <select>'s options: items are [value, label] pairs. Keeps the value if it is still offered. */
export function fillSelect(select, items, keep = true) {
  const current = select.value;
  select.replaceChildren(...items.map(([value, label, disabled]) => el("option", { value, text: label, disabled })));
  if (keep && items.some(([value]) => value === current)) select.value = current;
}

/** For a list loaded again and again: a ticket per load; ``ticket()`` is false once a newer load started,
 * so an older answer that arrives late never overwrites a newer one. */
export function latestOnly() {
  let last = 0;
  return () => { const mine = ++last; return () => mine === last; };
}
