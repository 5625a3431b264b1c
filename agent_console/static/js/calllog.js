// The call log: today's calls (the agent's own; everyone's for supervisors), each with its recordings.
import { $, el, fmtNum, fmtTime, latestOnly, today, toast } from "./dom.js";

const listLoad = latestOnly();
import { api } from "./api.js";
import { label, t } from "./i18n.js";
import * as live from "./live.js";
import { recordingsAvailable, showRecordings } from "./recordings.js";

export async function loadCalls() {
  const day = $("calls-date").value || today();
  try {
    const fresh = listLoad();
    const rows = await api("GET", "/api/calls?from=" + encodeURIComponent(day) + "&to=" + encodeURIComponent(day));
    if (!fresh()) return;
    const body = $("calls-table").tBodies[0];
    body.replaceChildren(...rows.map((r) => el("tr", { "data-linkedid": r.linkedid, title: r.linkedid }, [
      el("td", { text: fmtTime(r.arrived_at) }), el("td", { text: r.caller_number || "—" }),
      el("td", { text: r.account_number || "—" }), el("td", { text: r.queue || "—" }),
      el("td", { text: r.ivr_path || "—" }), el("td", { class: "num", text: fmtNum(r.wait_seconds, 1) }),
      el("td", { class: "num", text: fmtNum(r.talk_seconds, 1) }),
      el("td", { text: r.outcome ? label("outcome", r.outcome) : r.answered_at ? t("calls.connected") : r.ended_at ? "—" : t("calls.in_progress") }),
      el("td", null, [recordingsAvailable() && r.answered_at
        ? el("button", { type: "button", class: "small", "data-testid": "calls-recordings", text: t("rec.listen"), onclick: () => showRecordings(r.linkedid) })
        : null]),
    ])));
    if (!rows.length) body.appendChild(el("tr", null, [el("td", { colspan: "9", class: "muted", text: t("calls.none") })]));
  } catch (e) { if (e.status !== 401) toast(e.message, true); }
}

export function initCalls() {
  $("calls-date").value = today();
  $("calls-refresh").addEventListener("click", loadCalls);
  $("calls-date").addEventListener("change", loadCalls);
  live.on("call.offered", loadCalls);
  live.on("call.ended", loadCalls);
}
