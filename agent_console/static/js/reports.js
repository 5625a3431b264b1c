// The managers' summary report for a range of days, each figure with its definition.
import { $, el, fmtNum, fmtStamp, today, toast } from "./dom.js";
import { api } from "./api.js";
import { label, t } from "./i18n.js";

export async function loadReport() {
  const from = $("report-from").value || today(), to = $("report-to").value || from;
  try {
    const rep = await api("GET", "/api/reports/summary?from=" + encodeURIComponent(from) + "&to=" + encodeURIComponent(to));
    $("report-range").textContent = t("report.range", { from: fmtStamp(rep.from), to: fmtStamp(rep.to) });
    $("report-figures").replaceChildren(...Object.entries(rep.figures || {}).map(([name, value]) => {
      const shown = value == null ? "—" : name.endsWith("_rate") || name === "service_level" ? (value * 100).toFixed(1) + "%"
        : name.endsWith("_seconds") ? fmtNum(value, 1) : String(value);
      return el("div", { class: "figure", "data-figure": name }, [
        el("div", { text: label("figure", name) }), el("div", { class: "val", text: shown }),
        el("div", { class: "def", text: (rep.definitions || {})[name] || "" })]);
    }));
  } catch (e) { if (e.status !== 401 && e.status !== 403) toast(e.message, true); }
}

export function initReports() {
  $("report-from").value = today();
  $("report-to").value = today();
  $("report-refresh").addEventListener("click", loadReport);
}
