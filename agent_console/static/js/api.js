// The console's HTTP client, and which API features this server has (read once from its OpenAPI document), so
// that a feature the server does not offer yet is hidden or shown as unavailable instead of failing.
import { session } from "./session.js";
import { t } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, code, message, detail, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = detail || [];
    this.retryAfter = retryAfter || 0;  // seconds, from a 503's or 429's Retry-After header
  }

  /** The route itself does not exist on this server (not: the thing asked for was not found). */
  get missing() { return (this.status === 404 && !this.code) || this.status === 405; }
}

let onUnauthorized = () => {};
export function whenUnauthorized(handler) { onUnauthorized = handler; }

export async function api(method, path, body, extraHeaders) {
  const headers = { Accept: "application/json", ...extraHeaders };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (session.token) headers.Authorization = "Bearer " + session.token;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, "network", t("error.network"));
  }
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (res.status === 401 && path !== "/api/auth/login") {
    onUnauthorized();
    throw new ApiError(401, "unauthorized", t("error.session_expired"));
  }
  if (!res.ok) {
    const detail = data && Array.isArray(data.detail) ? data.detail : [];
    let message = t("error.http", { status: res.status });
    if (data && data.message) message = data.message;
    else if (detail.length) message = t("error.invalid", { what: detail.map((d) => (d.loc || []).slice(-1).join("") + ": " + d.msg).join("; ") });
    else if (res.status === 404 && !(data && data.error)) message = t("common.unavailable");
    throw new ApiError(res.status, data && data.error, message, detail, Number(res.headers.get("Retry-After")) || 0);
  }
  return data;
}

/** The audio of a recording as an object URL (an <audio> element cannot send the bearer token itself). */
export async function fetchBlobUrl(path) {
  const res = await fetch(path, { headers: session.token ? { Authorization: "Bearer " + session.token } : {} });
  if (res.status === 401) { onUnauthorized(); throw new ApiError(401, "unauthorized", t("error.session_expired")); }
  if (!res.ok) throw new ApiError(res.status, null, t("error.http", { status: res.status }));
  return URL.createObjectURL(await res.blob());
}

// ---- features -------------------------------------------------------------------------------------------
let routes = null;  // "GET /api/work-orders/{}" -> the operation; null: unknown (assume present)

export async function loadFeatures() {
  try {
    const res = await fetch("/openapi.json");
    if (!res.ok) return;
    const doc = await res.json();
    routes = new Map();
    for (const [path, ops] of Object.entries(doc.paths || {})) {
      for (const [method, op] of Object.entries(ops)) routes.set(method.toUpperCase() + " " + path.replace(/\{[^}]*\}/g, "{}"), op);
    }
  } catch (e) { routes = null; }
}

/** "POST /api/work-orders/{}/close" -> whether this server has that route. */
export function has(route) { return routes === null || routes.has(route); }

/** Whether a route takes a given query parameter (e.g. scope on GET /api/work-orders). */
export function hasParam(route, name) {
  if (routes === null) return true;
  const op = routes.get(route);
  return !!op && (op.parameters || []).some((p) => p.name === name && p.in === "query");
}

/** Hides every element whose data-feature route this server does not have. */
export function hideMissing(root = document) {
  for (const node of root.querySelectorAll("[data-feature]")) node.hidden = !has(node.dataset.feature);
}
