// Apache ECharts, vendored under /static/vendor/echarts and loaded on demand (only a supervisor who opens the
// reports tab downloads it), plus what every report chart shares: one instance per container, re-created when
// the language changes (ECharts' own texts follow its locale), resized with its container, and tooltips drawn
// on the canvas ("richText") so that no HTML with inline styles is built: the console's CSP allows none.
import { getLang, t } from "../i18n.js";

const SCRIPT = "/static/vendor/echarts/echarts.min.js";
let loading = null;

/** The ECharts namespace, once its script has loaded (a classic script: it defines window.echarts). */
export function loadECharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = SCRIPT;
      script.async = true;
      script.addEventListener("load", () => resolve(window.echarts));
      script.addEventListener("error", () => { loading = null; script.remove(); reject(new Error(t("report.chart_failed"))); });
      document.head.appendChild(script);
    });
  }
  return loading;
}

const charts = new Map();  // container element -> { chart, lang }
const resizer = typeof ResizeObserver === "function"
  ? new ResizeObserver((entries) => { for (const e of entries) charts.get(e.target)?.chart.resize(); }) : null;
window.addEventListener("resize", () => { for (const { chart } of charts.values()) chart.resize(); });

/** Shows ``option`` in ``container`` (replacing what it showed), in the console's current language. */
export async function show(container, option) {
  const echarts = await loadECharts();
  let entry = charts.get(container);
  if (entry && entry.lang !== getLang()) { entry.chart.dispose(); entry = null; }
  if (!entry) {
    const chart = echarts.init(container, null, { renderer: "canvas", locale: getLang() === "en" ? "EN" : "ZH" });
    entry = { chart, lang: getLang() };
    charts.set(container, entry);
    resizer?.observe(container);
  }
  entry.chart.setOption({ animation: false, ...option }, { notMerge: true });
  container.dataset.rendered = String(Date.now());
  return entry.chart;
}

/** Empties a chart's container (e.g. no data, or the report failed). */
export function clear(container) {
  const entry = charts.get(container);
  if (entry) { entry.chart.dispose(); charts.delete(container); resizer?.unobserve(container); }
  delete container.dataset.rendered;
}

/** Free text (an agent's name, a reason) made inert for a richText tooltip, where {style|text} has a meaning. */
export function plain(text) {
  return String(text ?? "").replace(/[{}|]/g, " ");
}

/** The tooltip every chart uses: drawn on the canvas, never as HTML. */
export function tooltip(formatter, trigger = "item") {
  return { trigger, renderMode: "richText", confine: true, formatter };
}

/** "2026-11-25" for each local calendar day from ``first`` to ``last`` (YYYY-MM-DD strings, both included). */
export function daysBetween(first, last) {
  const days = [];
  const [y1, m1, d1] = first.split("-").map(Number), [y2, m2, d2] = last.split("-").map(Number);
  for (let ms = Date.UTC(y1, m1 - 1, d1), end = Date.UTC(y2, m2 - 1, d2); ms <= end; ms += 86400000) {
    days.push(new Date(ms).toISOString().slice(0, 10));
  }
  return days;
}

export function percent(v) { return v == null ? "—" : (v * 100).toFixed(1) + "%"; }
